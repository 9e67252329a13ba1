"""Palette's Enablement and Validate procedures for each scope, built from the documented steps,
with a line per step as it runs and the evidence a person and a CI system can read."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page

from . import api, steps
from .api import ApiUnusable

Kind = Literal["cluster", "project", "tenant", "gateway"]
TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Target:
    """A scope to run the procedures on: a cluster (by name), a project (TENANT/NAME), a tenant,
    a Private Cloud Gateway (by name)."""

    kind: Kind
    name: str
    tenant: str = ""  # a project's tenant

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.tenant}/{self.name}" if self.tenant else f"{self.kind} {self.name}"
        )

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", str(self).lower()).strip("-")


def open_switch(
    page: Page, target: Target, *, on_details: Callable[[Page], None] | None = None
) -> Locator:
    """Navigate as Palette's documentation says, from wherever the user landed: Main Menu ›
    Clusters › the cluster › Settings › Cluster Settings; or Project Settings (Tenant Settings)
    › Platform Settings in the project's (tenant's) scope; Tenant Settings › Private Cloud
    Gateways › the gateway › Settings › Cluster Settings. `on_details` runs on the cluster's (the
    gateway's) details page, or the project's Project Settings › General, on the way."""
    if target.kind in ("cluster", "gateway"):
        if target.kind == "cluster":
            steps.open_cluster(page, target.name)
        else:
            steps.open_gateway(page, target.name)
        if on_details is not None:
            on_details(page)
        return steps.open_cluster_settings(page)
    if target.kind == "project":
        steps.choose_scope(page, target.tenant, target.name)
        return steps.open_platform_settings(page, steps.PROJECT_SETTINGS, on_general=on_details)
    steps.choose_scope(page, target.name)
    return steps.open_platform_settings(page, steps.TENANT_SETTINGS)


@dataclass
class StepRecord:
    phase: str
    name: str
    seconds: float
    failure: str = ""


@dataclass
class Outcome:
    """One procedure on one scope: what was expected, what was seen, and whether it held."""

    target: Target
    mode: str
    expected: str  # "paused" or "active"
    seen: str = "-"
    failure: str = ""
    failed_step: str = ""
    restored: str = ""
    seconds: float = 0.0
    steps: list[StepRecord] = field(default_factory=list)
    stopped: str = ""  # why the run cannot go on (the API cannot be used): exit 2
    held_by: str = ""  # the freeze window the page says holds the scope, if one does

    @property
    def held(self) -> bool:
        return not self.failure and self.seen == self.expected


def state(on: bool) -> str:
    return "paused" if on else "active"


class Session:
    """A browser session of the procedures against one console, as one user, writing progress
    to `say` and evidence (screenshots, and for a failed step its page and console) to
    `evidence`."""

    def __init__(
        self,
        browser: Browser,
        base_url: str,
        username: str,
        password: str,
        *,
        evidence: Path | None = None,
        say: Callable[[str], None] = print,
        ignore_https_errors: bool = False,
        api_check: Callable[[Target, bool, str], None] | None = None,
    ) -> None:
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self.evidence = evidence
        self.say = say
        self.ignore_https_errors = ignore_https_errors
        self.api_check = api_check  # (target, the page showed paused, its uid): raises StepFailed
        self._shots = 0

    # The procedures.

    def enable(self, target: Target, *, keep: bool = False) -> Outcome:
        """Enablement (toggle Pause Agent Upgrades, OK), then Validate after a new login in a
        fresh browser, then put the value back the same way unless `keep`."""
        outcome = Outcome(target, "enable", "paused")
        started = time.monotonic()
        toggled = False
        try:
            with self._page(outcome, "enable") as page:
                steps.log_in(page, self.base_url, self.username, self.password)
                switch = open_switch(page, target)
                was_on = steps.is_on(page, switch)
                if was_on:
                    self.say(f"  [{target}] already paused: nothing to toggle, nothing to put back")
                else:
                    toggled = steps.toggle_and_confirm(page, switch)
            with self._page(outcome, "validate") as page:
                self._validate(page, outcome)
                if not keep and not was_on and outcome.seen == "paused":
                    # Put the value back as it was, with where it came from: by undoing the
                    # change where the console offers it, by toggling it back where not.
                    with self._phase(outcome, "restore"):
                        switch = steps.agent_upgrades_switch(page)
                        if not steps.undo_and_confirm(page, switch):
                            steps.toggle_and_confirm(page, switch)
                        outcome.restored = "active"
        except steps.StepFailed as failed:
            outcome.failure, outcome.failed_step = failed.message, failed.step
        if toggled and not keep and not outcome.restored:
            self.say(
                f"  [{target}] LEFT PAUSED: the run paused it and could not put it back; "
                "resume it by hand (Undo this change on its page, or its switch)"
            )
        outcome.seconds = time.monotonic() - started
        return outcome

    def check(self, target: Target, *, expect: str) -> Outcome:
        """Validate only: log in, navigate, see the toggle. Changes nothing."""
        outcome = Outcome(target, "check", expect)
        started = time.monotonic()
        try:
            with self._page(outcome, "validate") as page:
                self._validate(page, outcome)
        except steps.StepFailed as failed:
            outcome.failure, outcome.failed_step = failed.message, failed.step
        outcome.seconds = time.monotonic() - started
        return outcome

    def _validate(self, page: Page, outcome: Outcome) -> bool:
        """Validate: log in, navigate, see the toggle; with an API check, the uid on the way and
        the API's value after (while the value the page showed still holds)."""
        target = outcome.target
        steps.log_in(page, self.base_url, self.username, self.password)
        uids: list[str] = []
        api_check = self.api_check and target.kind != "gateway"
        read_uid = (lambda p: uids.append(steps.read_uid(p))) if api_check else None
        switch = open_switch(page, target, on_details=read_uid)
        on = steps.is_on(page, switch)
        outcome.seen = state(on)
        if on and (window := steps.holding_window(page)):
            outcome.held_by = window
            self.say(f"  [{target}] held by freeze window {window}")
        if api_check:  # the API is read for clusters, projects and tenants
            # A disagreement fails the outcome but does not stop it: enable still puts the
            # value back. An API that cannot be used stops the run (after that, too).
            try:
                self.api_check(target, on, uids[0] if uids else "")
            except steps.StepFailed as failed:
                outcome.failure, outcome.failed_step = failed.message, failed.step
            except ApiUnusable as unusable:
                outcome.failure, outcome.failed_step = str(unusable), api.STEP
                outcome.stopped = str(unusable)
        return on

    # Contexts, progress and evidence.

    def new_context(self) -> BrowserContext:
        context = self.browser.new_context(
            base_url=self.base_url,
            ignore_https_errors=self.ignore_https_errors,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        return context

    @contextmanager
    def _page(self, outcome: Outcome, phase: str) -> Iterator[Page]:
        """A page in a fresh browser context (a new login each time), whose steps are reported
        as they run; a failed step leaves its page, its console and a screenshot behind."""
        context = self.new_context()
        console: list[str] = []
        page = context.new_page()
        page.on("console", lambda message: console.append(_console_line(message)))
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        token = steps.REPORTER.set(self._reporter(outcome, phase, page))
        try:
            yield page
        except steps.StepFailed as failed:
            self._keep_failure(outcome, page, console, failed)
            raise
        finally:
            steps.REPORTER.reset(token)
            context.close()

    @contextmanager
    def _phase(self, outcome: Outcome, phase: str) -> Iterator[None]:
        page_reporter = steps.REPORTER.get()
        page = page_reporter.page if page_reporter else None
        token = steps.REPORTER.set(self._reporter(outcome, phase, page))
        try:
            yield
        finally:
            steps.REPORTER.reset(token)

    def _reporter(self, outcome: Outcome, phase: str, page: Page | None) -> steps.Reporter:
        def report(name: str, seconds: float, failure: str) -> None:
            outcome.steps.append(StepRecord(phase, name, seconds, failure))
            mark = "FAILED" if failure else "ok"
            line = f"  [{outcome.target}] {phase:<8} {name} … {mark} ({seconds:.1f} s)"
            self.say(line + (f": {failure}" if failure else ""))
            if phase == "validate" and not failure and page is not None:
                self._screenshot(page, outcome, phase, name)

        return steps.Reporter(report, page)

    def _screenshot(self, page: Page, outcome: Outcome, phase: str, name: str) -> Path | None:
        if self.evidence is None:
            return None
        self._shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.evidence / f"{self._shots:03d}-{outcome.target.slug}-{phase}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def _keep_failure(
        self, outcome: Outcome, page: Page, console: list[str], failed: steps.StepFailed
    ) -> None:
        if self.evidence is None:
            return
        self._shots += 1
        stem = self.evidence / f"{self._shots:03d}-{outcome.target.slug}-FAILED"
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as error:  # the page may be gone; the failure itself is the news
            console.append(f"(could not keep the page: {error})")
        Path(f"{stem}.console.txt").write_text(
            f"{failed}\nURL: {page.url}\n\n" + "\n".join(console) + "\n", encoding="utf-8"
        )


def _console_line(message: ConsoleMessage) -> str:
    where = message.location.get("url", "")
    return f"{message.type}: {message.text}" + (f" ({where})" if where else "")

"""The freeze mode: through the dialog "Add freeze window", a window on the scope that starts a
minute ahead and ends two minutes later; then, each in a fresh login, the switch checked while
it holds and back to its earlier value after its end. A window left behind by a failure is
deleted (or ended, once it has started)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Locator, Page, expect

from . import steps
from .procedures import Outcome, Session, Target, open_switch, state

ADD = "Add freeze window"
SECTION = "Freeze windows"
LEAD = timedelta(minutes=1)  # the window starts at least this far ahead
LENGTH = timedelta(minutes=2)
# The console's scheduler runs every minute (cron) or in a loop: a start or an end is seen up
# to this long after its time.
GRACE = timedelta(seconds=90)
POLL = timedelta(seconds=15)

# Read through these names, so that tests can set the time instead of waiting for it.
now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731
sleep: Callable[[float], None] = time.sleep


def window_times(moment: datetime) -> tuple[datetime, datetime]:
    """A start on a whole minute at least LEAD ahead, and its end LENGTH later (UTC)."""
    start = moment.replace(second=0, microsecond=0) + LEAD + timedelta(minutes=1)
    return start, start + LENGTH


def wait_until(moment: datetime) -> None:
    left = (moment - now()).total_seconds()
    if left > 0:
        sleep(left)


def freeze_section(page: Page) -> Locator:
    return page.get_by_role("region", name=SECTION, exact=True)


def add_window(page: Page, name: str, start: datetime, end: datetime) -> None:
    """Freeze windows › Add freeze window, fill in a once window in UTC, see the preview, OK."""
    with steps.step(ADD, f"no button named “{ADD}” under “{SECTION}”") as looking:
        freeze_section(page).get_by_role("button", name=ADD, exact=True).click()
        looking.missing = f"no dialog named “{ADD}” after the button"
        dialog = page.get_by_role("dialog", name=ADD, exact=True)
        expect(dialog).to_be_visible()
    with steps.step("Fill in the window", "a field of the dialog is missing") as looking:
        for label, value in (
            ("Name", name),
            ("Reason (optional)", "validation run"),
            ("Time zone", "UTC"),
        ):
            looking.missing = f"no field labelled “{label}” in the dialog"
            dialog.get_by_label(label, exact=True).fill(value)
        looking.missing = "no choice labelled “Once” in the dialog"
        dialog.get_by_label("Once", exact=True).check()
        for label, value in (
            ("Start date", f"{start:%Y-%m-%d}"),
            ("Start time", f"{start:%H:%M}"),
            ("End date", f"{end:%Y-%m-%d}"),
            ("End time", f"{end:%H:%M}"),
        ):
            looking.missing = f"no field labelled “{label}” in the dialog"
            dialog.get_by_label(label, exact=True).first.fill(value)
        dialog.get_by_label("End time", exact=True).dispatch_event("change")
        looking.missing = "the dialog's preview does not say “Next: …” with the start in UTC"
        expect(dialog.get_by_role("status")).to_contain_text("Next: ")
        expect(dialog.get_by_role("status")).to_contain_text(f"{start:%H:%M}")
    with steps.step("OK in the dialog", "no button named “OK” in the dialog") as looking:
        dialog.get_by_role("button", name="OK", exact=True).click()
        looking.missing = "the dialog stayed open after OK: the window was not saved"
        expect(dialog).to_be_hidden()
        looking.missing = f"the window {name} is not listed under “{SECTION}” after OK"
        expect(freeze_section(page)).to_contain_text(name)


def remove_window(page: Page, name: str) -> bool:
    """Delete the window (End now once it has started), as a person would: its row's button,
    then OK. False when the page lists no such window with either button."""
    row = freeze_section(page).get_by_role("listitem").filter(has_text=name).first
    for label in ("Delete", "End now"):
        button = row.get_by_role("button", name=label, exact=True)
        if not button.count():
            continue
        with steps.step(f"{label} {name}", f"no button named “{label}” on its row") as looking:
            button.click()
            looking.missing = f"no pop-up (a dialog) after “{label}”"
            dialog = steps.confirm_dialog(page)
            expect(dialog).to_be_visible()
            dialog.get_by_role("button", name="OK", exact=True).click()
            looking.missing = f"the console did not say that freeze window {name} was removed"
            done = "deleted" if label == "Delete" else "ended"
            said = page.get_by_role("status").filter(has_text=f"Freeze window {name} {done}.")
            expect(said).to_be_visible()
        return True
    return False


def run_freeze(session: Session, target: Target) -> Outcome:
    outcome = Outcome(target, "freeze", "paused")
    started = time.monotonic()
    name = f"validation-{now():%Y%m%d-%H%M%S}"
    created = False
    try:
        with session._page(outcome, "freeze") as page:
            steps.log_in(page, session.base_url, session.username, session.password)
            was_on = steps.is_on(page, open_switch(page, target))
            start, end = window_times(now())
            session.say(f"  [{target}] window {name}: {start:%H:%M}–{end:%H:%M} UTC")
            add_window(page, name, start, end)
            created = True
        during = _watch(session, outcome, start, end - POLL, want=True)
        if during != "paused":
            raise steps.StepFailed("See the toggle during the window", "the switch is not checked")
        back = _watch(session, outcome, end, end + GRACE, want=was_on)
        outcome.seen = during  # what the procedure expects: paused, while the window held
        if back != state(was_on):
            raise steps.StepFailed(
                "See the toggle after the window",
                f"the switch shows {back}, not {state(was_on)} as before the window",
            )
        outcome.restored = back
        created = False  # it ran and ended: history, as the console keeps it
    except steps.StepFailed as failed:
        outcome.failure, outcome.failed_step = failed.message, failed.step
    if created:
        _clean_up(session, outcome, target, name)
    outcome.seconds = time.monotonic() - started
    return outcome


def _watch(session: Session, outcome: Outcome, since: datetime, until: datetime, *, want: bool):
    """Fresh logins from `since` on, every POLL, until the switch shows `want` or `until`
    passes: what the last one saw."""
    wait_until(since)
    while True:
        with session._page(outcome, "validate") as page:
            on = session._validate(page, outcome)
        if on == want or now() >= until:
            return state(on)
        sleep(POLL.total_seconds())


def _clean_up(session: Session, outcome: Outcome, target: Target, name: str) -> None:
    try:
        with session._page(outcome, "clean up") as page:
            steps.log_in(page, session.base_url, session.username, session.password)
            open_switch(page, target)
            if remove_window(page, name):
                return
    except steps.StepFailed:
        pass
    session.say(
        f"  [{target}] LEFT BEHIND: freeze window {name} could not be removed; delete it (or "
        "End now) under Freeze windows on the scope's settings"
    )

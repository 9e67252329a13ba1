"""python -m settings_app.validation: run Palette's Enablement and Validate procedures for Pause
Agent Upgrades against a console, in headless Chromium, and say whether they hold."""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path

EXIT_HELD, EXIT_FAILED, EXIT_NOT_STARTED = 0, 1, 2
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m settings_app.validation",
        allow_abbrev=False,  # "--password SECRET" must not pass for --password-env
        description=(
            "Run Palette's documented procedures for Pause Agent Upgrades against a console, "
            "in headless Chromium, finding everything by its role and accessible name. "
            "`enable` toggles Pause Agent Upgrades on and clicks OK (Enablement), logs in again "
            "in a fresh browser to see it checked (Validate), then puts the value back. `check` "
            "runs only the Validate steps and changes nothing: the evidence that a change "
            "freeze holds. `freeze` adds a freeze window through the dialog “Add freeze window”, "
            "starting a minute ahead and ending two minutes later, and sees in fresh logins the "
            "switch checked while it holds and back to its earlier value after (the console's "
            "scheduler must run: manage.py run_schedule); a window left by a failure is deleted."
        ),
        epilog=(
            "Exit status: 0 when every procedure holds, 1 when one fails (the output names the "
            "step and the missing name), 2 when the run could not start (console unreachable, "
            "login refused, no browser; with --api-key-env, the API unreachable or the key "
            "refused)."
        ),
    )
    p.add_argument(
        "mode",
        choices=["enable", "check", "freeze"],
        help="enable; check (changes nothing); or freeze (a freeze window a minute ahead, for "
        "two minutes, seen to hold and to end: about four minutes per scope)",
    )
    p.add_argument(
        "--base-url",
        required=True,
        help="the console's address, e.g. https://console.example.com or http://127.0.0.1:8000",
    )
    p.add_argument("--username", required=True, help="the user to log in as")
    p.add_argument(
        "--password-env",
        default="CONSOLE_PASSWORD",
        metavar="VAR",
        help="the environment variable that holds the password (default: CONSOLE_PASSWORD); "
        "the password never goes on the command line",
    )
    p.add_argument(
        "--cluster",
        action="append",
        default=[],
        metavar="NAME",
        help="a cluster, by name: Main Menu › Clusters › NAME › Settings › Cluster Settings "
        "(repeatable)",
    )
    p.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="TENANT/NAME",
        help="a project: Scope › the project › Project Settings › Platform Settings (repeatable)",
    )
    p.add_argument(
        "--tenant",
        action="append",
        default=[],
        metavar="NAME",
        help="a tenant: Scope › Tenant Admin › Tenant Settings › Platform Settings (repeatable)",
    )
    p.add_argument(
        "--gateway",
        action="append",
        default=[],
        metavar="NAME",
        help="a Private Cloud Gateway, by name: Main Menu › Tenant Settings › Private Cloud "
        "Gateways › NAME › Settings › Cluster Settings (repeatable; not with freeze or "
        "--api-key-env's check)",
    )
    p.add_argument(
        "--expect",
        choices=["paused", "active"],
        help="check: what every scope must show (required with check)",
    )
    p.add_argument(
        "--keep",
        action="store_true",
        help="enable: leave the scopes paused instead of putting every value back",
    )
    p.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="also read each scope through the API (/v1/) with the key in this environment "
        "variable, while the page's value holds, and fail the step “The API agrees” when the API "
        "and the page differ; the answers go to --evidence",
    )
    p.add_argument("--junit", metavar="FILE", type=Path, help="write JUnit XML here")
    p.add_argument(
        "--evidence",
        metavar="DIR",
        type=Path,
        help="keep a screenshot of every Validate step here, and for a failed step its page's "
        "HTML and the browser console's messages",
    )
    p.add_argument(
        "--ignore-https-errors",
        action="store_true",
        help="accept a TLS certificate the browser does not trust (a test deployment's)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    say = lambda line: print(line, flush=True)  # noqa: E731
    targets = _targets(args)
    if not targets:
        say(
            "Name at least one scope: --cluster NAME, --project TENANT/NAME, --tenant NAME or "
            "--gateway NAME."
        )
        return EXIT_NOT_STARTED
    if args.mode == "freeze" and args.gateway:
        say("freeze takes clusters, projects and tenants: a gateway has no freeze windows.")
        return EXIT_NOT_STARTED
    if args.mode == "check" and not args.expect:
        say("check needs --expect paused or --expect active: what the scopes must show.")
        return EXIT_NOT_STARTED
    password = os.environ.get(args.password_env)
    if not password:
        say(
            f"Set the password in the environment variable {args.password_env} "
            f"(or name another with --password-env)."
        )
        return EXIT_NOT_STARTED
    api_key = None
    if args.api_key_env:
        api_key = os.environ.get(args.api_key_env)
        if not api_key:
            say(f"Set the API key in the environment variable {args.api_key_env}.")
            return EXIT_NOT_STARTED
    try:
        from playwright.sync_api import sync_playwright

        from . import api, freeze, procedures, report, steps
    except ImportError:
        say(
            "Playwright is not installed. Install the validation extra: "
            "pip install -e '.[validate]' (it uses the system's Chromium)."
        )
        return EXIT_NOT_STARTED
    executable = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE") or DEFAULT_CHROMIUM
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        say(
            f"No Chromium at {executable}. Install Debian's chromium (apt-get install chromium) "
            "or set PLAYWRIGHT_CHROMIUM_EXECUTABLE to a Chromium binary."
        )
        return EXIT_NOT_STARTED
    if args.evidence:
        args.evidence.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    say(
        f"Validation ({args.mode}) of {len(targets)} scope(s) at {args.base_url} as {args.username}"
    )
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as error:
            say(f"Chromium at {executable} would not start: {error}")
            return EXIT_NOT_STARTED
        api_check = None
        if api_key:
            client = api.Client(
                args.base_url,
                api_key,
                args.api_key_env,
                insecure=args.ignore_https_errors,
                evidence=args.evidence,
            )
            try:
                api.preflight(client)
            except api.ApiUnusable as unusable:
                say(str(unusable))
                browser.close()
                return EXIT_NOT_STARTED
            api_check = functools.partial(api.compare, client)
        session = procedures.Session(
            browser,
            args.base_url,
            args.username,
            password,
            evidence=args.evidence,
            say=say,
            ignore_https_errors=args.ignore_https_errors,
            api_check=api_check,
        )
        not_started = _preflight(session, steps, say)
        if not_started:
            browser.close()
            return not_started
        outcomes = []
        for target in targets:
            if args.mode == "enable":
                outcome = session.enable(target, keep=args.keep)
            elif args.mode == "freeze":
                outcome = freeze.run_freeze(session, target)
            else:
                outcome = session.check(target, expect=args.expect)
            outcomes.append(outcome)
            if outcome.stopped:
                say(outcome.stopped)
                say("The run stopped: the API could not be used.")
                browser.close()
                return EXIT_NOT_STARTED
        browser.close()

    say("")
    say(report.summary(outcomes))
    seconds = time.monotonic() - started
    held = all(o.held for o in outcomes)
    say("")
    say(f"{'All procedures hold' if held else 'A procedure failed'} ({seconds:.1f} s).")
    if args.junit:
        report.write_junit(outcomes, args.junit, base_url=args.base_url)
        say(f"JUnit XML: {args.junit}")
    if args.evidence:
        say(f"Evidence: {args.evidence}")
    return EXIT_HELD if held else EXIT_FAILED


def _targets(args) -> list:
    from .procedures import Target

    targets = [Target("cluster", name) for name in args.cluster]
    for value in args.project:
        tenant, slash, name = value.partition("/")
        if not slash or not tenant or not name:
            raise SystemExit(f"--project takes TENANT/NAME, like Acme/Default; got {value!r}.")
        targets.append(Target("project", name, tenant))
    targets += [Target("tenant", name) for name in args.tenant]
    targets += [Target("gateway", name) for name in args.gateway]
    return targets


def _preflight(session, steps, say) -> int:
    """Reach the console and log in once before anything else: what stops the run from
    starting is told apart from a procedure that fails."""
    context = session.new_context()
    page = context.new_page()
    try:
        steps.log_in(page, session.base_url, session.username, session.password)
    except steps.LoginRefused:
        say(
            f"The console at {session.base_url} refused the login of {session.username}: check "
            "the username and the password in the environment variable."
        )
        return EXIT_NOT_STARTED
    except steps.StepFailed as failed:
        if "did not answer" in failed.message:
            say(
                f"The console at {session.base_url} could not be reached ({failed.message}). "
                "Check the address, and that the console is running."
            )
            return EXIT_NOT_STARTED
        if session.base_url.startswith("http://") and not context.cookies():
            # A console that sends Secure cookies (DJANGO_SECURE_COOKIES, on unless DEBUG) over
            # plain HTTP: the browser keeps none (except on 127.0.0.1/localhost), so the login
            # form's CSRF check fails. Nothing the procedures could show.
            say(
                f"Logging in failed ({failed.message}) and the browser kept no cookie from "
                f"{session.base_url}: the console sends secure cookies, which a browser keeps "
                "only over HTTPS. Use the console's https:// address (with "
                "--ignore-https-errors for a certificate the browser does not trust)."
            )
            return EXIT_NOT_STARTED
        say(f"Logging in failed: {failed}")
        return 0  # a broken login page is a failed procedure, reported as such below
    finally:
        context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The validation runs' freeze mode against the live test server: the tool adds a window through
the dialog, and sees in fresh logins the switch checked while it holds and back after its end.
The tool runs in a thread of its own with its clock and its waits handed to the test, which
moves the console's clock (`clock`) and runs the scheduler for each wait: nothing sleeps. And
`check --expect paused` names the window that holds a scope."""

from __future__ import annotations

import queue
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from settings_app.models import AgentUpgrades, FreezeOccurrence, FreezeWindow
from settings_app.rules.schedule import run_windows
from settings_app.rules.windows import create_window
from settings_app.validation import __main__ as tool
from settings_app.validation import freeze

from .conftest import chromium_executable
from .test_validation_runs import run, settings_now

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def run_with_the_tests_clock(monkeypatch, clock, argv: list[str], *, scheduler: bool = True):
    """Run the tool in a thread; each of its waits moves the console's clock on by as long and
    runs the scheduler (unless `scheduler` is False: a console whose scheduler is down)."""
    monkeypatch.setenv("CONSOLE_PASSWORD", "palette-demo")
    monkeypatch.setenv("PLAYWRIGHT_CHROMIUM_EXECUTABLE", chromium_executable())
    waits, woken = queue.Queue(), queue.Queue()

    def wait(seconds: float) -> None:
        waits.put(seconds)
        woken.get(timeout=120)

    monkeypatch.setattr(freeze, "now", lambda: clock.now)
    monkeypatch.setattr(freeze, "sleep", wait)
    answer: dict = {}
    thread = threading.Thread(target=lambda: answer.update(code=tool.main(argv)), daemon=True)
    thread.start()
    while thread.is_alive():
        try:
            seconds = waits.get(timeout=0.2)
        except queue.Empty:
            continue
        clock.advance(seconds=seconds)
        if scheduler:
            run_windows()
        woken.put(None)
    thread.join()
    return answer.get("code")


def test_freeze_sees_the_project_paused_during_the_window_and_back_after(
    live_server, demo, clock, monkeypatch, capsys
):
    before = settings_now()

    code = run_with_the_tests_clock(
        monkeypatch,
        clock,
        [
            "freeze",
            "--base-url",
            live_server.url,
            "--username",
            "project-admin",
            "--project",
            "Acme/Default",
        ],
    )

    out = capsys.readouterr().out
    assert code == 0, out
    assert "All procedures hold" in out
    window = FreezeWindow.objects.get()
    assert window.project == demo.default and window.name.startswith("validation-")
    assert f"held by freeze window {window.name}" in out
    assert list(FreezeOccurrence.objects.values_list("state", flat=True)) == ["ended"]
    demo.default.refresh_from_db()
    assert demo.default.agent_upgrades == AgentUpgrades.UNLOCK
    assert {k: v[0] for k, v in settings_now().items()} == {k: v[0] for k, v in before.items()}


def test_freeze_that_fails_midway_deletes_its_window(live_server, demo, clock, monkeypatch, capsys):
    code = run_with_the_tests_clock(
        monkeypatch,
        clock,
        [
            "freeze",
            "--base-url",
            live_server.url,
            "--username",
            "cluster-admin",
            "--cluster",
            "prod-east",
        ],
        scheduler=False,  # the console's scheduler is down: the window never starts
    )

    out = capsys.readouterr().out
    assert code == 1, out
    assert "See the toggle during the window" in out
    assert not FreezeWindow.objects.exists(), out
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades == AgentUpgrades.UNLOCK


def test_check_expect_paused_names_the_window_that_holds_the_scope(live_server, demo, user):
    now = timezone.now()
    first, last = now - timedelta(minutes=1), now + timedelta(hours=1)
    window = FreezeWindow(
        tenant=demo.acme,
        project=demo.default,
        name="Launch",
        time_zone="UTC",
        schedule="once",
        start_date=first.date(),
        start_time=first.time(),
        end_date=last.date(),
        end_time=last.time(),
    )
    create_window(window, actor=user("project-admin"), now=first - timedelta(seconds=1))
    run_windows()  # it starts: the project and its clusters are paused by the window

    result = run(
        live_server.url,
        "check",
        "--expect",
        "paused",
        "--username",
        "project-admin",
        "--project",
        "Acme/Default",
        "--cluster",
        "prod-east",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "[project Acme/Default] held by freeze window Launch" in result.stdout
    assert "[cluster prod-east] held by freeze window Launch" in result.stdout
    assert "paused (freeze window Launch)" in result.stdout

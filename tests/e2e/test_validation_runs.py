"""The validation runs (python -m settings_app.validation) against the live test server, as an
operator runs them against a deployment: in their own process and browser, through HTTP only.
They hold on the console as it is, put every value back, and fail (naming the step and the
name) on consoles that break the contract."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from settings_app.models import ApiKey, AuditEvent, Cluster, Project, Tenant
from settings_app.rules import Change

from .conftest import chromium_executable

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "palette-demo"
TOOL = [sys.executable, "-m", "settings_app.validation"]
SETTING = (
    "agent_upgrades",
    "agent_upgrades_set_via",
    "agent_upgrades_set_by",
    "agent_upgrades_set_at",
    "agent_upgrades_reason",
    "agent_upgrades_until",
)
SCOPES = ["--cluster", "prod-east", "--project", "Acme/Default", "--tenant", "Acme"]
TEMPLATES = Path(__file__).parents[2] / "templates"


def run(base_url: str, *args: str, password: str | None = PASSWORD, **env: str):
    """The tool in its own process, as an operator runs it; its exit status and output."""
    environment = {**os.environ, "PLAYWRIGHT_CHROMIUM_EXECUTABLE": chromium_executable(), **env}
    environment.pop("CONSOLE_PASSWORD", None)
    if password is not None:
        environment["CONSOLE_PASSWORD"] = password
    return subprocess.run(
        [*TOOL, *args, "--base-url", base_url],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def settings_now() -> dict:
    """Every value and where it came from."""
    return {
        f"{model.__name__} {row[0]}": row[1:]
        for model in (Tenant, Project, Cluster)
        for row in model.objects.order_by("pk").values_list("pk", *SETTING)
    }


def test_enable_holds_for_each_scope_as_its_admin_and_puts_every_value_back(live_server, demo):
    before, events = settings_now(), AuditEvent.objects.count()

    for username, scope in [
        ("cluster-admin", ["--cluster", "prod-east"]),
        ("project-admin", ["--project", "Acme/Default"]),
        ("tenant-admin", ["--tenant", "Acme"]),
    ]:
        result = run(live_server.url, "enable", "--username", username, *scope)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "All procedures hold" in result.stdout

    assert settings_now() == before  # values and provenance, as they were
    # The trail records both changes of each run: the pause and its undo.
    own = AuditEvent.objects.filter(part_of__isnull=True).order_by("id")
    actions = list(own.values_list("object_name", "action"))
    assert AuditEvent.objects.count() > events
    assert actions[-6:] == [
        ("prod-east", "setting"),
        ("prod-east", "undo"),
        ("Default", "setting"),
        ("Default", "undo"),
        ("Acme", "setting"),
        ("Acme", "undo"),
    ]

    check = run(
        live_server.url, "check", "--expect", "active", "--username", "tenant-admin", *SCOPES
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert settings_now() == before  # check changes nothing


def test_enable_with_keep_leaves_the_freeze_that_check_then_proves(live_server, demo, tmp_path):
    junit, evidence = tmp_path / "junit.xml", tmp_path / "evidence"

    # A tenant pause, kept, holds on its projects and clusters too.
    kept = run(
        live_server.url, "enable", "--keep", "--username", "tenant-admin", "--tenant", "Acme"
    )
    frozen = run(
        live_server.url,
        "check",
        "--expect",
        "paused",
        "--username",
        "project-admin",
        "--project",
        "Acme/Default",
        "--cluster",
        "staging",
        "--junit",
        str(junit),
        "--evidence",
        str(evidence),
    )

    assert kept.returncode == 0, kept.stdout
    assert frozen.returncode == 0, frozen.stdout
    assert Tenant.objects.get(name="Acme").agent_upgrades == "lock"
    # The summary table, the JUnit XML and a screenshot of every Validate step.
    assert "project Acme/Default  check  paused    paused  ok" in frozen.stdout
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("2", "0")
    shots = sorted(path.name for path in evidence.iterdir())
    assert len(shots) == 10 and all(name.endswith(".png") for name in shots)
    assert [name[4:] for name in shots if name.endswith("see-pause-agent-upgrades.png")] == [
        "cluster-staging-validate-see-pause-agent-upgrades.png",
        "project-acme-default-validate-see-pause-agent-upgrades.png",
    ]


def test_check_fails_with_exit_1_when_the_scope_shows_otherwise(live_server, demo, tmp_path):
    result = run(
        live_server.url,
        "check",
        "--expect",
        "paused",
        "--username",
        "tenant-admin",
        "--tenant",
        "Acme",
        "--junit",
        str(tmp_path / "junit.xml"),
    )

    assert result.returncode == 1
    assert "tenant Acme  check  paused    active  FAILED" in result.stdout
    failure = ElementTree.parse(tmp_path / "junit.xml").getroot().find(".//failure")
    assert failure.get("message") == "expected the toggle paused, saw it active"


def api_key(username: str, tenant: str = "Acme") -> str:
    """A key of the user in the tenant, as My API Keys or create_api_key makes one."""
    user, in_tenant = User.objects.get(username=username), Tenant.objects.get(name=tenant)
    return ApiKey.issue(user, in_tenant, "validation", timezone.now() + timedelta(days=1))[1]


def test_with_an_api_key_the_api_agrees_with_the_page_while_paused_and_after(
    live_server, demo, tmp_path
):
    before, evidence = settings_now(), tmp_path / "evidence"
    key = api_key("tenant-admin")

    result = run(
        live_server.url,
        "enable",
        "--username",
        "tenant-admin",
        *SCOPES,
        "--api-key-env",
        "VALIDATION_KEY",
        "--evidence",
        str(evidence),
        VALIDATION_KEY=key,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("validate The API agrees … ok") == 3
    assert settings_now() == before
    # Every API answer is evidence, read while the scope was paused; the key is in none.
    answers = {
        path.name[7:]: json.loads(path.read_text()) for path in sorted(evidence.glob("api-*.json"))
    }
    assert list(answers) == [
        "preflight.json",
        "cluster-prod-east-cluster.json",
        "cluster-prod-east-setting.json",
        "project-acme-default-project.json",
        "project-acme-default-setting.json",
        "tenant-acme-setting.json",
    ]
    cluster = answers["cluster-prod-east-cluster.json"]
    assert cluster["status"] == 200
    assert cluster["body"]["metadata"]["uid"] == Cluster.objects.get(name="prod-east").uid
    assert cluster["body"]["metadata"]["annotations"]["spectroComponentsUpgradeForbidden"] == "true"
    assert answers["project-acme-default-setting.json"]["request"]["headers"]["ProjectUid"] == (
        Project.objects.get(tenant__name="Acme", name="Default").uid
    )
    assert answers["tenant-acme-setting.json"]["body"] == {"spectroComponents": "lock"}
    assert not any(key in path.read_text() for path in evidence.glob("api-*.json"))


def test_an_api_that_disagrees_with_the_page_fails_naming_the_step(live_server, demo, monkeypatch):
    def says_paused(caller, project_uid, change=False):
        return SimpleNamespace(effective_agent_upgrades="lock")

    monkeypatch.setattr("settings_app.api.spectroclusters.addressed_scope", says_paused)

    result = run(
        live_server.url,
        *["check", "--expect", "active", "--username", "tenant-admin", "--tenant", "Acme"],
        *["--api-key-env", "VALIDATION_KEY"],
        VALIDATION_KEY=api_key("tenant-admin"),
    )

    assert result.returncode == 1, result.stdout
    assert "The API agrees … FAILED" in result.stdout
    assert "the API says spectroComponents is 'lock', the page showed 'unlock'" in result.stdout
    assert "tenant Acme  check  active    active  FAILED at “The API agrees”" in result.stdout


def test_a_refused_api_key_stops_the_run_with_exit_2(live_server, demo):
    key = api_key("tenant-admin")
    ApiKey.objects.update(active=False)  # revoked

    result = run(
        live_server.url,
        *["check", "--expect", "active", "--username", "tenant-admin", "--tenant", "Acme"],
        *["--api-key-env", "VALIDATION_KEY"],
        VALIDATION_KEY=key,
    )

    assert result.returncode == 2, result.stdout
    assert "The console refused the API key in VALIDATION_KEY (401 InvalidApiKey)" in result.stdout


@pytest.fixture
def switch_without_its_name(settings, tmp_path):
    """A test-only console whose switch is labelled "Pause upgrades": every other name stays."""
    real = TEMPLATES / "settings_app" / "_switch.html"
    text = real.read_text()
    assert "Pause Agent Upgrades" in text
    broken = tmp_path / "templates" / "settings_app" / "_switch.html"
    broken.parent.mkdir(parents=True)
    broken.write_text(text.replace("Pause Agent Upgrades", "Pause upgrades"))
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [broken.parents[1], *engine["DIRS"]]}]


def test_a_console_whose_switch_lost_its_name_fails_naming_the_step_and_the_name(
    live_server, demo, tmp_path, switch_without_its_name
):
    evidence = tmp_path / "evidence"

    result = run(
        live_server.url,
        "enable",
        "--username",
        "cluster-admin",
        "--cluster",
        "prod-east",
        "--evidence",
        str(evidence),
    )

    assert result.returncode == 1, result.stdout
    assert "See Pause Agent Upgrades … FAILED" in result.stdout
    assert "no switch named “Pause Agent Upgrades”" in result.stdout
    assert "FAILED at “See Pause Agent Upgrades”" in result.stdout
    # The failed step leaves its page, its console and a screenshot behind.
    kept = {path.suffix for path in evidence.iterdir() if "FAILED" in path.name}
    assert kept == {".png", ".html", ".txt"}


def test_a_console_whose_ok_does_not_save_fails_at_ok(live_server, demo, monkeypatch):
    def does_not_save(obj, value, **kwargs) -> Change:
        obj.refresh_from_db()
        return Change("cluster", obj, obj.effective_agent_upgrades, replayed=True)

    monkeypatch.setattr("settings_app.rules.change_agent_upgrades", does_not_save)

    result = run(live_server.url, "enable", "--username", "cluster-admin", "--cluster", "prod-east")

    assert result.returncode == 1, result.stdout
    assert "OK in the pop-up … FAILED" in result.stdout
    assert "the switch did not change after OK: the change was not saved" in result.stdout
    assert Cluster.objects.get(name="prod-east").agent_upgrades == "unlock"


def test_a_console_that_cannot_be_reached_stops_the_run_with_exit_2(db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free, and nothing listens on it once closed

    result = run(
        f"http://127.0.0.1:{port}",
        "check",
        "--expect",
        "active",
        "--username",
        "x",
        "--tenant",
        "Acme",
    )

    assert result.returncode == 2
    assert f"The console at http://127.0.0.1:{port} could not be reached" in result.stdout


def test_a_refused_login_stops_the_run_with_exit_2(live_server, demo):
    result = run(
        live_server.url,
        "check",
        "--expect",
        "active",
        "--username",
        "tenant-admin",
        "--tenant",
        "Acme",
        password="not-the-password",
    )

    assert result.returncode == 2
    assert "refused the login of tenant-admin" in result.stdout


def test_no_browser_stops_the_run_with_exit_2_and_says_how_to_install_one(live_server):
    result = run(
        live_server.url,
        "check",
        "--expect",
        "active",
        "--username",
        "tenant-admin",
        "--tenant",
        "Acme",
        PLAYWRIGHT_CHROMIUM_EXECUTABLE="/nonexistent/chromium",
    )

    assert result.returncode == 2
    assert "apt-get install chromium" in result.stdout


def test_the_password_never_goes_on_the_command_line(live_server):
    missing = run(
        live_server.url,
        "check",
        "--expect",
        "active",
        "--username",
        "u",
        "--tenant",
        "A",
        password=None,
    )
    refused = subprocess.run(
        [*TOOL, "check", "--username", "u", "--password", "secret", "--base-url", live_server.url],
        capture_output=True,
        text=True,
        check=False,
    )

    assert missing.returncode == 2
    assert "Set the password in the environment variable CONSOLE_PASSWORD" in missing.stdout
    assert refused.returncode == 2  # argparse: no such option
    assert "unrecognized arguments: --password" in refused.stderr


def test_help_explains_every_option():
    result = subprocess.run([*TOOL, "--help"], capture_output=True, text=True, check=True)

    for option in [
        "--base-url",
        "--username",
        "--password-env",
        "--cluster",
        "--project",
        "--tenant",
        "--gateway",
        "--expect",
        "--keep",
        "--api-key-env",
        "--junit",
        "--evidence",
    ]:
        assert option in result.stdout
    assert "Exit status: 0 when every procedure holds" in " ".join(result.stdout.split())

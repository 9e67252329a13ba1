"""`manage.py create_api_key USERNAME --tenant NAME [--name NAME] [--days N]`: for scripts and
tests, it prints the new key alone on its last line."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from settings_app.models import ApiKey


def create(*args: str) -> str:
    out = StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_new_key_alone_on_its_last_line(demo, palette):
    output = create("tenant-admin", "--tenant", "Acme", "--name", "ci-freeze", "--days", "7")

    key = output.rstrip("\n").splitlines()[-1]
    row = ApiKey.find(key)
    assert (row.user.username, row.tenant.name, row.name) == ("tenant-admin", "Acme", "ci-freeze")
    assert palette(key).get("/v1/spectroclusters/upgrade/settings").status_code == 200


def test_the_key_expires_after_the_days_given(demo, clock):
    output = create("viewer", "--tenant", "Acme", "--days", "60")

    row = ApiKey.find(output.splitlines()[-1])
    assert row.expires_at == clock.now + timedelta(days=60)
    assert row.name == "command-line"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["viewer", "--tenant", "Globex"], "holds no role in a tenant named 'Globex'"),
        (["nobody", "--tenant", "Acme"], "No active user 'nobody'"),
        (["viewer", "--tenant", "Acme", "--days", "0"], "--days must be from 1 to 365"),
        (["viewer", "--tenant", "Acme", "--days", "366"], "--days must be from 1 to 365"),
    ],
)
def test_it_refuses_what_the_page_would_refuse(demo, args, says):
    with pytest.raises(CommandError, match=says):
        create(*args)
    assert not ApiKey.objects.exists()

"""--api-key-env: read each scope through the console's API (Palette's operations, /v1/) with an
API key, and check that the API says what the page showed. A disagreement fails the step "The API
agrees" (exit 1); an API that cannot be used at all (unreachable, key refused) stops the run
(exit 2). The standard library only: urllib, json, ssl."""

from __future__ import annotations

import json
import re
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import steps

FORBIDDEN = "spectroComponentsUpgradeForbidden"
STEP = "The API agrees"
TIMEOUT_S = 15
USER_AGENT = "settings_app.validation"


class ApiUnusable(Exception):
    """The API cannot be used at all: the run stops with exit 2 and this message."""


@dataclass
class Answer:
    status: int
    body: Any


@dataclass
class Client:
    """GETs to the console's /v1/ with `ApiKey: <key>`, every answer kept in `evidence`."""

    base_url: str
    key: str
    key_env: str
    insecure: bool = False
    evidence: Path | None = None
    _count: int = field(default=0, init=False)

    def get(self, path: str, *, project_uid: str | None = None, label: str = "") -> Answer:
        url = self.base_url.rstrip("/") + path
        headers = {"ApiKey": self.key, "Accept": "application/json", "User-Agent": USER_AGENT}
        if project_uid:
            headers["ProjectUid"] = project_uid
        context = None
        if self.insecure:  # --ignore-https-errors: as the browser, accept any certificate
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), _SameHostRedirects()
        )
        for attempt in range(3):
            request = urllib.request.Request(url, headers=headers, method="GET")
            try:
                with opener.open(request, timeout=TIMEOUT_S) as r:
                    answer = Answer(r.status, _json(r.read()))
            except urllib.error.HTTPError as error:
                answer = Answer(error.code, _json(error.read()))
                if error.code == 429 and attempt < 2:  # a rate limit: wait as told
                    time.sleep(min(float(error.headers.get("Retry-After") or 1), 10))
                    continue
            except (urllib.error.URLError, OSError) as error:
                reason = getattr(error, "reason", error)
                hint = (
                    " (a certificate the tool does not trust: --ignore-https-errors accepts it)"
                    if isinstance(reason, ssl.SSLCertVerificationError)
                    else ""
                )
                raise ApiUnusable(
                    f"The console's API at {url} could not be reached: {reason}{hint}."
                ) from error
            break
        self._keep(path, project_uid, label, answer)
        if answer.status == 401:
            raise ApiUnusable(
                f"The console refused the API key in {self.key_env} ({_code(answer)}): it is "
                "unknown, expired or revoked. Make a key on My API Keys (or with manage.py "
                "create_api_key USERNAME --tenant NAME) and put it in the variable."
            )
        return answer

    def _keep(self, path: str, project_uid: str | None, label: str, answer: Answer) -> None:
        """The answer, without the key, as evidence."""
        if self.evidence is None:
            return
        self._count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", (label or path).lower()).strip("-")
        record = {
            "request": {
                "method": "GET",
                "url": self.base_url.rstrip("/") + path,
                "headers": {"ApiKey": "(the key in " + self.key_env + ")"}
                | ({"ProjectUid": project_uid} if project_uid else {}),
            },
            "status": answer.status,
            "body": answer.body,
        }
        name = f"api-{self._count:02d}-{slug}.json"
        (self.evidence / name).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect on the same host (http:// to https:// on a console that redirects to
    HTTPS), never to another host: urllib would send it the key."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).hostname != urlsplit(req.full_url).hostname:
            raise ApiUnusable(
                f"The console's API at {req.full_url} redirected to another host ({newurl}); "
                "the key is not sent there. Give that address as --base-url if it is the console."
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode("utf-8", "replace")[:500]


def _code(answer: Answer) -> str:
    body = answer.body
    if isinstance(body, dict) and body.get("code"):
        return f"{answer.status} {body['code']}"
    return str(answer.status)


def preflight(client: Client) -> None:
    """One read before anything else, so that a wrong address or a refused key stops the run
    (ApiUnusable) instead of failing every scope. 403 is fine: the key works, the tenant scope
    is only for Tenant Admins."""
    answer = client.get("/v1/spectroclusters/upgrade/settings", label="preflight")
    if answer.status == 404 or not isinstance(answer.body, dict):
        raise ApiUnusable(
            f"No API at {client.base_url}/v1/ ({_code(answer)}): check --base-url, the "
            "console's address without /v1."
        )


def compare(client: Client, target, page_paused: bool, uid: str) -> None:
    """The step "The API agrees": the API's value of `target` is the one the page showed.
    `uid` is the cluster's or project's uid as its page shows it ('' for a tenant)."""
    shown = "lock" if page_paused else "unlock"
    with steps.step(STEP, "the API could not be read") as looking:
        if target.kind == "cluster":
            looking.missing = f"GET /v1/spectroclusters/{uid}"
            cluster = _ok(client.get(f"/v1/spectroclusters/{uid}", label=f"{target} cluster"))
            metadata = cluster.get("metadata") or {}
            _same("the cluster's name", metadata.get("name"), target.name, looking.missing)
            forbidden = (metadata.get("annotations") or {}).get(FORBIDDEN)
            _same(
                f"annotation {FORBIDDEN}",
                forbidden,
                "true" if page_paused else "false",
                looking.missing,
            )
            looking.missing = f"GET /v1/spectroclusters/{uid}/upgrade/settings"
            path = f"/v1/spectroclusters/{uid}/upgrade/settings"
            setting = _ok(client.get(path, label=f"{target} setting"))
            _same("spectroComponents", setting.get("spectroComponents"), shown, looking.missing)
        elif target.kind == "project":
            looking.missing = f"GET /v1/projects/{uid}"
            project = _ok(client.get(f"/v1/projects/{uid}", label=f"{target} project"))
            name = (project.get("metadata") or {}).get("name")
            _same("the project's name", name, target.name, looking.missing)
            looking.missing = "GET /v1/spectroclusters/upgrade/settings with ProjectUid"
            setting = _ok(
                client.get(
                    "/v1/spectroclusters/upgrade/settings",
                    project_uid=uid,
                    label=f"{target} setting",
                )
            )
            _same("spectroComponents", setting.get("spectroComponents"), shown, looking.missing)
        else:
            looking.missing = "GET /v1/spectroclusters/upgrade/settings (the key's tenant)"
            setting = _ok(
                client.get("/v1/spectroclusters/upgrade/settings", label=f"{target} setting")
            )
            _same("spectroComponents", setting.get("spectroComponents"), shown, looking.missing)


def _ok(answer: Answer) -> dict:
    if answer.status == 200 and isinstance(answer.body, dict):
        return answer.body
    why = {
        403: "the key's user may not read it",
        404: "not found with the key (another tenant's key, or a user who cannot see it)",
    }.get(answer.status, "an unexpected answer")
    raise AssertionError(f"{_code(answer)}: {why}")


def _same(what: str, api_says: Any, page_shows: str, request: str) -> None:
    if api_says != page_shows:
        raise steps.StepFailed(
            STEP, f"{request}: the API says {what} is {api_says!r}, the page showed {page_shows!r}"
        )

"""The API (/v1/): Palette API v1's requests for pausing agent upgrades, answered as Palette
answers them, so that a script written for Palette works against the console with only the host
and the key changed; and more than Palette offers (DESIGN.md §7).

Built on django-ninja: typed schemas (`schemas`) from which the OpenAPI document at
/v1/openapi.json is generated, header API-key auth (`auth`), one handler per kind of error
(`errors`). The operations are thin: they call the permissions module's API helpers, the rules
and the wording, as the console's views do. The reference page at /v1/docs and the OpenAPI
document need no key; every operation does.
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from . import audits, edgehosts, notices, overlords, projects, spectroclusters, windows
from .auth import ApiKey
from .errors import HANDLERS
from .parsing import JsonBodyParser

api = NinjaAPI(
    title="Pause Agent Upgrades console API",
    version="v1",
    description="Palette API v1's operations for pausing agent upgrades (Palette APIs - 4.8), "
    "and the console's additions. Every operation takes the header `ApiKey: <key>` (make one "
    "on [My API Keys](/account/api-keys/) in the console) and, to work in a project, "
    "`ProjectUid: <project uid>`. "
    "Errors are JSON: `{code, message, ref, details}`.",
    auth=ApiKey(),
    parser=JsonBodyParser(),
    # No online validator badge: the page loads nothing from elsewhere. No deep links: Swagger
    # UI puts each operation's link inside its summary button (axe: nested-interactive).
    docs=Swagger(
        settings={"validatorUrl": None, "persistAuthorization": False, "deepLinking": False}
    ),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
for exception, handler in HANDLERS:
    api.add_exception_handler(exception, handler)
api.add_router("", spectroclusters.router)
api.add_router("", projects.router)
api.add_router("", audits.router)
api.add_router("", windows.router)
api.add_router("", notices.router)
api.add_router("", overlords.router)
api.add_router("", edgehosts.router)

__all__ = ["api"]

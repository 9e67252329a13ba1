"""The API's refusals, in words a person reading a script's log can act on, and the API keys' questions."""

from __future__ import annotations

from ..models import Tenant

# The API (/v1/): what each refusal says, so that a person reading a script's log knows what to
# do next. The codes are Palette's.

API_MESSAGES = {
    "AuthRequired": "Send your API key in the ApiKey header (ApiKey: <key>, with no prefix). "
    "Make one on My API Keys in the console.",
    "InvalidApiKey": "This API key is not valid: it is unknown, expired or revoked. Make a new "
    "one on My API Keys in the console, or ask its owner to activate it.",
    "Forbidden": "Your roles let you see this but not change it. Nothing was changed.",
    "ResourceNotFound": "Nothing with this uid in your API key's tenant that your roles let "
    "you see. Check the uid; nothing was changed.",
    "MethodNotAllowed": "This path does not take {method}. It takes {allowed}.",
    "UnsupportedMediaType": "Send the body as JSON, with the header Content-Type: "
    "application/json. Nothing was changed.",
    "TooManyRequests": "Too many requests with your API keys: at most {rate} a second, in bursts "
    "of {burst}, for all of a user's keys together. Wait {seconds} s (Retry-After) and send it "
    "again; nothing was changed.",
    # Not a code of its own: the words of a TooManyRequests for an address sending wrong keys.
    "TooManyWrongKeys": "Too many requests with a wrong API key from your address: at most "
    "{most} a minute. Check the key you send, wait {seconds} s (Retry-After) and send it again; "
    "nothing was changed.",
    "InvalidRequest": "The request could not be read. Nothing was changed.",
    "InternalError": "The console failed to answer. Nothing was changed that you were not told "
    "of; try again, and tell the console's administrators if it happens again.",
}
SPECTRO_COMPONENTS = (
    'Send {"spectroComponents": "lock"} to pause agent upgrades, or "unlock" to resume them.'
)

RESUME_WITH_PAUSE = (
    'A resume ("spectroComponents": "unlock") carries no reason or end: send "reason" and '
    '"until" only with "lock", or leave them out to resume. Nothing was changed.'
)


def tenant_scope_refused(tenant: Tenant) -> str:
    return (
        f"Only a Tenant Admin of {tenant.name} can read or change the tenant's setting or list "
        "all its clusters. To work in a project, send the header ProjectUid with its uid. "
        "Nothing was changed."
    )


def api_message(code: str, **facts) -> str:
    return API_MESSAGES[code].format(**facts)


# API keys, on My API Keys and on the API Keys of Tenant Settings.

KEY_ACTIONS = {"revoke": "Revoke", "activate": "Activate", "delete": "Delete"}


def key_action(action: str) -> str:
    return KEY_ACTIONS[action]


def key_question(key, action: str, *, by_owner: bool) -> str:
    """What the confirm dialog (or page) asks before a key is revoked, activated or deleted.
    A key its owner revokes stays revoked; one a Tenant Admin revokes may come back."""
    name = f"API key {key.name} ({key.prefix}…) of {key.user.get_username()}"
    if by_owner:
        after = "it cannot be activated again: make a new key to replace it."
    else:
        after = "only a Tenant Admin can activate it again, not its owner."
    return {
        "revoke": f"Revoke {name}? Scripts that use it are refused from their next request, and "
        + after,
        "activate": f"Activate {name}? Scripts that use it work again, with its owner's roles "
        "in tenant " + key.tenant.name + ".",
        "delete": f"Delete {name}? Scripts that use it are refused from their next request; "
        "this cannot be undone.",
    }[action]


def key_standing(key) -> str:
    """Under a revoked key's state: who revoked it, and so whether it may come back."""
    if key.active:
        return ""
    if key.may_be_activated:
        return "By a Tenant Admin; a Tenant Admin may activate it."
    return "By its owner, for good."


def key_done(key, action: str) -> str:
    done = {"revoke": "revoked", "activate": "activated", "delete": "deleted"}[action]
    return f"API key {key.name} ({key.prefix}…) {done}."


# Gateways (the API's /v1/overlords).


def gateways_refused(tenant: Tenant) -> str:
    return (
        f"Only a Tenant Admin of {tenant.name} can list its Private Cloud Gateways: they are "
        "the tenant's, not a project's. Nothing was changed."
    )

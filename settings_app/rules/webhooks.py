"""Webhooks that a receiver can trust and that cannot be aimed inside: the signature, the check
of where a URL leads (when saved and again when sent), and one POST to the address checked,
with a timeout and no redirects followed."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SIGNATURE_HEADER = "X-Console-Signature"
# Metadata services that are not link-local (AWS's IPv6 one, Alibaba's, Oracle's …).
METADATA = {
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("192.0.0.192"),
}


class RefusedURL(ValueError):
    """A webhook URL that may not be used: malformed, not https, or leading to an address
    inside (loopback, private, link-local, metadata)."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def allowed_private(host: str) -> bool:
    return host.lower() in {h.lower() for h in settings.NOTICE_PRIVATE_HOSTS}


def _inside(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address in METADATA or address.is_multicast


@dataclass(frozen=True)
class Target:
    """Where a checked URL leads: its parts, and the address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def check_url(url: str) -> Target:
    """Resolve the URL's host and refuse it (RefusedURL, saying why) unless every address it
    resolves to is public, or the host is one of NOTICE_PRIVATE_HOSTS. Nothing is connected."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedURL("The URL is not valid.") from None
    host = parts.hostname or ""
    private_ok = allowed_private(host)
    if parts.scheme != "https" and not (private_ok and parts.scheme == "http"):
        raise RefusedURL("A webhook URL must start with https://.")
    if not host or parts.username or parts.password:
        raise RefusedURL("A webhook URL needs a host name, and no user name or password in it.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedURL(f"The host {host} could not be found.") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    if not addresses:
        raise RefusedURL(f"The host {host} could not be found.")
    if not private_ok and any(_inside(a) for a in addresses):
        raise RefusedURL(
            f"The host {host} leads to a private, loopback, link-local or metadata address, "
            "which webhooks may not reach."
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, str(addresses[0]))


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the address that was checked (not a second look-up), verifying the host's
    certificate by its name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        sock = socket.create_connection((self.target.address, self.port), self.timeout)
        self.sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        self.sock = socket.create_connection((self.target.address, self.port), self.timeout)


@dataclass(frozen=True)
class Answer:
    status: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body` to the webhook, checked again at sending; a redirect is an answer like any
    other (not followed), and only 2xx counts as delivered."""
    try:
        target = check_url(url)
    except RefusedURL as refused:
        return Answer(error=f"Refused: {refused}")
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(4096)  # enough to finish a short answer; the rest is not ours to wait for
        return Answer(status=response.status)
    except TimeoutError:
        return Answer(error=f"No answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as failure:
        return Answer(error=f"Could not connect: {failure.__class__.__name__}: {failure}"[:300])
    finally:
        connection.close()

"""Webhook URLs that lead inside are refused (README, Notices › SSRF): when saved and again when
sent, before any connection is made. Name resolution is stubbed, and any connection attempt
fails the test: nothing here sends traffic anywhere."""

from __future__ import annotations

import socket

import pytest

from settings_app.rules import webhooks
from settings_app.rules.webhooks import RefusedURL, check_url


@pytest.fixture
def resolves_to(monkeypatch):
    """`resolves_to("10.0.0.5", …)`: every host name resolves to those addresses; connecting
    anywhere fails the test."""

    def stub(*addresses: str) -> list[str]:
        def getaddrinfo(host, port, *args, **kwargs):
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in addresses
            ]

        monkeypatch.setattr(webhooks.socket, "getaddrinfo", getaddrinfo)
        return connections

    connections: list = []

    def no_connection(*args, **kwargs):
        connections.append(args)
        raise AssertionError("a refused URL was connected to")

    monkeypatch.setattr(webhooks.socket, "create_connection", no_connection)
    return stub


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "::1",
        "10.1.2.3",  # private
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # link-local: the cloud metadata service
        "fd00:ec2::254",  # AWS's metadata over IPv6
        "100.100.100.200",  # Alibaba's metadata
        "::ffff:10.0.0.1",  # a private IPv4 address dressed as IPv6
        "0.0.0.0",
    ],
)
def test_a_host_that_resolves_inside_is_refused(resolves_to, address):
    resolves_to(address)

    with pytest.raises(RefusedURL, match="private, loopback, link-local or metadata"):
        check_url("https://hooks.example.com/ops")


def test_a_literal_private_address_is_refused_too(resolves_to):
    resolves_to("10.0.0.7")

    with pytest.raises(RefusedURL):
        check_url("https://10.0.0.7/hook")


def test_a_name_with_one_private_address_among_public_ones_is_refused(resolves_to):
    resolves_to("93.184.215.14", "10.0.0.7")

    with pytest.raises(RefusedURL):
        check_url("https://hooks.example.com/ops")


def test_a_public_address_is_accepted_and_pinned(resolves_to):
    resolves_to("93.184.215.14")

    target = check_url("https://hooks.example.com:8443/ops?team=a")

    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example.com",
        8443,
        "/ops?team=a",
        "93.184.215.14",
    )


def test_plain_http_is_refused(resolves_to):
    resolves_to("93.184.215.14")

    with pytest.raises(RefusedURL, match="https://"):
        check_url("http://hooks.example.com/ops")


def test_a_host_named_in_the_setting_may_be_private_and_plain_http(resolves_to, settings):
    settings.NOTICE_PRIVATE_HOSTS = ["receiver.internal"]
    resolves_to("10.0.0.7")

    assert check_url("http://receiver.internal:8080/hook").address == "10.0.0.7"
    with pytest.raises(RefusedURL):
        check_url("https://other.internal/hook")


def test_sending_checks_again_and_refuses_before_connecting(resolves_to):
    # Saved while it resolved to a public address; now it resolves inside (DNS rebinding).
    connections = resolves_to("169.254.169.254")

    answer = webhooks.post("https://hooks.example.com/ops", b"{}", {}, timeout=1)

    assert not answer.ok
    assert answer.error.startswith("Refused: The host hooks.example.com leads to a private")
    assert connections == []

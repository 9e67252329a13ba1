"""The gateways and Edge hosts of the API's permission rows (tests/who_may_do_what.py, "api
gateway" and "api edge host"), beside the small world of tests/factories.py: a gateway of each
tenant, and an Edge host for each kind of object seen from prod-east."""

from __future__ import annotations

from settings_app import rules
from settings_app.models import EdgeHost, Gateway
from tests.factories import World
from tests.who_may_do_what import OTHER_PROJECT, OTHER_TENANT, OWN, SIBLING

GATEWAYS = {OWN: "pcg-acme", OTHER_TENANT: "pcg-globex"}
HOSTS = {
    OWN: "host-prod-east",  # part of prod-east
    SIBLING: "host-default",  # in no cluster, in Acme / Default
    OTHER_PROJECT: "host-edge",  # in no cluster, in Acme / Edge
    OTHER_TENANT: "host-globex",  # in no cluster, in Globex / Default
}


def add_world_agents(world: World) -> None:
    """Register them, as the console registers gateways and hosts (nothing is audited), and
    keep them on the world as registered (`gateway_of`, `edge_host_of`)."""
    world.gateways = {
        OWN: rules.new_gateway(world.acme, GATEWAYS[OWN]),
        OTHER_TENANT: rules.new_gateway(world.globex, GATEWAYS[OTHER_TENANT]),
    }
    world.edge_hosts = {
        OWN: rules.new_edge_host(world.default, HOSTS[OWN], cluster=world.prod_east),
        SIBLING: rules.new_edge_host(world.default, HOSTS[SIBLING]),
        OTHER_PROJECT: rules.new_edge_host(world.edge, HOSTS[OTHER_PROJECT]),
        OTHER_TENANT: rules.new_edge_host(world.globex_default, HOSTS[OTHER_TENANT]),
    }


def gateway_of(world: World, obj: str) -> Gateway | None:
    """The gateway the table's object names; None for a missing one."""
    return world.gateways.get(obj)


def edge_host_of(world: World, obj: str) -> EdgeHost | None:
    return world.edge_hosts.get(obj)

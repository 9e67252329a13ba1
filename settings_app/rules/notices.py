"""Notices written with their cause: `emit` puts one in the outbox, in the caller's transaction
(a change that rolls back sends nothing), with a delivery for each destination that wants it;
each cause calls its one function here (`reminders` writes those of time passing)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Model, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from ..models import ApiKey, Cluster, EdgeHost, Gateway, Project, Tenant, paused_now
from ..models.notices import Delivery, Destination, Event, Notice
from ..permissions.scopes import ScopeRef


def link(obj: Model) -> str:
    """The console's page of a tenant, project, cluster, gateway, Edge host or API key, as an
    absolute URL."""
    if isinstance(obj, Cluster):
        path = reverse("cluster_detail", args=[ScopeRef("projects", obj.project_id), obj.pk])
    elif isinstance(obj, Gateway):
        path = reverse("gateway_detail", args=[obj.tenant_id, obj.pk])
    elif isinstance(obj, EdgeHost):
        path = reverse("edge_host_detail", args=[ScopeRef("projects", obj.project_id), obj.pk])
    elif isinstance(obj, Project):
        path = reverse("project_settings", args=[obj.pk])
    elif isinstance(obj, ApiKey):
        path = reverse("tenant_api_keys", args=[obj.tenant_id])
    else:
        path = reverse("tenant_settings", args=[obj.pk])
    return settings.CONSOLE_URL.rstrip("/") + path


def described(obj: Model, kind: str = "") -> dict:
    """An object as a notice names it: kind, uid, name and console link."""
    kind = kind or type(obj).__name__.lower()
    uid = getattr(obj, "uid", None) or getattr(obj, "prefix", "")  # a key is named by its prefix
    return {"kind": kind, "uid": uid, "name": getattr(obj, "name", str(obj)), "link": link(obj)}


def listening(event: str) -> Exists:
    """Whether the tenant (OuterRef) has a destination that may want `event`, as SQL to read
    with the tenant (a change that reads its tenant anyway then costs no statement more when
    nobody listens; `emit` still asks each destination)."""
    return Exists(Destination.objects.filter(tenant_id=OuterRef("pk"), events__contains=event))


def tenants_wanting(tenant_ids, event: str) -> set[int]:
    """Which of these tenants have a destination that wants `event`: one query, so that a
    cause that reaches many tenants costs nothing more when none is listening."""
    rows = Destination.objects.filter(tenant_id__in=tenant_ids, events__contains=event)
    return {
        tenant_id
        for tenant_id, events in rows.values_list("tenant_id", "events")
        if event in events.split(",")
    }


def emit(
    tenant: Tenant | int,
    event: Event | str,
    text: str,
    *,
    objects: list[dict] = (),
    counts: dict | None = None,
    key: str = "",
    at: datetime | None = None,
    to: Destination | None = None,
) -> Notice | None:
    """Write a notice to the outbox in the caller's transaction, with a delivery to each of the
    tenant's destinations that wants `event`. With `key`, a notice of that key written before
    is not written again (None). Nothing is written when no destination wants it. `to`: to
    that destination only (a test notice)."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    destinations = [to] if to else Destination.objects.filter(tenant_id=tenant_id)
    wanting = [d for d in destinations if to or d.wants(event)]
    if not wanting:
        return None
    at = at or timezone.now()
    notice = Notice(
        tenant_id=tenant_id,
        event=event,
        key=key,
        created_at=at,
        payload={"objects": list(objects), "counts": counts or {}, "text": text},
    )
    try:
        with transaction.atomic():  # a savepoint: a key met twice leaves the caller's intact
            notice.save()
    except IntegrityError:
        if key:
            return None
        raise
    Delivery.objects.bulk_create(
        Delivery(notice=notice, destination=d, next_attempt_at=at) for d in wanting
    )
    return notice


# The causes, each one call from the rule that makes it.


def _by(actor, api_key_name: str = "") -> str:
    name = actor.get_username() if actor else "the system"
    return f"{name} (API key {api_key_name})" if api_key_name else name


def _clusters(count: int) -> str:
    return f"{count} cluster" + ("" if count == 1 else "s")


def tenant_pushed(change, *, actor, api_key_name: str = "") -> None:
    """A tenant-wide push: by whom, the value, and how many clusters it wrote."""
    tenant, value = change.target, str(change.value)
    emit(
        tenant,
        Event.TENANT_PUSH,
        f"{_by(actor, api_key_name)} set agent upgrades to {value} for all of tenant "
        f"{tenant.name} ({_clusters(change.clusters_written)})",
        objects=[described(tenant)],
        counts={"clustersWritten": change.clusters_written, "value": value},
    )


def window_started(window, occurrence, clusters: int) -> None:
    emit(
        window.tenant_id,
        Event.WINDOW_STARTED,
        f"Freeze window {window.name} started: {window.scope} {window.target.name} is paused "
        f"until {occurrence.ends_at:%Y-%m-%d %H:%M} UTC ({_clusters(clusters)})",
        objects=[described(window.target, window.scope)],
        counts={"clustersPaused": clusters, "endsAt": occurrence.ends_at.isoformat()},
    )


def window_ended(window, restored: int, handed_over: int, left_alone: int) -> None:
    """A window's end, with what it left alone (changed by a person or the API meanwhile)."""
    text = f"Freeze window {window.name} ended: {_clusters(restored)} put back as they were"
    if handed_over:
        text += f", {handed_over} still held by another window"
    if left_alone:
        text += f", {_clusters(left_alone)} left alone (changed while it held them)"
    emit(
        window.tenant_id,
        Event.WINDOW_ENDED,
        text,
        objects=[described(window.target, window.scope)],
        counts={"restored": restored, "handedOver": handed_over, "leftAlone": left_alone},
    )


def pauses_ended(found: list[tuple], wanting: set[int] | None = None) -> None:
    """Pauses whose end has passed, resumed by the sweep: one notice per tenant. `found`: rows
    of (kind, name, uid, id, tenant id, project id); `wanting`: the tenants listening, when
    the caller has read them."""
    by_tenant: dict[int, list[tuple]] = {}
    for row in found:
        by_tenant.setdefault(row[4], []).append(row)
    if wanting is None:
        wanting = tenants_wanting(by_tenant, Event.PAUSE_ENDED) if by_tenant else set()
    for tenant_id, rows in by_tenant.items():
        if tenant_id not in wanting:
            continue
        objects = [_ended_object(*row) for row in rows]
        names = ", ".join(o["name"] for o in objects[:5]) + (", …" if len(objects) > 5 else "")
        emit(
            tenant_id,
            Event.PAUSE_ENDED,
            f"The pause of {names} has ended: agent upgrades resumed",
            objects=objects,
            counts={"objects": len(objects)},
        )


def _ended_object(kind: str, name: str, uid: str, pk: int, tenant_id: int, project_id) -> dict:
    """A row of the sweep's (`expiry._named`), described as a notice names it."""
    model = {
        "tenant": Tenant,
        "project": Project,
        "cluster": Cluster,
        "gateway": Gateway,
        "host": EdgeHost,
    }[kind]
    obj = model(pk=pk, uid=uid, name=name)
    if kind in ("cluster", "host"):
        obj.project_id = project_id
    elif kind == "gateway":
        obj.tenant_id = tenant_id
    return described(obj)


def release_made(release, by_project, ended: list[tuple], now: datetime) -> None:
    """A release: the pauses it ended first, and the clusters it held back, one notice per
    tenant each: how many, in which projects, and which agent versions they are behind on
    (`by_project`: the rollout's counts). Who listens is read once for both."""
    tenants = {p.tenant_id for p in by_project if p.held_back} | {row[4] for row in ended}
    if not tenants:
        return
    rows = Destination.objects.filter(tenant_id__in=tenants).values_list("tenant_id", "events")
    listening: dict[int, set[str]] = {}
    for tenant_id, events in rows:
        listening.setdefault(tenant_id, set()).update(events.split(","))
    if ended:
        pauses_ended(ended, {t for t, e in listening.items() if Event.PAUSE_ENDED in e})
    wanting = {t for t, e in listening.items() if Event.RELEASE_HELD_BACK in e}
    held = [p for p in by_project if p.held_back and p.tenant_id in wanting]
    if not held:
        return
    projects = Project.objects.in_bulk([p.project_id for p in held])
    behind: dict[int, dict[str, int]] = {}
    for row in (
        Cluster.objects.filter(paused_now(now) & ~Q(agent_version=release.agent_version))
        .filter(tenant_id__in={p.tenant_id for p in held})
        .values("tenant_id", "agent_version")
        .annotate(n=Count("pk"))
        .order_by("agent_version")
    ):
        behind.setdefault(row["tenant_id"], {})[row["agent_version"]] = row["n"]
    for tenant_id in sorted({p.tenant_id for p in held}):
        mine = [p for p in held if p.tenant_id == tenant_id]
        count = sum(p.held_back for p in mine)
        emit(
            tenant_id,
            Event.RELEASE_HELD_BACK,
            f"Release {release.version} held back {_clusters(count)} in "
            f"{', '.join(p.project for p in mine)}: paused, {'it stays' if count == 1 else 'they stay'} behind agent "
            f"{release.agent_version}",
            objects=[{**described(projects[p.project_id]), "heldBack": p.held_back} for p in mine],
            counts={
                "heldBack": count,
                "version": release.version,
                "agentVersion": release.agent_version,
                "behind": behind.get(tenant_id, {}),
            },
            at=now,
        )


def key_changed(key: ApiKey, what: str, actor) -> None:
    """An API key created or revoked (activated and deleted send nothing)."""
    event = {"created": Event.KEY_CREATED, "revoked": Event.KEY_REVOKED}.get(what)
    if event:
        emit(
            key.tenant_id,
            event,
            f"API key {key.name} ({key.prefix}…) of {key.user.get_username()} {what} by "
            f"{_by(actor) if actor else 'the command line'}",
            objects=[described(key, "apikey")],
        )

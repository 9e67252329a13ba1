"""The API's schemas. Where Palette's OpenAPI document ("Palette APIs - 4.8") defines a field,
the field has its name and type; the OpenAPI document at /v1/openapi.json is generated from
these classes, so it cannot drift from what the operations answer. Fields Palette has and the
console has no data for are left out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, WithJsonSchema

from ..rules.writes import INVISIBLE, REASON_MAX_LENGTH

SpectroComponents = Literal["lock", "unlock"]
# The annotation that Palette's clients read on a cluster: whether its agent upgrades are paused.
FORBIDDEN = "spectroComponentsUpgradeForbidden"


# What the server checks beyond a field's type, said in the document (the checks themselves stay
# where they give their own messages: parsing.py and the rules). WithJsonSchema documents a type
# without validating it.

# ProjectUid: an empty (or blank) header is refused rather than read as the tenant scope.
ProjectUidText = Annotated[
    str, WithJsonSchema({"type": "string", "minLength": 1, "pattern": r"\S"})
]
# An RFC 3339 date and time with its offset (parsing.rfc3339).
DateTimeText = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


def limit_up_to(most: int) -> Any:
    """A page's `limit`, from 1 to `most` (parsing.positive_limit)."""
    return Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": most})]


def _refused_characters() -> str:
    """The characters a reason may not hold (rules.pause_for), as a regex class's ranges:
    control characters, line and paragraph separators, the invisible characters that change how
    text reads, and noncharacters. (Halves of characters, refused too, are left out: a pattern
    cannot name them.) Beyond the first plane the noncharacters are the characters themselves,
    as the JSON of the document carries them."""
    ranges = [(0x00, 0x1F), (0x7F, 0x9F), (0x2028, 0x2029), (0xFDD0, 0xFDEF), (0xFFFE, 0xFFFF)]
    ranges += [(ord(c), ord(c)) for c in INVISIBLE]
    bmp = "".join(
        f"\\u{low:04x}" + (f"-\\u{high:04x}" if high > low else "") for low, high in sorted(ranges)
    )
    return bmp + "".join(
        chr(plane << 16 | low) for plane in range(1, 17) for low in (0xFFFE, 0xFFFF)
    )


# A pause's reason: plain text on one line, at most REASON_MAX_LENGTH characters once trimmed.
REASON_WITH_LOCK = {
    "type": "string",
    "maxLength": REASON_MAX_LENGTH,
    "pattern": f"^[^{_refused_characters()}]*$",
}
# A resume carries no reason (an empty one is no reason) and no end: either is refused with 400.
WITH_UNLOCK = {
    "reason": {"anyOf": [{"type": "string", "maxLength": 0}, {"type": "null"}]},
    "until": {"type": "null"},
}


class Error(Schema):
    """Palette's v1Error. `code` names the kind of refusal (InvalidRequest, AuthRequired,
    InvalidApiKey, Forbidden, ResourceNotFound, MethodNotAllowed, UnsupportedMediaType,
    TooManyRequests, InternalError); `message` says what to do; `ref` names the operation that
    answered; `details` may say more (the fields at fault, the seconds to wait)."""

    code: str
    message: str
    ref: str
    details: dict[str, Any]


class ClusterUpgradeSettingsEntity(Schema):
    """Palette's v1ClusterUpgradeSettingsEntity: `lock` (agent upgrades paused) or `unlock`."""

    spectroComponents: SpectroComponents


class ClusterUpgradeSettingsChange(Schema):
    """What a POST sends: Palette's v1ClusterUpgradeSettingsEntity, and beyond Palette a pause's
    reason and end, checked as the console's dialog checks them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {
                "properties": {"spectroComponents": {"const": "lock"}},
                "required": ["spectroComponents"],
            },
            "then": {"properties": {"reason": {"anyOf": [REASON_WITH_LOCK, {"type": "null"}]}}},
            "else": {"properties": WITH_UNLOCK},
        },
    )

    spectroComponents: SpectroComponents
    reason: str | None = Field(
        None,
        description="Why agent upgrades are paused (with lock only; a resume refuses one): "
        f"plain text on one line, at most {REASON_MAX_LENGTH} characters.",
    )
    until: DateTimeText | None = Field(
        None,
        description="When the pause ends by itself (with lock only): an RFC 3339 date and time "
        "with its offset, in the future (a time already past is refused with 400), "
        "e.g. 2026-12-01T18:00:00Z.",
    )


class ClusterUpgradeSettingsDetail(Schema):
    """Beyond Palette: one cluster's (or gateway's, or Edge host's) value with where it came
    from. `setVia` is the scope whose change wrote it (`cluster`: set on the object itself, a
    cluster or a gateway; or `expiry`, a pause that ended); all but `spectroComponents` are null
    while the value is still the default."""

    spectroComponents: SpectroComponents
    until: datetime | None
    reason: str | None
    setVia: Literal["cluster", "project", "tenant", "expiry"] | None
    setBy: str | None = Field(description="The username of whoever set it.")
    setWithKey: str | None = Field(
        description="The name of the API key the value was set through; null for a change "
        "made in the console."
    )
    setAt: datetime | None
    freezeWindow: str | None = Field(
        description="Beyond Palette: the name of the freeze window holding the value, while "
        "one does; null otherwise."
    )


class ChangeImpact(Schema):
    """Beyond Palette: what a change would do (`?dryRun=true`), the figures the console's
    confirm dialog states. Nothing is written."""

    clusters: int = Field(description="Clusters whose value the change writes.")
    projects: int = Field(description="Projects holding them.")
    overwritten: int = Field(description="Of them, values set below the scope, overwritten.")
    agentsToUpgrade: int = Field(
        description="Agents held back by a pause that resuming upgrades at once."
    )
    agentVersion: str = Field(description="The platform's agent version they would get.")
    gateways: int = Field(
        description="Gateways whose value the change writes: every gateway of the tenant for "
        "a tenant's push, the one for a gateway's own change, none otherwise."
    )
    edgeHosts: int = Field(
        description="Edge hosts in no cluster whose value the change writes (a project's or a "
        "tenant's push); a host in a cluster follows its cluster and is not written."
    )


class ObjectMeta(Schema):
    """Palette's v1ObjectMeta."""

    uid: str
    name: str
    annotations: dict[str, str] | None = None
    labels: dict[str, str] | None = None
    creationTimestamp: datetime | None = None
    lastModifiedTimestamp: datetime | None = None


class SpectroClusterMetaStatus(Schema):
    state: str


class SpectroClusterStatus(Schema):
    state: str | None = None


class HoldingWindow(Schema):
    """Beyond Palette: a freeze window running over a cluster."""

    uid: str
    name: str
    scope: Literal["tenant", "project", "cluster"] = Field(
        description="Where the window belongs: the cluster, its project or its tenant."
    )
    endsAt: datetime = Field(description="When this run of the window ends.")
    holdsValue: bool = Field(
        description="Whether this window holds the cluster's value now (its pause wrote it); "
        "the others hold the cluster too and take it over when that one ends. A change by a "
        "person or the API takes the cluster out of every hold: then none does."
    )


class SpectroCluster(Schema):
    """Palette's v1SpectroCluster: the annotation spectroComponentsUpgradeForbidden is "true"
    while the cluster's pause holds, "false" otherwise. Its spec is empty: the console keeps
    nothing of Palette's cluster spec."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: dict[str, Any]
    status: SpectroClusterStatus
    freezeWindows: list[HoldingWindow] = Field(
        description="Beyond Palette: every freeze window running over the cluster now (its "
        "own, its project's, its tenant's); empty when none is."
    )


class SpectroClusterMeta(Schema):
    """Palette's v1SpectroClusterMeta."""

    metadata: ObjectMeta
    spec: dict[str, Any]
    status: SpectroClusterMetaStatus


class ProjectStatus(Schema):
    isDisabled: bool


class ProjectModel(Schema):
    """Palette's v1Project."""

    metadata: ObjectMeta
    spec: dict[str, Any]
    status: ProjectStatus


class ListMetaData(Schema):
    """Palette's v1ListMetaData: `continue` is empty at the end of the list; `count` counts
    every event that the filters match; `offset` is where the next page starts."""

    continue_: str = Field(alias="continue")
    count: int
    limit: int
    offset: int

    model_config = ConfigDict(populate_by_name=True)

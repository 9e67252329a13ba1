"""The API's streamed cluster list: a JSON array written a chunk at a time from rows read in
SQL, each cluster the very shape of a single cluster's metadata (`schemas.cluster_metadata`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice

from .bodies import cluster_metadata

CLUSTERS_PER_CHUNK = 500  # sent together: few chunks to hand over, and little held at once

_quote = json.encoder.encode_basestring_ascii  # a JSON string, as the encoder writes one
_LISTED = ("uid", "name", "project_uid", "tenant_uid", "created", "modified")


def _listed_cluster(paused: bool) -> str:
    """One listed cluster's JSON with a `{slot}` for each value: the very shape
    `cluster_metadata` gives, encoded once rather than once per cluster."""
    slots = {name: f"\x00{name}\x00" for name in _LISTED}
    item = {
        "metadata": cluster_metadata(paused=paused, **slots),
        "spec": {},
        "status": {"state": "Running"},
    }
    text = json.dumps(item, separators=(",", ":")).replace("{", "{{").replace("}", "}}")
    for name, slot in slots.items():
        text = text.replace(_quote(slot), "{" + name + "}")
    return text


_LISTED_CLUSTER = {paused: _listed_cluster(paused) for paused in (False, True)}


def stream_json_array(rows: Iterator[tuple], tenant_uid: str) -> Iterator[str]:
    """A JSON array of v1SpectroClusterMeta, CLUSTERS_PER_CHUNK clusters at a time: the memory it
    takes does not grow with the number of clusters. The rows' times are already the text the
    JSON holds (`sql.UtcText`), so each cluster is only its strings, quoted, in a template."""
    tenant = _quote(tenant_uid)
    separator = "["
    while chunk := list(islice(rows, CLUSTERS_PER_CHUNK)):
        yield separator + ",".join(
            _LISTED_CLUSTER[paused].format(
                uid=_quote(uid),
                name=_quote(name),
                project_uid=_quote(project_uid),
                tenant_uid=tenant,
                created=_quote(created),
                modified=_quote(modified),
            )
            for _pk, uid, name, paused, created, modified, project_uid in chunk
        )
        separator = ","
    yield "[]" if separator == "[" else "]"

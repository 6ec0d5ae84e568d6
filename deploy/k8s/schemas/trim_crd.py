"""Vendor a small, offline copy of a CRD's OpenAPI schema for tests/unit/test_k8s_manifests.py.

Upstream CRD schemas are hundreds of kilobytes (a full pod template inside). This keeps, from
one served version of the CRD, every field name at every level that our manifests reach, with
types, enums, formats and ``required``; the subtrees our manifests do not enter are cut to their
type (and marked ``x-kubernetes-preserve-unknown-fields``). A misspelt or unknown field, a wrong
type or a missing required field in our manifests is therefore still caught; a field we start
using later needs the file regenerated:

    python deploy/k8s/schemas/trim_crd.py UPSTREAM_CRD.yaml VERSION deploy/k8s/postgres.yaml \
        > deploy/k8s/schemas/postgresql.cnpg.io_v1_cluster.json

(see README.md beside this file for the upstream files and versions).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

KEPT_KEYWORDS = (
    "type",
    "enum",
    "format",
    "required",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "nullable",
    "anyOf",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
)


def trim(schema: dict[str, Any], used: Any) -> dict[str, Any]:
    """``schema`` cut down to what ``used`` (a manifest value, or None) reaches into."""
    kept = {key: schema[key] for key in KEPT_KEYWORDS if key in schema}
    if used is None:
        if schema.get("type") in ("object", "array") or "properties" in schema:
            kept.pop("required", None)
            if schema.get("type", "object") == "object":
                kept["x-kubernetes-preserve-unknown-fields"] = True
        return kept
    if "properties" in schema:
        values = used if isinstance(used, dict) else {}
        kept["properties"] = {
            name: trim(child, values.get(name)) for name, child in schema["properties"].items()
        }
    if isinstance(schema.get("additionalProperties"), dict):
        entries = list(used.values()) if isinstance(used, dict) else []
        kept["additionalProperties"] = trim(schema["additionalProperties"], _merged(entries))
    if "items" in schema:
        kept["items"] = trim(schema["items"], _merged(used if isinstance(used, list) else []))
    return kept


def _merged(values: list[Any]) -> Any:
    """One value standing for all list items: dicts merged key by key, else the first."""
    if not values:
        return None
    if all(isinstance(value, dict) for value in values):
        merged: dict[str, Any] = {}
        for value in values:
            for key, item in value.items():
                merged[key] = _merged([merged[key], item]) if key in merged else item
        return merged
    return values[0]


def main(crd_path: str, version: str, *manifest_paths: str) -> int:
    crd = yaml.safe_load(Path(crd_path).read_text("utf-8"))
    served = next(v for v in crd["spec"]["versions"] if v["name"] == version)
    kind = crd["spec"]["names"]["kind"]
    api_version = f"{crd['spec']['group']}/{version}"
    documents = [
        document
        for path in manifest_paths
        for document in yaml.safe_load_all(Path(path).read_text("utf-8"))
        if document and document.get("kind") == kind and document.get("apiVersion") == api_version
    ]
    schema = trim(served["schema"]["openAPIV3Schema"], _merged(documents))
    schema["x-gravity-source"] = {
        "crd": crd["metadata"]["name"],
        "apiVersion": api_version,
        "kind": kind,
        "trimmed-for": sorted(str(Path(path).name) for path in manifest_paths),
    }
    json.dump(schema, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

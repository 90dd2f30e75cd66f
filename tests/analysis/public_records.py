"""A test-only reader for the public fixture files and their assorted containers.

The real container parser lives in ``rootguard.trail``; this one only needs to open the handful of
shapes in ``tests/fixtures/cloudtrail-public``: a bare record, an EventBridge envelope, a JSON array,
``{"Records": [...]}`` (optionally gzip), LookupEvents output, Panther JSON lines and YAML scenarios.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cloudtrail-public"


def load(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line)["log"] for line in text.splitlines() if line.strip()]
    if path.suffix in {".yml", ".yaml"}:
        yaml = pytest.importorskip("yaml")
        return list(yaml.safe_load(text)["Logs"])
    return unwrap(json.loads(text))


def unwrap(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, list):
        return [r for item in document for r in unwrap(item)]
    if not isinstance(document, dict):
        return []
    if "Records" in document:
        return list(document["Records"])
    if "Events" in document:
        return [json.loads(e["CloudTrailEvent"]) for e in document["Events"]]
    if "detail" in document and "detail-type" in document:
        return [document["detail"]]
    return [document]


def panther_rule_tests() -> list[dict[str, Any]]:
    """The Panther rule tests with their wrapper (``rule_id``, ``test_name``, ``is_root``, ``log``)."""
    path = FIXTURES / "synthetic" / "panther-analysis__root-rule-tests.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

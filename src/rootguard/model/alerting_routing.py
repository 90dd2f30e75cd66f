"""EventBridge rules and targets, GuardDuty detectors and AWS Config rules, from AWS CLI JSON output."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rootguard.model.aws_json import items, optional_text, text
from rootguard.model.gaps import MalformedEvidence

ENABLED_STATES = frozenset({"ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"})


@dataclass(frozen=True)
class EventRule:
    name: str
    arn: str
    state: str
    """``ENABLED``, ``DISABLED`` or ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`` (read-only calls too)."""
    pattern: Any
    """The decoded ``EventPattern``; ``None`` for a scheduled rule."""
    pattern_error: str | None = None
    """Why ``EventPattern`` could not be decoded (the rule is then judged as matching nothing)."""

    @property
    def enabled(self) -> bool:
        return self.state in ENABLED_STATES


def event_rules_from_document(document: Any) -> tuple[EventRule, ...]:
    """From ``aws events list-rules --output json`` (the default event bus)."""
    rules = []
    for index, item in enumerate(items(document, "Rules")):
        where = f"Rules[{index}]"
        raw = optional_text(item, "EventPattern", where)
        pattern: Any = None
        error = None
        if raw is not None:
            try:
                pattern = json.loads(raw)
            except json.JSONDecodeError as problem:
                error = f"EventPattern is not JSON ({problem.msg})"
        name = text(item, "Name", where)
        rules.append(
            EventRule(
                name=name,
                arn=optional_text(item, "Arn", where) or name,
                state=optional_text(item, "State", where) or "DISABLED",
                pattern=pattern,
                pattern_error=error,
            )
        )
    return tuple(rules)


@dataclass(frozen=True)
class RuleTarget:
    target_id: str
    arn: str

    @property
    def service(self) -> str:
        parts = self.arn.split(":")
        return parts[2] if len(parts) > 2 else ""


def rule_targets_from_document(document: Any) -> tuple[RuleTarget, ...]:
    """From ``aws events list-targets-by-rule --rule <name> --output json``."""
    return tuple(
        RuleTarget(target_id=text(item, "Id", f"Targets[{i}]"), arn=text(item, "Arn", f"Targets[{i}]"))
        for i, item in enumerate(items(document, "Targets"))
    )


def detector_ids_from_document(document: Any) -> tuple[str, ...]:
    """From ``aws guardduty list-detectors --output json``."""
    if not isinstance(document, dict) or not isinstance(document.get("DetectorIds"), list):
        raise MalformedEvidence("expected a JSON object with a DetectorIds list")
    ids = document["DetectorIds"]
    if not all(isinstance(i, str) for i in ids):
        raise MalformedEvidence("DetectorIds holds something other than strings")
    return tuple(ids)


@dataclass(frozen=True)
class Detector:
    detector_id: str
    status: str
    """``ENABLED`` or ``DISABLED``."""


def detector_from_document(document: Any, detector_id: str) -> Detector:
    """From ``aws guardduty get-detector --detector-id <id> --output json``."""
    if not isinstance(document, dict):
        raise MalformedEvidence("expected a JSON object with a Status")
    return Detector(detector_id=detector_id, status=text(document, "Status", "detector"))


@dataclass(frozen=True)
class ConfigRule:
    name: str
    owner: str
    source_identifier: str
    state: str
    """``ACTIVE``, ``EVALUATING``, ``DELETING`` or ``DELETING_RESULTS``."""


def config_rules_from_document(document: Any) -> tuple[ConfigRule, ...]:
    """From ``aws configservice describe-config-rules --output json``."""
    rules = []
    for index, item in enumerate(items(document, "ConfigRules")):
        where = f"ConfigRules[{index}]"
        source = item.get("Source")
        if not isinstance(source, dict):
            raise MalformedEvidence(f"{where}.Source is missing or not an object")
        rules.append(
            ConfigRule(
                name=text(item, "ConfigRuleName", where),
                owner=optional_text(source, "Owner", f"{where}.Source") or "",
                source_identifier=optional_text(source, "SourceIdentifier", f"{where}.Source") or "",
                state=optional_text(item, "ConfigRuleState", where) or "ACTIVE",
            )
        )
    return tuple(rules)


def compliance_from_document(document: Any) -> dict[str, str]:
    """From ``aws configservice describe-compliance-by-config-rule --output json``: rule name → ComplianceType."""
    found: dict[str, str] = {}
    for index, item in enumerate(items(document, "ComplianceByConfigRules")):
        where = f"ComplianceByConfigRules[{index}]"
        compliance = item.get("Compliance") or {}
        if not isinstance(compliance, dict):
            raise MalformedEvidence(f"{where}.Compliance is not an object")
        found[text(item, "ConfigRuleName", where)] = (
            optional_text(compliance, "ComplianceType", f"{where}.Compliance") or "INSUFFICIENT_DATA"
        )
    return found

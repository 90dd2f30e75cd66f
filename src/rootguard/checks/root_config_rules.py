"""``root-config-rules``: do the three AWS managed Config rules for root run, and what do they say?

root-account-mfa-enabled, root-account-hardware-mfa-enabled and iam-root-access-key-check evaluate
the account (a global resource), so each is needed in one Region. A rule that is absent or not ACTIVE
fails; one that reports NON_COMPLIANT fails (the matching rootguard check says why); one that never
evaluated (INSUFFICIENT_DATA) fails, because it warns no one. Unreadable files are an ERROR only
when no readable Region settles the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from rootguard.checks.registry import EvaluationContext, Outcome, check, errored, failed_at, passed
from rootguard.model.alerting import AlertingEvidence
from rootguard.model.evidence import AccountEvidence, Source
from rootguard.model.findings import Severity
from rootguard.model.gaps import Gap
from rootguard.remediation.catalog import remediation_hint

REQUIRED = {
    "ROOT_ACCOUNT_MFA_ENABLED": "root-mfa",
    "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED": "root-hardware-mfa",
    "IAM_ROOT_ACCESS_KEY_CHECK": "root-access-keys",
}
"""Config rule SourceIdentifier → the rootguard check that judges the same thing."""
RUNNING = frozenset({"ACTIVE", "EVALUATING"})


@dataclass(frozen=True)
class _Seen:
    region: str
    name: str
    state: str
    compliance: str | Gap


@check(
    "root-config-rules",
    needs=frozenset({Source.ALERTING, Source.REGIONS}),
    title="AWS Config rules watch root's MFA and access keys",
    severity=Severity.LOW,
    frameworks={},
    remediation=(
        "Deploy the managed rules root-account-mfa-enabled, root-account-hardware-mfa-enabled and "
        "iam-root-access-key-check in one Region, with a running configuration recorder. "
        + remediation_hint("root-config-rules")
        + " Rules that report NON_COMPLIANT are fixed by the root-mfa, root-hardware-mfa and root-access-keys fixes."
    ),
)
def root_config_rules(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    alerting = account.alerting
    if isinstance(alerting, Gap):
        return errored("Which Config rules run cannot be told without the alerting evidence.", alerting)
    seen, gaps = _rules(alerting)
    evidence = {
        identifier: [
            {"region": s.region, "rule": s.name, "state": s.state, "compliance": _compliance(s)} for s in found
        ]
        for identifier, found in seen.items()
    }
    missing = [i for i in REQUIRED if not seen[i] and not gaps]
    # Absent, inactive or silent here proves nothing while another Region's rules could not be read.
    inactive = [i for i in REQUIRED if seen[i] and not any(s.state in RUNNING for s in seen[i]) and not gaps]
    running = {i: [s for s in seen[i] if s.state in RUNNING] for i in REQUIRED}
    best = {i: _best(found) for i, found in running.items() if found}
    non_compliant = [f"{b.name} ({b.region}) says NON_COMPLIANT: see {REQUIRED[i]}" for i, b in best.items()
                     if b.compliance == "NON_COMPLIANT"]  # fmt: skip
    no_data = [f"{b.name} ({b.region}) has not evaluated (INSUFFICIENT_DATA)" for b in best.values()
               if b.compliance == "INSUFFICIENT_DATA" and not gaps]  # fmt: skip
    problems = [f"no {i} rule in any Region" for i in missing]
    problems += [f"the {i} rule is not ACTIVE ({', '.join(s.state for s in seen[i])})" for i in inactive]
    if problems or non_compliant or no_data:
        weight = Severity.MEDIUM if non_compliant else Severity.LOW
        tail = " Is the configuration recorder running?" if no_data else ""
        return failed_at(weight, f"{'; '.join(problems + non_compliant + no_data)}.{tail}", {"rules": evidence})
    unsettled = [i for i in REQUIRED if i not in best or best[i].compliance not in {"COMPLIANT", "NOT_APPLICABLE"}]
    if unsettled:
        compliance_gaps = [b.compliance for b in best.values() if isinstance(b.compliance, Gap)]
        return errored(
            f"Cannot tell whether {', '.join(unsettled)} run and comply.",
            *dict.fromkeys([*gaps, *compliance_gaps]),
            rules=evidence,
        )
    shown = "; ".join(f"{b.name} ({b.region}) {b.compliance}" for b in best.values())
    return passed(f"The three AWS Config root rules run and comply: {shown}.", rules=evidence)


def _rules(alerting: AlertingEvidence) -> tuple[dict[str, list[_Seen]], list[Gap]]:
    seen: dict[str, list[_Seen]] = {i: [] for i in REQUIRED}
    gaps: list[Gap] = []
    for data in alerting.own.regions.values():
        if isinstance(data.config_rules, Gap):
            gaps.append(data.config_rules)
            continue
        for rule in data.config_rules:
            if rule.owner == "AWS" and rule.source_identifier in REQUIRED:
                compliance = data.config_compliance
                found = compliance if isinstance(compliance, Gap) else compliance.get(rule.name, "INSUFFICIENT_DATA")
                seen[rule.source_identifier].append(_Seen(data.region, rule.name, rule.state, found))
    return seen, gaps


def _best(found: list[_Seen]) -> _Seen:
    """The most reassuring running copy: compliant, then unreadable, then never evaluated, then non-compliant."""
    order = {"COMPLIANT": 0, "NOT_APPLICABLE": 0, "INSUFFICIENT_DATA": 2, "NON_COMPLIANT": 3}
    return min(found, key=lambda s: 1 if isinstance(s.compliance, Gap) else order.get(s.compliance, 2))


def _compliance(seen: _Seen) -> str:
    return "unreadable" if isinstance(seen.compliance, Gap) else seen.compliance

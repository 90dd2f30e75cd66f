"""What the watcher tells a person: one screen of text per alert, and the same facts as a JSON document.

The text answers, in this order: which account (name and id), who (the root password, a root access
key, an AssumeRoot session of which principal), what, when, from where, MFA, approved or not (with
the approval's reason and expiry), root-only or avoidable, and the command that shows the account's
recent root activity. Every value taken from the event (user agent, names, error text) is shown with
control characters as ``\\xNN`` and cut to a bounded length: an attacker chooses the user agent.
"""

from __future__ import annotations

from typing import Any

from rootguard.analysis.classify import Flag
from rootguard.analysis.fields import text
from rootguard.analysis.watch_event import Alert, AlertKind
from rootguard.model.activity import Category
from rootguard.model.timestamps import format_timestamp

SUBJECT_LIMIT = 100
"""SNS rejects longer subjects (``Publish``: at most 100 printable ASCII characters, no line breaks)."""
VALUE_LIMIT = 200

_CATEGORY_WORDS = {
    Category.SIGN_IN: "console sign-in with the root password",
    Category.SIGN_IN_FAILURE: "FAILED root sign-in",
    Category.ROOT_ONLY_TASK: "a task only root can do",
    Category.AVOIDABLE: "root use an IAM role could have done",
    Category.SERVICE_INVOKED: "an AWS service acting for root",
    Category.ASSUMED_ROOT: "a centralized root (AssumeRoot) session",
}


def subject(alert: Alert) -> str:
    """One line for an e-mail subject or a table row: severity, what kind of use, which account."""
    where = _account(alert)
    if alert.kind is AlertKind.SELF_TEST:
        line = f"[TEST] rootguard watch self-test {alert.test_id} - not root activity ({where})"
    elif alert.kind is AlertKind.ASSUME_ROOT:
        target = alert.grant.target_account if alert.grant else _field(alert, "requestParameters", "targetPrincipal")
        verb = "opened" if alert.grant else "refused"
        line = f"[{alert.severity.value.upper()}] AssumeRoot session {verb} for {target or 'unknown'} from {where}"
    else:
        assert alert.event is not None
        what = _CATEGORY_WORDS[alert.event.category]
        approved = " (approved)" if alert.event.approval else ""
        line = f"[{alert.severity.value.upper()}] Root: {what}{approved} in {where}"
    return _ascii(line)[:SUBJECT_LIMIT]


def message(alert: Alert) -> str:
    """The alert as plain text, one screen."""
    rows: list[tuple[str, str]] = [("Account", _account(alert) + (f", {alert.region}" if alert.region else ""))]
    if alert.kind is AlertKind.SELF_TEST:
        rows += [
            ("What", "a synthetic event sent by `rootguard watch --test`; NOT root activity"),
            ("Test id", alert.test_id),
            ("When", _when(alert)),
            ("Meaning", "the path from EventBridge to this alert works"),
        ]
    elif alert.kind is AlertKind.ASSUME_ROOT:
        rows += _assume_root_rows(alert)
    else:
        rows += _root_rows(alert)
    width = max(len(label) for label, _ in rows) + 2
    body = "\n".join(f"{label + ':':<{width}}{value}" for label, value in rows)
    return f"{subject(alert)}\n\n{body}\n"


def document(alert: Alert) -> dict[str, Any]:
    """The alert as a JSON object (``rootguard watch --format jsonl``, the SNS message attributes' source)."""
    found: dict[str, Any] = {
        "kind": alert.kind.value,
        "severity": alert.severity.value,
        "subject": subject(alert),
        "account_id": alert.account_id,
        "account_name": alert.account_name,
        "region": alert.region,
        "event_time": format_timestamp(alert.event_time) if alert.event_time else None,
        "envelope_id": alert.envelope_id,
        "detail_type": alert.detail_type,
    }
    if alert.kind is AlertKind.SELF_TEST:
        found["test_id"] = alert.test_id
    if alert.grant is not None:
        found["assume_root"] = {
            "caller_arn": alert.grant.caller_arn,
            "target_account": alert.grant.target_account,
            "task_policy": alert.grant.task_policy,
        }
    event = alert.event
    if event is not None:
        found |= {
            "event_id": event.event_id,
            "event_source": event.event_source,
            "event_name": event.event_name,
            "category": event.category.value,
            "root_only_task": event.root_only_task,
            "mfa": event.mfa,
            "source_ip": event.source_ip,
            "user_agent": event.user_agent,
            "error_code": event.error_code,
            "flags": list(event.flags),
            "session_id": event.session_id,
            "approval": None
            if event.approval is None
            else {
                "ticket": event.approval.ticket,
                "reason": event.approval.reason,
                "approved_by": event.approval.approved_by,
                "end": format_timestamp(event.approval.end),
            },
        }
    if alert.origin is not None:
        found["session_origin"] = {
            "caller_arn": alert.origin.caller_arn,
            "task_policy": alert.origin.task_policy,
            "known": alert.origin.known,
        }
    return found


def activity_command(alert: Alert) -> str:
    region = f" --region {alert.region}" if alert.region else ""
    return f"rootguard activity --lookup --since 7{region}   (with credentials for account {alert.account_id})"


def _root_rows(alert: Alert) -> list[tuple[str, str]]:
    event = alert.event
    assert event is not None
    outcome = f" - FAILED: {_plain(event.error_code)}" if event.error_code else ""
    rows = [
        ("Who", _who(alert)),
        ("What", f"{_plain(event.event_source)} {_plain(event.event_name)}{outcome}"),
        ("Kind", _CATEGORY_WORDS[event.category]),
        ("When", _when(alert)),
        ("From", f"{_plain(event.source_ip) or 'unknown IP'} - {_plain(event.user_agent) or 'no user agent'}"),
        ("MFA", {True: "yes", False: "NO", None: "not recorded"}[event.mfa]),
        ("Approved", _approval(alert)),
        ("Root-only", _root_only(alert)),
    ]
    if event.flags:
        rows.append(("Flags", ", ".join(event.flags)))
    rows += [("Event id", _plain(event.event_id)), ("See more", activity_command(alert))]
    return rows


def _assume_root_rows(alert: Alert) -> list[tuple[str, str]]:
    grant = alert.grant
    caller = grant.caller_arn if grant else _field(alert, "userIdentity", "arn")
    rows = [
        ("Who", f"{_plain(caller) or 'unknown principal'} called sts:AssumeRoot"),
        ("Target", _plain(grant.target_account if grant else _field(alert, "requestParameters", "targetPrincipal"))),
        ("Task", _plain(grant.task_policy if grant else "") or "not recorded"),
        ("When", _when(alert)),
        ("From", _plain(_field(alert, "sourceIPAddress")) or "unknown IP"),
    ]
    if grant is None:
        rows.append(("Outcome", f"refused: {_plain(_field(alert, 'errorCode') or 'no credentials returned')}"))
    else:
        rows.append(("Meaning", "root actions in the target account signed with this session's key are expected"))
    return rows


def _who(alert: Alert) -> str:
    event = alert.event
    assert event is not None
    origin = alert.origin
    if origin is not None:
        if origin.known:
            return (
                f"AssumeRoot session opened by {_plain(origin.caller_arn)} (task policy {_plain(origin.task_policy)})"
            )
        return "AssumeRoot session; caller and task policy unknown (the watcher has not seen its AssumeRoot call)"
    if event.category is Category.SERVICE_INVOKED:
        return "an AWS service for the root user"
    if (event.access_key_id or "").startswith("AKIA"):
        return "root user, long-term root ACCESS KEY"
    if event.category in (Category.SIGN_IN, Category.SIGN_IN_FAILURE):
        return "root user (password sign-in)"
    if (event.access_key_id or "").startswith("ASIA") and Flag.CONSOLE not in event.flags:
        # Not proven either way: an AssumeRoot session the watcher has not seen, or GetSessionToken.
        return "root user, temporary key outside a console session (AssumeRoot caller unknown, or GetSessionToken)"
    return "root user"


def _approval(alert: Alert) -> str:
    event = alert.event
    assert event is not None
    approval = event.approval
    if approval is None:
        return "NO - no approval window covers this account at this time"
    return (
        f"yes - {_plain(approval.ticket)}: {_plain(approval.reason)} "
        f"(approved by {_plain(approval.approved_by)}, until {format_timestamp(approval.end)})"
    )


def _root_only(alert: Alert) -> str:
    event = alert.event
    assert event is not None
    if event.root_only_task:
        return f"yes - {_plain(event.root_only_task)}"
    if event.category is Category.AVOIDABLE:
        return "no - avoidable: an IAM role could have done this"
    if event.category is Category.SIGN_IN:
        return "not yet known - a sign-in; what follows decides"
    return "not applicable"


def _account(alert: Alert) -> str:
    name = _plain(alert.account_name)
    ident = alert.account_id or "unknown account"
    return f"{name} ({ident})" if name else ident


def _when(alert: Alert) -> str:
    return format_timestamp(alert.event_time) if alert.event_time else "unknown"


def _field(alert: Alert, *path: str) -> str:
    return text(alert.record, *path)


def _plain(value: str | None) -> str:
    """Control characters as ``\\xNN`` (they could drive a terminal or forge lines), length bounded."""
    shown = "".join(f"\\x{ord(ch):02x}" if ch < " " or "\x7f" <= ch <= "\x9f" else ch for ch in value or "")
    return shown if len(shown) <= VALUE_LIMIT else shown[: VALUE_LIMIT - 1] + "…"


def _ascii(value: str) -> str:
    return "".join(ch if " " <= ch <= "~" else "?" for ch in value)


def row(alert: Alert) -> str:
    """One line for ``rootguard watch``'s table: time, severity, account, what, from where, MFA, approval."""
    when = _when(alert)
    level = alert.severity.value.upper()
    event = alert.event
    if event is None:
        return f"{when}  {level:<8}  {subject(alert)}"
    approved = f"approved {_plain(event.approval.ticket)}" if event.approval else "NOT approved"
    mfa = {True: "mfa", False: "NO MFA", None: "mfa ?"}[event.mfa]
    failed = " FAILED" if event.error_code else ""
    return (
        f"{when}  {level:<8}  {_account(alert)}  {event.category.value}  "
        f"{_plain(event.event_source)} {_plain(event.event_name)}{failed}  "
        f"from {_plain(event.source_ip) or '?'}  {mfa}  {approved}"
    )

"""The activity JSON of contract §7 (``rootguard/activity@1``)."""

from __future__ import annotations

import json
from typing import Any

from rootguard.model.activity import ActivityEvent, ActivityReport, ActivitySession, Coverage, coverage_document
from rootguard.model.timestamps import format_timestamp

SCHEMA = "rootguard/activity@1"


def render_activity_json(report: ActivityReport) -> str:
    return json.dumps(activity_document(report), indent=2, ensure_ascii=False) + "\n"


def activity_document(report: ActivityReport) -> dict[str, Any]:
    scan = report.scan
    return {
        "schema": SCHEMA,
        "as_of": format_timestamp(report.as_of),
        "since": format_timestamp(report.since),
        "sources": {
            "files": scan.files,
            "records": scan.records,
            "skipped": [{"path": s.path, "reason": s.reason} for s in scan.skipped]
            + [{"path": g.source, "reason": f"{g.reason} Fix: {g.fix}"} for g in report.gaps],
        },
        "events": [_event(e) for e in report.activity.events],
        "sessions": [_session(s) for s in report.activity.sessions],
        "coverage": coverage_document(report.coverage or Coverage(since=report.since, until=report.as_of, regions=())),
    }


def _event(event: ActivityEvent) -> dict[str, Any]:
    approval = event.approval
    return {
        "event_id": event.event_id,
        "event_time": format_timestamp(event.event_time),
        "account_id": event.account_id,
        "region": event.region,
        "event_source": event.event_source,
        "event_name": event.event_name,
        "source_ip": event.source_ip,
        "user_agent": event.user_agent,
        "mfa": event.mfa,
        "category": event.category.value,
        "root_only_task": event.root_only_task,
        "approval": None
        if approval is None
        else {
            "ticket": approval.ticket,
            "start": format_timestamp(approval.start),
            "end": format_timestamp(approval.end),
            "reason": approval.reason,
            "approved_by": approval.approved_by,
        },
        "session_id": event.session_id,
        "access_key_id": event.access_key_id,
        "error_code": event.error_code,
        "flags": list(event.flags),
        "source": event.source,
    }


def _session(session: ActivitySession) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "start": format_timestamp(session.start),
        "end": format_timestamp(session.end),
        "events": session.events,
        "source_ips": list(session.source_ips),
        "kind": session.kind,
        "account_id": session.account_id,
        "user_agents": list(session.user_agents),
        "regions": list(session.regions),
        "mfa": session.mfa,
        "categories": [c.value for c in session.categories],
    }

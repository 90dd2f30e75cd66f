"""``rootguard remediate``: the templates that fix what the findings say is missing.

The failing checks come from a JSON report, or from auditing a bundle (or the demo) with the same
settings ``rootguard audit`` would use, so both commands agree on every verdict. Nothing is written
here: the command line decides where the files go.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rootguard.app.audit import audit_bundle
from rootguard.config.settings import Settings
from rootguard.errors import UsageError
from rootguard.model.findings import AuditReport, Status
from rootguard.remediation import Template, TemplateFormat, render, select_templates, watch_templates


@dataclass(frozen=True)
class Remediation:
    """The chosen templates and their files (name → content), in catalogue order."""

    templates: tuple[Template, ...]
    files: dict[str, bytes]
    untemplated: tuple[str, ...] = ()
    """Failing check ids no template fixes (their findings say how to fix them), sorted."""


FORMATS = tuple(f.value for f in TemplateFormat)
"""What ``--format`` accepts: cloudformation, terraform."""


def remediate(
    failing: set[str], template_format: str, *, all_templates: bool = False, watch: bool = False
) -> Remediation:
    """The templates that fix ``failing`` check ids (or every template, or the watcher's), rendered in
    ``template_format``."""
    chosen = tuple(watch_templates() if watch else select_templates(failing, all_templates=all_templates))
    files: dict[str, bytes] = {}
    for template in chosen:
        files.update(render(template, TemplateFormat(template_format)))
    fixed = {check_id for template in chosen for check_id in template.fixes}
    return Remediation(templates=chosen, files=files, untemplated=tuple(sorted(failing - fixed)))


def failing_in_bundle(bundle: Path, settings: Settings, *, source: str | None = None) -> set[str]:
    """The checks that FAIL when ``bundle`` is audited with ``settings``."""
    return failing_checks(audit_bundle(bundle, settings, source=source))


def failing_checks(report: AuditReport) -> set[str]:
    return {f.check_id for account in report.accounts for f in account.findings if f.status is Status.FAIL}


def failing_in_report(path: Path) -> set[str]:
    """The checks that FAIL in a ``rootguard audit --format json`` report (contract §4)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {
            finding["check_id"]
            for account in document["accounts"]
            for finding in account["findings"]
            if finding["status"] == Status.FAIL.value
        }
    except FileNotFoundError:
        raise UsageError(f"report not found: {path}") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(f"{path} is not a rootguard JSON report ({error})") from None

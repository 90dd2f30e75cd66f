"""Remediation templates: CloudFormation, Terraform and an SCP that fix what the checks find.

Pure: the catalogue names packaged files and ``render`` reads them; only the CLI writes to disk.
"""

from __future__ import annotations

from rootguard.remediation.catalog import (
    CATALOG,
    Template,
    TemplateFormat,
    get_template,
    remediation_hint,
    render,
    select_templates,
    templates_root,
    watch_templates,
)

__all__ = [
    "CATALOG",
    "Template",
    "TemplateFormat",
    "get_template",
    "remediation_hint",
    "render",
    "select_templates",
    "templates_root",
    "watch_templates",
]

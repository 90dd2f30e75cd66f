"""The catalogue names every packaged template, picks them by failing check, and renders without writing."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest
from remediation_files import TEMPLATES

from rootguard.errors import UsageError
from rootguard.remediation import (
    CATALOG,
    Template,
    TemplateFormat,
    get_template,
    remediation_hint,
    render,
    select_templates,
)
from rootguard.remediation.organization import ORG_CATALOG


def files_on_disk() -> set[str]:
    return {
        path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and ".terraform" not in path.parts
    }


def files_in_catalog() -> set[str]:
    """Files of the single-account catalogue and of the organization one (``remediate --org``)."""
    return {path for template in (*CATALOG, *ORG_CATALOG) for paths in template.files.values() for path in paths}


def test_ids_are_unique_and_every_template_has_both_formats() -> None:
    ids = [template.template_id for template in CATALOG]
    assert len(ids) == len(set(ids))
    for template in CATALOG:
        assert set(template.files) == set(TemplateFormat), template.template_id
        assert template.title and template.description, template.template_id


def test_catalog_covers_every_template_on_disk_and_names_only_existing_files() -> None:
    assert files_in_catalog() == files_on_disk()


def test_templates_are_package_data() -> None:
    root = files("rootguard.remediation") / "templates"
    assert {entry.name for entry in root.iterdir()} >= {"cloudformation", "terraform", "scp"}
    listed = {entry.name for entry in (root / "cloudformation").iterdir()}
    assert listed == {"root-usage-alarm.yaml", "root-activity-eventbridge.yaml", "root-config-rules.yaml"}


@pytest.mark.parametrize("fmt", list(TemplateFormat))
@pytest.mark.parametrize("template", CATALOG, ids=lambda t: t.template_id)
def test_render_returns_every_named_file_with_its_content(template: Template, fmt: TemplateFormat) -> None:
    rendered = render(template, fmt)
    assert list(rendered) == list(template.files[fmt])
    for relative, content in rendered.items():
        assert content == (TEMPLATES / relative).read_bytes()
        assert content.strip(), relative


def test_terraform_renders_whole_modules() -> None:
    rendered = render(get_template("root-config-rules"), TemplateFormat.TERRAFORM)
    assert sorted(rendered) == [
        "terraform/root-config-rules/main.tf",
        "terraform/root-config-rules/outputs.tf",
        "terraform/root-config-rules/variables.tf",
        "terraform/root-config-rules/versions.tf",
    ]


@pytest.mark.parametrize(
    ("failing", "expected"),
    [
        ([], []),
        (["root-mfa", "root-access-keys"], []),
        (["root-usage-alarm"], ["root-usage-alarm"]),
        (["root-alerting"], ["root-usage-alarm", "root-activity-eventbridge"]),
        (["root-config-rules"], ["root-config-rules"]),
        (
            ["root-config-rules", "root-alerting", "root-usage-alarm", "root-alerting"],
            ["root-usage-alarm", "root-activity-eventbridge", "root-config-rules"],
        ),
    ],
)
def test_select_templates_by_failing_checks(failing: list[str], expected: list[str]) -> None:
    selected = select_templates(failing, all_templates=False)
    assert [template.template_id for template in selected] == expected


def test_select_templates_accepts_any_iterable() -> None:
    selected = select_templates(iter({"root-usage-alarm"}), all_templates=False)
    assert [template.template_id for template in selected] == ["root-usage-alarm"]


def test_all_templates_picks_every_template_whatever_fails() -> None:
    assert select_templates([], all_templates=True) == list(CATALOG)
    assert select_templates(["root-usage-alarm"], all_templates=True) == list(CATALOG)


def test_scp_is_only_picked_on_request() -> None:
    scp = get_template("deny-root-scp")
    assert scp.fixes == ()
    everything_failing = {check for template in CATALOG for check in template.fixes}
    assert scp not in select_templates(everything_failing, all_templates=False)


def test_fixes_map_checks_as_documented() -> None:
    assert get_template("root-usage-alarm").fixes == ("root-usage-alarm", "root-alerting")
    assert get_template("root-activity-eventbridge").fixes == ("root-alerting",)
    assert get_template("root-config-rules").fixes == ("root-config-rules",)


def test_unknown_template_id_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError, match="root-usage-alarm"):
        get_template("root-everything")


def test_remediation_hint_names_the_files_for_each_format() -> None:
    hint = remediation_hint("root-usage-alarm")
    assert "--format cloudformation" in hint
    assert "cloudformation/root-usage-alarm.yaml" in hint
    assert "terraform/root-usage-alarm/" in hint
    assert "scp/deny-root-except-assumed-root.json" in remediation_hint("deny-root-scp")


def test_scp_denies_real_root_but_not_assume_root_sessions() -> None:
    policy = json.loads((TEMPLATES / "scp" / "deny-root-except-assumed-root.json").read_text())
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Action"] == "*"
    assert statement["Resource"] == "*"
    assert statement["Condition"] == {
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"},
        "Null": {"aws:AssumedRoot": "true"},
    }
    assert "management account" in (TEMPLATES / "scp" / "README.md").read_text()

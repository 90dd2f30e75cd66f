"""`rootguard remediate --watch`: the watcher's templates lint clean, match what they must, and agree.

The rule patterns are run against the documented envelopes with rootguard's own EventBridge pattern
matcher (analysis.event_pattern), so "matches root events" is tested, not just read.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode
from remediation_files import TEMPLATES
from test_cloudformation_templates import lint_findings
from test_terraform_templates import (
    TERRAFORM_BIN,
    declared_variables,
    plugin_dir,
    run_terraform,
    unbalanced,
    used_variables,
)

import watch_envelopes as w
from rootguard.analysis.event_pattern import matches
from rootguard.app.remediate import remediate
from rootguard.app.watcher_package import HANDLER
from rootguard.remediation import TemplateFormat, watch_templates

WATCH = TEMPLATES / "watch"
CLOUDFORMATION = WATCH / "cloudformation"
TERRAFORM = WATCH / "terraform"
FORWARDER = CLOUDFORMATION / "root-watcher-forwarder.yaml"
ALL_STATE = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"

MUST_MATCH = {
    "sign-in without MFA": w.sign_in_without_mfa,
    "sign-in (guide spelling)": w.sign_in_with_mfa,
    "failed sign-in": w.failed_sign_in,
    "root API call": w.root_api_call,
    "root access key": w.root_access_key_call,
    "service-invoked": w.service_invoked,
    "AssumeRoot call": w.assume_root_call,
    "AssumeRoot session call": w.assume_root_session_call,
    "self-test": w.self_test,
}


def iam_user_sign_in() -> dict[str, Any]:
    return w.envelope(
        w.record(f"{w.SIGN_IN_PAGE}__L28__IAMUser__ConsoleLogin.json"),
        "AWS Console Sign In via CloudTrail",
        source="aws.signin",
    )


def load(path: Path) -> dict[str, Any]:
    template, problems = decode(str(path))
    assert not problems, problems
    assert template is not None
    return dict(template)


def rule(template: dict[str, Any]) -> dict[str, Any]:
    [found] = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    return found


def tf_pattern(module: str) -> dict[str, Any]:
    """The Terraform rule's pattern, read back from its HCL object (the shapes used here are JSON-like)."""
    main = (TERRAFORM / module / "main.tf").read_text()
    body = re.search(r"event_pattern = jsonencode\((\{.*?\n  \})\)", main, re.DOTALL)
    assert body, "no event_pattern in main.tf"
    text = re.sub(r'(^|[{\s])"?([$A-Za-z][\w-]*)"?\s*=\s', r'\1"\2": ', body.group(1), flags=re.MULTILINE)
    text = re.sub(r'([\]}"])[ \t]*\n(\s*["{])', r"\1,\n\2", text)  # HCL separates by newlines, JSON by commas
    return json.loads(re.sub(r",(\s*[\]}])", r"\1", text))


@pytest.mark.parametrize("path", sorted(CLOUDFORMATION.glob("*.yaml")), ids=lambda p: p.name)
def test_cfn_lint_reports_nothing(path: Path) -> None:
    assert lint_findings(path.read_text()) == []


@pytest.mark.parametrize("name", ["root-watcher.yaml", "root-watcher-forwarder.yaml"])
def test_the_rules_see_read_only_calls_and_match_every_documented_case(name: str) -> None:
    found = rule(load(CLOUDFORMATION / name))
    assert found["State"] == ALL_STATE
    pattern = found["EventPattern"]
    for case, build in MUST_MATCH.items():
        assert matches(pattern, build()), case
    assert not matches(pattern, iam_user_sign_in())
    other = w.mutated(w.root_api_call(), **{"detail-type": "EC2 Instance State-change Notification"})
    assert not matches(pattern, other)


def test_the_terraform_rule_says_the_same_as_the_cloudformation_one() -> None:
    assert tf_pattern("root-watcher") == rule(load(CLOUDFORMATION / "root-watcher.yaml"))["EventPattern"]
    assert f'state = "{ALL_STATE}"' in (TERRAFORM / "root-watcher" / "main.tf").read_text()


def test_the_function_runs_the_packaged_handler_with_the_handlers_variables() -> None:
    template = load(CLOUDFORMATION / "root-watcher.yaml")
    [function] = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert function["Handler"] == HANDLER and function["Runtime"].startswith("python3.")
    handler_source = (TEMPLATES.parent.parent / "watch" / "config.py").read_text()
    variables = set(function["Environment"]["Variables"])
    assert variables == set(re.findall(r'"(ROOTGUARD_WATCH_[A-Z_]+)"', handler_source))
    main = (TERRAFORM / "root-watcher" / "main.tf").read_text()
    assert f'handler          = "{HANDLER}"' in main
    assert "source_code_hash = filebase64sha256(var.watcher_zip)" in main
    assert all(name in main for name in variables)


def test_the_watcher_role_may_do_only_what_the_handler_does() -> None:
    template = load(CLOUDFORMATION / "root-watcher.yaml")
    [policy] = template["Resources"]["WatcherRole"]["Properties"]["Policies"]
    actions = set()
    for statement in policy["PolicyDocument"]["Statement"]:
        options = statement["Fn::If"][1:] if "Fn::If" in statement else [statement]
        for option in options:
            if isinstance(option, dict) and "Action" in option:
                found = option["Action"]
                actions |= set(found if isinstance(found, list) else [found])
                assert option["Resource"] != "*", option
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sns:Publish",
        "kms:GenerateDataKey*",
        "kms:Decrypt",
        "sqs:SendMessage",
        "s3:GetObject",
        "ssm:GetParameter",
    }


def test_dead_letters_alarms_and_the_watch_queue() -> None:
    resources = load(CLOUDFORMATION / "root-watcher.yaml")["Resources"]
    assert resources["WatcherFunction"]["Properties"]["DeadLetterConfig"]["TargetArn"] == {
        "Fn::GetAtt": ["DeadLetterQueue", "Arn"]
    }
    targets = resources["RootWatchRule"]["Properties"]["Targets"]
    assert targets[0]["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
    redrive = resources["WatchQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 5
    alarms = {r["Properties"]["MetricName"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert alarms == {"Errors", "ApproximateNumberOfMessagesVisible"}
    assert resources["SlackChannel"]["Type"] == "AWS::Chatbot::SlackChannelConfiguration"


def test_the_central_bus_admits_only_the_organization() -> None:
    resources = load(CLOUDFORMATION / "root-watcher.yaml")["Resources"]
    statement = resources["CentralEventBusPolicy"]["Properties"]["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}}
    assert statement["Action"] == "events:PutEvents"
    main = (TERRAFORM / "root-watcher" / "main.tf").read_text()
    assert 'Condition = { StringEquals = { "aws:PrincipalOrgID" = var.organization_id } }' in main


def test_the_org_stackset_is_service_managed_carries_the_forwarder_and_requires_us_east_1() -> None:
    template = load(CLOUDFORMATION / "root-watcher-org.yaml")
    stack_set = template["Resources"]["ForwarderStackSet"]["Properties"]
    assert stack_set["PermissionModel"] == "SERVICE_MANAGED"
    assert stack_set["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert stack_set["TemplateBody"] == FORWARDER.read_text()
    [assertion] = template["Rules"]["UsEast1IsNeverOptional"]["Assertions"]
    assert assertion["Assert"] == {"Fn::Contains": [{"Ref": "Regions"}, "us-east-1"]}
    forwarder = rule(load(FORWARDER))
    assert forwarder["EventBusName"] == "default"
    assert forwarder["Targets"][0]["Arn"] == {"Ref": "CentralEventBusArn"} and "RoleArn" in forwarder["Targets"][0]
    module = TERRAFORM / "root-watcher-org"
    assert (module / "root-watcher-forwarder.yaml").read_text() == FORWARDER.read_text()
    assert 'contains(var.regions, "us-east-1")' in (module / "variables.tf").read_text()
    assert 'permission_model = "SERVICE_MANAGED"' in (module / "main.tf").read_text()


@pytest.mark.parametrize("module", ["root-watcher", "root-watcher-org"])
def test_terraform_modules_hang_together(module: Path) -> None:
    folder = TERRAFORM / str(module)
    assert used_variables(folder) == declared_variables(folder)
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert unbalanced((folder / name).read_text()) == []


@pytest.mark.parametrize("fmt", list(TemplateFormat))
def test_remediate_watch_writes_both_variants(fmt: TemplateFormat) -> None:
    result = remediate(set(), fmt.value, watch=True)
    assert [t.template_id for t in result.templates] == ["root-watcher", "root-watcher-org"]
    assert result.templates == tuple(watch_templates())
    for name, content in result.files.items():
        assert content == (TEMPLATES / name).read_bytes()


needs_terraform = pytest.mark.skipif(TERRAFORM_BIN is None, reason="no terraform binary on PATH")


@needs_terraform
def test_terraform_fmt_check() -> None:
    result = run_terraform("fmt", "-check", "-recursive", "-diff", "-no-color", str(TERRAFORM), cwd=TERRAFORM)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_terraform
@pytest.mark.parametrize("module", ["root-watcher", "root-watcher-org"])
def test_terraform_validate(module: str, tmp_path: Path) -> None:
    plugins = plugin_dir()
    if plugins is None:
        pytest.skip(
            "terraform validate needs a local hashicorp/aws provider (ROOTGUARD_TF_PLUGIN_DIR or /opt/tf-plugins)"
        )
    work = tmp_path / module
    shutil.copytree(TERRAFORM / module, work)
    init = run_terraform("init", "-backend=false", "-input=false", "-no-color", f"-plugin-dir={plugins}", cwd=work)
    assert init.returncode == 0, init.stdout + init.stderr
    validate = run_terraform("validate", "-no-color", cwd=work)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "Warning" not in validate.stdout + validate.stderr

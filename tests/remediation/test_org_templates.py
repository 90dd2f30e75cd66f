"""The organization templates (`remediate --org`): lint clean, say what AWS requires, and agree with rootguard.

The audit role must allow exactly what `rootguard permissions` prints; the StackSet embeds the role
template verbatim; the SCP lets AssumeRoot sessions through; the AssumeRoot limits name the five task
policies; the README holds the three commands that enable centralized root access.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode
from remediation_files import TEMPLATES
from test_cloudformation_templates import lint_findings
from test_terraform_templates import (
    MODULE_FILES,
    TERRAFORM_BIN,
    declared_variables,
    needs_terraform,
    plugin_dir,
    run_terraform,
    unbalanced,
    used_variables,
)

from rootguard.app.permissions import audit_actions
from rootguard.errors import UsageError
from rootguard.remediation import TemplateFormat
from rootguard.remediation.organization import (
    ATTACH_COMMANDS,
    ORG_CATALOG,
    OU_PLACEHOLDER,
    attach_commands,
    parse_ou_ids,
    render_organization,
)

ORG = TEMPLATES / "organization"
CFN = ORG / "cloudformation"
MODULE = ORG / "terraform" / "rootguard-audit-stackset"
TASK_POLICIES = {
    f"arn:aws:iam::aws:policy/root-task/{name}"
    for name in (
        "IAMAuditRootUserCredentials",
        "IAMCreateRootUserPassword",
        "IAMDeleteRootUserCredentials",
        "S3UnlockBucketPolicy",
        "SQSUnlockQueuePolicy",
    )
}
# What the management account calls for the organization itself, never needed inside a member.
ORGANIZATION_LEVEL = ("organizations:", "sts:", "iam:ListOrganizationsFeatures")


def load(path: Path) -> dict[str, Any]:
    template, problems = decode(str(path))
    assert not problems, problems
    assert template is not None
    return dict(template)


def member_audit_actions() -> list[str]:
    return sorted(action for action in audit_actions() if not action.startswith(ORGANIZATION_LEVEL))


def role_policy_actions(template: dict[str, Any]) -> list[str]:
    role = template["Resources"]["RootguardAuditRole"]
    [policy] = role["Properties"]["Policies"]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    return list(statement["Action"])


@pytest.mark.parametrize("name", ["rootguard-audit-role.yaml", "rootguard-audit-stackset.yaml"])
def test_cfn_lint_reports_nothing(name: str) -> None:
    assert lint_findings((CFN / name).read_text()) == []


@pytest.mark.parametrize("name", ["rootguard-audit-role.yaml", "rootguard-audit-stackset.yaml"])
def test_every_template_explains_itself(name: str) -> None:
    template = load(CFN / name)
    assert "rootguard" in template["Description"]
    assert (CFN / name).read_text().count("\n#") >= 2
    for parameter_name, parameter in template["Parameters"].items():
        assert parameter.get("Description"), parameter_name


def test_the_audit_role_allows_exactly_what_rootguard_permissions_prints() -> None:
    assert role_policy_actions(load(CFN / "rootguard-audit-role.yaml")) == member_audit_actions()


def test_the_audit_role_trusts_only_the_auditor_account() -> None:
    role = load(CFN / "rootguard-audit-role.yaml")["Resources"]["RootguardAuditRole"]["Properties"]
    assert role["RoleName"] == {"Ref": "RoleName"}
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AuditorAccountId}:root"}}
    parameters = load(CFN / "rootguard-audit-role.yaml")["Parameters"]
    assert parameters["RoleName"]["Default"] == "rootguard-audit"
    assert parameters["ExternalId"]["NoEcho"] is True


def test_the_stackset_is_service_managed_and_embeds_the_role_template_verbatim() -> None:
    template = load(CFN / "rootguard-audit-stackset.yaml")
    stack_set = template["Resources"]["RootguardAuditStackSet"]
    assert stack_set["Type"] == "AWS::CloudFormation::StackSet"
    properties = stack_set["Properties"]
    assert properties["PermissionModel"] == "SERVICE_MANAGED"
    assert properties["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert properties["Capabilities"] == ["CAPABILITY_NAMED_IAM"]
    [group] = properties["StackInstancesGroup"]
    assert group["DeploymentTargets"] == {"OrganizationalUnitIds": {"Ref": "OrganizationalUnitIds"}}
    assert properties["TemplateBody"] == (CFN / "rootguard-audit-role.yaml").read_text()
    passed = {p["ParameterKey"]: p["ParameterValue"] for p in properties["Parameters"]}
    assert passed["AuditorAccountId"] == {
        "Fn::If": ["AuditFromThisAccount", {"Ref": "AWS::AccountId"}, {"Ref": "AuditorAccountId"}]
    }
    assert set(passed) == set(load(CFN / "rootguard-audit-role.yaml")["Parameters"])


def test_the_embedded_member_template_lints_clean_too() -> None:
    body = load(CFN / "rootguard-audit-stackset.yaml")["Resources"]["RootguardAuditStackSet"]["Properties"]
    assert lint_findings(str(body["TemplateBody"])) == []


# --- Terraform ---


def test_the_terraform_module_deploys_the_same_role_template() -> None:
    assert (MODULE / "rootguard-audit-role.yaml").read_bytes() == (CFN / "rootguard-audit-role.yaml").read_bytes()
    main = (MODULE / "main.tf").read_text()
    assert 'template_body    = file("${path.module}/rootguard-audit-role.yaml")' in main
    assert 'permission_model = "SERVICE_MANAGED"' in main
    assert "organizational_unit_ids = var.organizational_unit_ids" in main


@pytest.mark.parametrize("name", MODULE_FILES)
def test_terraform_brackets_balance(name: str) -> None:
    assert unbalanced((MODULE / name).read_text()) == []


def test_terraform_variables_are_declared_and_used() -> None:
    assert used_variables(MODULE) == declared_variables(MODULE)


@needs_terraform
def test_terraform_fmt_check() -> None:
    result = run_terraform("fmt", "-check", "-recursive", "-diff", "-no-color", str(ORG / "terraform"), cwd=ORG)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_terraform
def test_terraform_validate(tmp_path: Path) -> None:
    assert TERRAFORM_BIN is not None
    plugins = plugin_dir()
    if plugins is None:
        pytest.skip(
            "terraform validate needs the hashicorp/aws provider and tests never download it: "
            "set ROOTGUARD_TF_PLUGIN_DIR to a provider mirror (or fill /opt/tf-plugins)"
        )
    work = tmp_path / MODULE.name
    shutil.copytree(MODULE, work)
    init = run_terraform("init", "-backend=false", "-input=false", "-no-color", f"-plugin-dir={plugins}", cwd=work)
    assert init.returncode == 0, init.stdout + init.stderr
    validate = run_terraform("validate", "-no-color", cwd=work)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "Warning" not in validate.stdout + validate.stderr


# --- policies ---


def statements(path: Path) -> dict[str, dict[str, Any]]:
    document = json.loads(path.read_text())
    assert document["Version"] == "2012-10-17"
    return {statement["Sid"]: statement for statement in document["Statement"]}


def test_the_assume_root_iam_policy_names_the_break_glass_role_and_the_five_task_policies() -> None:
    policy = statements(ORG / "iam" / "limit-assume-root.json")
    assert {s["Action"] for s in policy.values()} == {"sts:AssumeRoot"}
    allow = policy["AllowBreakGlassTheFiveRootTasks"]
    assert allow["Effect"] == "Allow"
    assert allow["Condition"]["ArnLike"] == {"aws:PrincipalArn": "arn:aws:iam::*:role/root-break-glass"}
    assert set(allow["Condition"]["ArnEquals"]["sts:TaskPolicyArn"]) == TASK_POLICIES
    other_tasks = policy["DenyAssumeRootWithOtherTaskPolicies"]
    assert other_tasks["Effect"] == "Deny"
    assert set(other_tasks["Condition"]["ArnNotEquals"]["sts:TaskPolicyArn"]) == TASK_POLICIES
    others = policy["DenyAssumeRootExceptBreakGlassAndAuditor"]["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert "arn:aws:iam::*:role/root-break-glass" in others
    auditor = policy["DenyAuditorAnythingButAudit"]["Condition"]
    assert auditor["ArnNotEquals"] == {
        "sts:TaskPolicyArn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
    }


def test_the_delegated_admin_scp_is_the_deny_half_of_the_iam_policy() -> None:
    scp = statements(ORG / "scp" / "restrict-assume-root-delegated-admin.json")
    iam = statements(ORG / "iam" / "limit-assume-root.json")
    assert all(statement["Effect"] == "Deny" for statement in scp.values())
    assert scp == {sid: statement for sid, statement in iam.items() if statement["Effect"] == "Deny"}
    assert len((ORG / "scp" / "restrict-assume-root-delegated-admin.json").read_text()) < 5120  # the SCP size limit


def test_the_readme_has_the_steps_and_says_where_each_limit_applies() -> None:
    readme = (ORG / "README.md").read_text()
    for command in (
        "aws organizations enable-aws-service-access --service-principal iam.amazonaws.com",
        "aws iam enable-organizations-root-credentials-management",
        "aws iam enable-organizations-root-sessions",
    ):
        assert command in readme
    assert "SCPs do not apply there" in readme
    assert "delegated administrator" in readme
    assert "NotAction" in readme
    assert readme.index("enable-aws-service-access") < readme.index("enable-organizations-root-credentials-management")


# --- what --org writes ---


@pytest.mark.parametrize("fmt", list(TemplateFormat))
def test_render_organization_writes_every_catalogued_file_and_the_attach_commands(fmt: TemplateFormat) -> None:
    files = render_organization(fmt, ["ou-ab12-cdef3456"])
    catalogued = [path for template in ORG_CATALOG for path in template.files[fmt]]
    assert list(files) == [*catalogued, ATTACH_COMMANDS]
    for path in catalogued:
        assert files[path] == (TEMPLATES / path).read_bytes()
    assert "scp/deny-root-except-assumed-root.json" in files


def test_attach_commands_create_the_scp_and_attach_it_to_each_ou() -> None:
    script = attach_commands(["ou-ab12-cdef3456", "ou-ab12-99998888"])
    assert script.startswith("#!/bin/sh\n")
    assert "aws organizations create-policy" in script and "--type SERVICE_CONTROL_POLICY" in script
    assert "--content file://scp/deny-root-except-assumed-root.json" in script
    attach = [line for line in script.splitlines() if line.startswith("aws organizations attach-policy")]
    assert attach == [
        'aws organizations attach-policy --policy-id "$policy_id" --target-id ou-ab12-cdef3456',
        'aws organizations attach-policy --policy-id "$policy_id" --target-id ou-ab12-99998888',
    ]
    assert "NotAction" in script


def test_without_ous_the_attach_command_is_a_commented_placeholder() -> None:
    script = attach_commands([])
    assert not [line for line in script.splitlines() if line.startswith("aws organizations attach-policy")]
    assert f"--target-id {OU_PLACEHOLDER}" in script


def test_attach_commands_are_valid_shell() -> None:
    sh = shutil.which("sh")
    if sh is None:
        pytest.skip("no sh on PATH")
    import subprocess

    result = subprocess.run([sh, "-n"], input=attach_commands(["ou-ab12-cdef3456"]), text=True, check=False)
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ou-ab12-cdef3456", ("ou-ab12-cdef3456",)),
        ("ou-ab12-cdef3456, ou-ab12-99998888,ou-ab12-cdef3456", ("ou-ab12-cdef3456", "ou-ab12-99998888")),
    ],
)
def test_parse_ou_ids(text: str, expected: tuple[str, ...]) -> None:
    assert parse_ou_ids(text) == expected


@pytest.mark.parametrize("text", ["", "r-ab12", "ou-ab12-cdef3456; rm -rf /", "OU-AB12-CDEF3456"])
def test_parse_ou_ids_refuses_what_is_not_an_ou(text: str) -> None:
    with pytest.raises(UsageError, match="--ou"):
        parse_ou_ids(text)


def test_attach_commands_refuse_a_malformed_ou() -> None:
    with pytest.raises(UsageError):
        attach_commands(["ou-x; echo pwned"])


def test_every_organization_template_and_file_is_in_the_contract() -> None:
    contract = (Path(__file__).parents[2] / "docs" / "CONTRACT.md").read_text(encoding="utf-8")
    section = contract.split("### 10.1 Organization templates", 1)[1].split("\n## ", 1)[0]
    for template in ORG_CATALOG:
        assert f"| `{template.template_id}` | {template.title} |" in section, template.template_id
        for paths in template.files.values():
            for path in paths:
                folder, _, name = path.rpartition("/")
                assert f"`{path}`" in section or (f"`{folder}/`" in section and f"`{name}`" in section), path
    assert f"`{ATTACH_COMMANDS}`" in section

"""The organization templates ``rootguard remediate --org`` writes (contract §10).

Static package data like the single-account catalogue, plus one generated file: the
``aws organizations`` commands that create the deny-root SCP and attach it to the OUs the user chose
(``--ou``). The same OUs always give the same bytes.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from rootguard.errors import UsageError
from rootguard.remediation.catalog import Template, TemplateFormat, render

_ORG = "organization"
_AUDIT_ROLE_MODULE = tuple(
    f"{_ORG}/terraform/rootguard-audit-stackset/{part}"
    for part in ("versions.tf", "variables.tf", "main.tf", "outputs.tf", "rootguard-audit-role.yaml")
)
_SCP = ("scp/deny-root-except-assumed-root.json", "scp/README.md")

ORG_CATALOG: tuple[Template, ...] = (
    Template(
        template_id="org-readme",
        title="Steps to enable centralized root access, and the order of the fixes",
        description="organization/README.md: the aws commands that turn on centralized root access, then each file.",
        files=dict.fromkeys(TemplateFormat, (f"{_ORG}/README.md",)),
        fixes=("org-root-credentials-centralized",),
        notes="Run its commands from the management account, with IAM credentials (not root).",
    ),
    Template(
        template_id="org-audit-role-stackset",
        title="Service-managed StackSet deploying the read-only rootguard-audit role to every member",
        description=(
            "The role trusts the account the StackSet runs in and allows exactly what `rootguard permissions` prints."
        ),
        files={
            TemplateFormat.CLOUDFORMATION: (
                f"{_ORG}/cloudformation/rootguard-audit-stackset.yaml",
                f"{_ORG}/cloudformation/rootguard-audit-role.yaml",
            ),
            TemplateFormat.TERRAFORM: _AUDIT_ROLE_MODULE,
        },
        fixes=(),
        notes="Deploy in the management account (or a StackSets delegated administrator) and one Region.",
    ),
    Template(
        template_id="org-deny-root-scp",
        title="SCP denying member root users except AssumeRoot sessions",
        description="scp/deny-root-except-assumed-root.json and the create-policy / attach-policy commands.",
        files=dict.fromkeys(TemplateFormat, _SCP),
        fixes=("org-scp-deny-root",),
        notes="SCPs never restrict the management account; NotAction allow-list SCPs break AssumeRoot tasks.",
    ),
    Template(
        template_id="org-limit-assume-root",
        title="Who may call sts:AssumeRoot, and with which of the five task policies",
        description=(
            "An IAM policy for the management account (SCPs do not apply there) and an SCP for a "
            "delegated-administrator member account."
        ),
        files=dict.fromkeys(
            TemplateFormat,
            (f"{_ORG}/iam/limit-assume-root.json", f"{_ORG}/scp/restrict-assume-root-delegated-admin.json"),
        ),
        fixes=(),
        notes="Replace the role ARNs; attach the IAM policy to every principal with sts:* in the management account.",
    ),
)

ATTACH_COMMANDS = f"{_ORG}/scp/attach-commands.sh"
"""The one generated file: create the deny-root SCP, attach it to the ``--ou`` OUs."""

OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
"""Organizations' pattern for an OU id."""
OU_PLACEHOLDER = "ou-xxxx-xxxxxxxx"


def parse_ou_ids(text: str) -> tuple[str, ...]:
    """``--ou ou-a,ou-b`` → the OU ids, in order, without repeats; a malformed id is a usage error."""
    ids: list[str] = []
    for part in text.split(","):
        ou = part.strip()
        if not OU_ID.match(ou):
            raise UsageError(f"--ou: {ou!r} is not an OU id (ou-xxxx-xxxxxxxx)")
        if ou not in ids:
            ids.append(ou)
    return tuple(ids)


def render_organization(fmt: TemplateFormat, ous: Sequence[str] = ()) -> dict[str, bytes]:
    """Every organization template in ``fmt`` plus the attach commands for ``ous``: path → content."""
    files: dict[str, bytes] = {}
    for template in ORG_CATALOG:
        files.update(render(template, fmt))
    files[ATTACH_COMMANDS] = attach_commands(ous).encode()
    return files


def attach_commands(ous: Sequence[str]) -> str:
    """A POSIX shell script: ``create-policy`` for the deny-root SCP, ``attach-policy`` per OU."""
    for ou in ous:
        if not OU_ID.match(ou):
            raise UsageError(f"{ou!r} is not an OU id (ou-xxxx-xxxxxxxx)")
    lines = [
        "#!/bin/sh",
        "# Written by `rootguard remediate --org`. Creates the SCP that denies the root user of member accounts",
        "# (except sts:AssumeRoot sessions) and attaches it to the OUs given with --ou.",
        "# Run it from the folder rootguard wrote (the one holding scp/ and organization/), with credentials of",
        "# the management account. Read scp/README.md first: SCPs never restrict the management account, and",
        "# an older root-deny SCP built on NotAction (an allow-list) also blocks AssumeRoot tasks: replace it.",
        "set -eu",
        "",
        "policy_id=$(aws organizations create-policy \\",
        "  --type SERVICE_CONTROL_POLICY \\",
        "  --name rootguard-deny-root-except-assumed-root \\",
        '  --description "Deny the root user except sts:AssumeRoot sessions (rootguard)" \\',
        "  --content file://scp/deny-root-except-assumed-root.json \\",
        "  --query Policy.PolicySummary.Id --output text)",
        'echo "created SCP $policy_id"',
        "",
    ]
    if ous:
        lines += [
            f'aws organizations attach-policy --policy-id "$policy_id" --target-id {shlex.quote(ou)}' for ou in ous
        ]
    else:
        lines += [
            "# No --ou was given: name the OUs here (or rerun `rootguard remediate --org --ou ou-…`).",
            f'# aws organizations attach-policy --policy-id "$policy_id" --target-id {OU_PLACEHOLDER}',
        ]
    lines += [
        "",
        "# Only when an IAM delegated administrator (a member account) calls sts:AssumeRoot: limit it there.",
        "# Replace the role ARNs in the file first; SCPs do not apply in the management account (use",
        "# organization/iam/limit-assume-root.json there).",
        "# restrict_id=$(aws organizations create-policy --type SERVICE_CONTROL_POLICY \\",
        "#   --name rootguard-restrict-assume-root \\",
        "#   --description 'Limit sts:AssumeRoot to the break-glass role and the five task policies' \\",
        "#   --content file://organization/scp/restrict-assume-root-delegated-admin.json \\",
        "#   --query Policy.PolicySummary.Id --output text)",
        '# aws organizations attach-policy --policy-id "$restrict_id" --target-id <delegated-admin-account-id>',
        "",
    ]
    return "\n".join(lines)

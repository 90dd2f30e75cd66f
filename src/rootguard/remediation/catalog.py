"""The remediation catalogue: which infrastructure-as-code template fixes which failing check.

The templates themselves are package data under ``templates/`` (CloudFormation YAML, Terraform modules,
an SCP), so they can be linted, diffed and reviewed as the files a user deploys. This module only names
them and reads them; the CLI decides where to write them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from importlib.resources.abc import Traversable

from rootguard.errors import UsageError


class TemplateFormat(StrEnum):
    CLOUDFORMATION = "cloudformation"
    TERRAFORM = "terraform"


@dataclass(frozen=True)
class Template:
    template_id: str
    title: str
    description: str
    files: Mapping[TemplateFormat, tuple[str, ...]]
    """Format → paths relative to ``templates/``; ``render`` returns them under the same names."""
    fixes: tuple[str, ...]
    """Check ids whose FAIL this template fixes; empty when only ``all_templates`` picks it."""
    notes: str = ""
    """What the deployer must do besides deploying (confirm a subscription, pick Regions, …)."""


def _terraform_module(name: str) -> tuple[str, ...]:
    return tuple(f"terraform/{name}/{part}" for part in ("versions.tf", "variables.tf", "main.tf", "outputs.tf"))


_SCP_FILES = ("scp/deny-root-except-assumed-root.json", "scp/README.md")
_FORWARDER = "root-watcher-forwarder.yaml"


def _watch_module(name: str, *extra: str) -> tuple[str, ...]:
    parts = ("versions.tf", "variables.tf", "main.tf", "outputs.tf", *extra)
    return tuple(f"watch/terraform/{name}/{part}" for part in parts)


CATALOG: tuple[Template, ...] = (
    Template(
        template_id="root-usage-alarm",
        title="CloudWatch alarm on root usage (CIS 4.3)",
        description=(
            "A metric filter with the exact CIS pattern on the CloudTrail log group, an alarm "
            "(Sum, 300 s, >= 1) and an encrypted SNS topic with an e-mail subscription."
        ),
        files={
            TemplateFormat.CLOUDFORMATION: ("cloudformation/root-usage-alarm.yaml",),
            TemplateFormat.TERRAFORM: _terraform_module("root-usage-alarm"),
        },
        fixes=("root-usage-alarm", "root-alerting"),
        notes=(
            "Deploy in the Region of the log group of a multi-Region trail; the recipient must confirm "
            "the SNS subscription e-mail before any alert is delivered."
        ),
    ),
    Template(
        template_id="root-activity-eventbridge",
        title="EventBridge rule on root API calls and console sign-ins",
        description=(
            "Matches CloudTrail API calls and console sign-ins whose userIdentity.type is Root, e-mails them "
            "through an encrypted SNS topic and can forward them to a central event bus."
        ),
        files={
            TemplateFormat.CLOUDFORMATION: ("cloudformation/root-activity-eventbridge.yaml",),
            TemplateFormat.TERRAFORM: _terraform_module("root-activity-eventbridge"),
        },
        fixes=("root-alerting",),
        notes=(
            "Deploy in every Region (e.g. a StackSet): events reach EventBridge only in the Region where the "
            "call or sign-in happened. Confirm the SNS subscription e-mail."
        ),
    ),
    Template(
        template_id="root-config-rules",
        title="AWS Config managed rules for the root user",
        description=(
            "root-account-mfa-enabled, root-account-hardware-mfa-enabled and iam-root-access-key-check, "
            "evaluated periodically."
        ),
        files={
            TemplateFormat.CLOUDFORMATION: ("cloudformation/root-config-rules.yaml",),
            TemplateFormat.TERRAFORM: _terraform_module("root-config-rules"),
        },
        fixes=("root-config-rules",),
        notes="Needs a running AWS Config configuration recorder; deploy in one Region per account.",
    ),
    Template(
        template_id="deny-root-scp",
        title="SCP denying the root user except AssumeRoot sessions",
        description=(
            "A service control policy for member accounts that denies everything to root unless the session "
            "came from sts:AssumeRoot. The policy document is the same for either format."
        ),
        files=dict.fromkeys(TemplateFormat, _SCP_FILES),
        fixes=(),
        notes="SCPs never restrict the management account; see the README before attaching it.",
    ),
    Template(
        template_id="root-watcher",
        title="Root activity watcher: EventBridge to rootguard's classifier in Lambda to SNS",
        description=(
            "An EventBridge rule (read-only calls too) invoking the `rootguard package-watcher` zip, which "
            "publishes each root event, explained, to an SNS topic with e-mail and optional Slack (AWS "
            "Chatbot) subscribers; a dead-letter queue, alarms on the watcher's own failures, an optional "
            "SQS queue for `rootguard watch`, least-privilege roles."
        ),
        files={
            TemplateFormat.CLOUDFORMATION: ("watch/cloudformation/root-watcher.yaml",),
            TemplateFormat.TERRAFORM: _watch_module("root-watcher"),
        },
        fixes=(),
        notes=(
            "Build the code with `rootguard package-watcher --out watcher.zip` first. One account: deploy in "
            "us-east-1 and every other Region you allow. An organization: deploy once in the security account "
            "with the organization id, then root-watcher-org. Confirm the e-mail subscriptions."
        ),
    ),
    Template(
        template_id="root-watcher-org",
        title="Root activity watcher for an organization: forwarding rules in every member account and Region",
        description=(
            "A service-managed StackSet putting a forwarding rule (root use, AssumeRoot calls, self-tests) in "
            "every member account and chosen Region, to the central bus root-watcher creates; us-east-1 is "
            "required."
        ),
        files={
            TemplateFormat.CLOUDFORMATION: (
                "watch/cloudformation/root-watcher-org.yaml",
                f"watch/cloudformation/{_FORWARDER}",
            ),
            TemplateFormat.TERRAFORM: _watch_module("root-watcher-org", _FORWARDER),
        },
        fixes=(),
        notes=(
            "Deploy in the management account (or a StackSets delegated administrator) after root-watcher; "
            "StackSets skip the management account, so deploy root-watcher-forwarder there in every Region."
        ),
    ),
)

WATCH_TEMPLATE_IDS = ("root-watcher", "root-watcher-org")
"""What ``rootguard remediate --watch`` writes: the watcher, for one account or an organization."""

_BY_ID: Mapping[str, Template] = {template.template_id: template for template in CATALOG}


def get_template(template_id: str) -> Template:
    """The catalogue entry for ``template_id``; a UsageError names the known ids."""
    try:
        return _BY_ID[template_id]
    except KeyError:
        known = ", ".join(_BY_ID)
        raise UsageError(f"Unknown remediation template {template_id!r}; choose one of: {known}.") from None


def select_templates(failing_check_ids: Iterable[str], *, all_templates: bool) -> list[Template]:
    """Templates that fix at least one of the failing checks, in catalogue order (every one if asked)."""
    if all_templates:
        return list(CATALOG)
    failing = set(failing_check_ids)
    return [template for template in CATALOG if failing.intersection(template.fixes)]


def watch_templates() -> list[Template]:
    return [get_template(template_id) for template_id in WATCH_TEMPLATE_IDS]


def templates_root() -> Traversable:
    """The packaged ``templates/`` folder."""
    return files("rootguard.remediation") / "templates"


def render(template: Template, fmt: TemplateFormat) -> dict[str, bytes]:
    """The template's files in ``fmt``: path relative to ``templates/`` → content. Reads, never writes."""
    root = templates_root()
    rendered: dict[str, bytes] = {}
    for relative in template.files[fmt]:
        resource = root.joinpath(*relative.split("/"))
        rendered[relative] = resource.read_bytes()
    return rendered


def remediation_hint(template_id: str) -> str:
    """One sentence for a check's remediation text that points at the template fixing it."""
    template = get_template(template_id)
    cloudformation = _describe(template.files[TemplateFormat.CLOUDFORMATION])
    terraform = _describe(template.files[TemplateFormat.TERRAFORM])
    if cloudformation == terraform:
        return f"`rootguard remediate` writes {cloudformation} (the {template_id} template, any --format)."
    return (
        f"`rootguard remediate --format cloudformation` writes {cloudformation} "
        f"(`--format terraform`: {terraform}) from the {template_id} template."
    )


def _describe(paths: tuple[str, ...]) -> str:
    """A Terraform module is named by its folder; other files by their own paths."""
    folders = {path.rsplit("/", 1)[0] for path in paths}
    if len(folders) == 1 and paths[0].startswith(f"{TemplateFormat.TERRAFORM}/"):
        return f"{folders.pop()}/"
    return ", ".join(paths)

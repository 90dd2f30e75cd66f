"""An organization bundle's ``organization/`` and ``assume-root/`` files → one ``OrganizationView`` per account.

Every file is read through the document store (never through a link); an absent, refused or malformed
file becomes a Gap naming the file and the IAM action that fills it (contract §5.3, §5.7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from rootguard.evidence.store import DocumentStore, parse, parse_document
from rootguard.model import organization as org
from rootguard.model.activity import (
    DeliveredLog,
    Digest,
    SkippedSource,
    TrailReads,
    TrailRecord,
    TrailScan,
    merge_reads,
)
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.iam import account_summary_from_document
from rootguard.model.organization_operations import (
    ACCOUNTS_FOR_PARENT,
    ASSUME_ROOT,
    AUDIT_ROLE,
    DESCRIBE_ORGANIZATION,
    DESCRIBE_POLICY,
    LIST_ACCOUNTS,
    LIST_ROOTS,
    LOGIN_PROFILE,
    ORGANIZATION_FOLDER,
    ORGANIZATIONS_FEATURES,
    OUS_FOR_PARENT,
    POLICIES_FOR_TARGET,
    ROOT_ACCESS_KEY_LAST_USED,
    ROOT_ACCESS_KEYS,
    ROOT_ACCOUNT_SUMMARY,
    ROOT_MFA_DEVICES,
    ROOT_SIGNING_CERTIFICATES,
    SELECTION,
    TAGS_FOR_RESOURCE,
)
from rootguard.model.policy_document import PolicyDocument, policy_document_from

ORG = ORGANIZATION_FOLDER
ROOT_NAME = "Root"
MAX_OUS = 10_000
"""AWS allows at most five levels of OUs and a few thousand OUs: a bound that stops a looping listing."""


def load_views(
    store: DocumentStore, accounts: Sequence[str], trails: Mapping[str, TrailScan | Gap]
) -> dict[str, org.OrganizationView]:
    """Each account's organization view; ``trails``: every account's CloudTrail scan, by account id."""
    facts = parse(store, DESCRIBE_ORGANIZATION, ORG, org.organization_from_document)
    listed = parse(store, LIST_ACCOUNTS, ORG, org.accounts_from_document)
    selection = parse(store, SELECTION, ORG, org.selection_from_document)
    roots = parse(store, LIST_ROOTS, ORG, org.roots_from_document)
    tree = _Tree.read(store, roots[0]) if not isinstance(roots, Gap) else None
    evidence = org.OrganizationEvidence(
        facts=facts,
        features=parse(store, ORGANIZATIONS_FEATURES, ORG, org.features_from_document),
        accounts=listed,
        selection=selection,
        scp_enabled=roots if isinstance(roots, Gap) else roots[1],
    )
    # Unknown from the files (unread): the manifest lists the management account first (§5.7), so the
    # organization-wide verdicts still land on a row instead of vanishing.
    management = evidence.management_account_id or (accounts[0] if accounts else None)
    # The organization-wide verdicts go on the management account's row, or on the first row when a delegated
    # administrator's bundle does not hold the management account: never on no row at all.
    rollup = management if management in accounts else (accounts[0] if accounts else None)
    by_id = {a.account_id: a for a in listed} if not isinstance(listed, Gap) else {}
    members = [a for a in accounts if a != management]
    evidence = replace(evidence, member_trails=member_trails(members, trails))
    views = {}
    for account_id in accounts:
        placement = tree.placement(account_id) if tree is not None else _gap_of(roots)
        views[account_id] = org.OrganizationView(
            organization=evidence,
            account_id=account_id,
            account=by_id.get(account_id) or _unlisted(listed, account_id),
            management=account_id == management,
            rollup=account_id == rollup,
            placement=placement,
            tags=parse(store, TAGS_FOR_RESOURCE, ORG, org.tags_from_document, resource=account_id),
            scp_levels=_scp_levels(store, placement, account_id),
            root_probe=None if account_id == management else root_probe(store, account_id),
            trail=evidence.member_trails.get(account_id) or trails.get(account_id) or _no_trail(account_id),
            collected_directly=_directly(selection, account_id),
            audit_role=None if account_id == management else _audit_role(store, account_id),
        )
    return views


def _directly(selection: org.Selection | Gap, account_id: str) -> bool:
    row = selection.rows.get(account_id) if isinstance(selection, org.Selection) else None
    return row is not None and row.collected_directly


def _audit_role(store: DocumentStore, account_id: str) -> Mapping[str, Any] | Gap | None:
    answer = store.get(AUDIT_ROLE, account_id)
    if isinstance(answer, Gap):
        return None if answer.kind is GapKind.NOT_COLLECTED else answer
    return answer if isinstance(answer, dict) else None


def _gap_of(value: object) -> Gap:
    assert isinstance(value, Gap)
    return value


def _unlisted(listed: tuple[org.OrgAccount, ...] | Gap, account_id: str) -> Gap:
    if isinstance(listed, Gap):
        return listed
    return Gap(
        GapKind.INCOMPLETE,
        LIST_ACCOUNTS.path(),
        f"account {account_id} is in the manifest but not in the ListAccounts answer.",
        f"collect the organization bundle again (`rootguard org collect`); {LIST_ACCOUNTS.fix()}",
    )


def _no_trail(account_id: str) -> Gap:
    return Gap(
        GapKind.NOT_COLLECTED,
        f"{account_id}/cloudtrail-logs/",
        "no CloudTrail evidence in the bundle names this account as recipientAccountId.",
        "collect the member's CloudTrail (LookupEvents through the audit role), or put the organization trail's "
        f"AWSLogs/o-…/{account_id}/ log files under the management account's cloudtrail-logs/",
    )


# The OU tree ---------------------------------------------------------------------------------------------


@dataclass
class _Tree:
    """Every parent (the root and each OU, recursively) with what its listings say, and the gaps met."""

    found: dict[str, org.AccountPlacement] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)

    @classmethod
    def read(cls, store: DocumentStore, root_id: str) -> _Tree:
        tree = cls()
        queue: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [(root_id, (root_id,), (ROOT_NAME,))]
        seen: set[str] = set()
        while queue and len(seen) < MAX_OUS:
            parent, ids, names = queue.pop(0)
            if parent in seen:
                continue
            seen.add(parent)
            children = parse(store, ACCOUNTS_FOR_PARENT, ORG, org.child_accounts_from_document, resource=parent)
            if isinstance(children, Gap):
                tree.gaps.append(children)
            else:
                for account_id in children:
                    tree.found.setdefault(account_id, org.AccountPlacement(ids, names))
            units = parse(store, OUS_FOR_PARENT, ORG, org.units_from_document, resource=parent)
            if isinstance(units, Gap):
                tree.gaps.append(units)
                continue
            queue.extend((unit_id, (*ids, unit_id), (*names, name)) for unit_id, name in units)
        return tree

    def placement(self, account_id: str) -> org.AccountPlacement | Gap:
        if account_id in self.found:
            return self.found[account_id]
        if self.gaps:  # an unread listing may hold it
            return self.gaps[0]
        return Gap(
            GapKind.INCOMPLETE,
            f"{ORG}/organizations/list-accounts-for-parent/",
            f"account {account_id} is not listed under the root or any OU.",
            "collect the organization bundle again (`rootguard org collect`): every parent's "
            "list-accounts-for-parent answer is needed (organizations:ListAccountsForParent)",
        )


def _scp_levels(
    store: DocumentStore, placement: org.AccountPlacement | Gap, account_id: str
) -> tuple[org.ScpLevel, ...] | Gap:
    if isinstance(placement, Gap):
        return placement
    labels = [f"root {placement.parent_ids[0]}"]
    labels += [f"OU {name} ({ou})" for ou, name in zip(placement.parent_ids[1:], placement.names[1:], strict=True)]
    targets = [*placement.parent_ids, account_id]
    labels.append(f"account {account_id}")
    return tuple(org.ScpLevel(t, label, _policies(store, t)) for t, label in zip(targets, labels, strict=True))


def _policies(store: DocumentStore, target: str) -> tuple[org.Scp, ...] | Gap:
    refs = parse(store, POLICIES_FOR_TARGET, ORG, org.policy_refs_from_document, resource=target)
    if isinstance(refs, Gap):
        return refs
    found = []
    for policy_id, name in refs:
        content = parse(store, DESCRIBE_POLICY, ORG, org.policy_content_from_document, resource=policy_id)
        source = DESCRIBE_POLICY.path(resource=policy_id)
        document = parse_document(
            content,
            partial(_policy_document, where=f"{source} Policy.Content"),
            source=source,
            command=DESCRIBE_POLICY.command(argument=policy_id),
        )
        found.append(org.Scp(policy_id, name, document))
    return tuple(found)


def _policy_document(text: Any, *, where: str) -> PolicyDocument:
    return policy_document_from(text, where)


# The member's root, read through AssumeRoot -------------------------------------------------------------------


def root_probe(store: DocumentStore, account_id: str) -> org.RootProbe:
    profile_document = store.get(LOGIN_PROFILE, account_id)
    login_profile: org.LoginProfile | Gap | None
    if isinstance(profile_document, Gap) and profile_document.code == "NoSuchEntity":
        login_profile = None  # GetLoginProfile's answer when root has no password
    else:
        login_profile = parse_document(
            profile_document,
            org.login_profile_from_document,
            source=LOGIN_PROFILE.path(account_id),
            command=LOGIN_PROFILE.command(),
        )
    return org.RootProbe(
        session=parse(store, ASSUME_ROOT, account_id, org.assume_root_from_document),
        login_profile=login_profile,
        access_keys=_access_keys(store, account_id),
        mfa_devices=parse(store, ROOT_MFA_DEVICES, account_id, org.mfa_devices_from_document),
        signing_certificates=parse(store, ROOT_SIGNING_CERTIFICATES, account_id, org.certificates_from_document),
        account_summary=parse(store, ROOT_ACCOUNT_SUMMARY, account_id, account_summary_from_document),
    )


def _access_keys(store: DocumentStore, account_id: str) -> tuple[org.AccessKey, ...] | Gap:
    listed = parse(store, ROOT_ACCESS_KEYS, account_id, org.access_keys_from_document)
    if isinstance(listed, Gap):
        return listed
    return tuple(
        org.AccessKey(
            key_id,
            status,
            created,
            parse(store, ROOT_ACCESS_KEY_LAST_USED, account_id, org.key_last_used_from_document, resource=key_id),
        )
        for key_id, status, created in listed
    )


# Root use per member, from every CloudTrail input of the bundle ------------------------------------------------


@dataclass
class _Foreign:
    """What other accounts' inputs hold for one member: its records, log and digest reads, unreadable inputs."""

    records: list[TrailRecord] = field(default_factory=list)
    logs: list[DeliveredLog] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)
    skipped: list[SkippedSource] = field(default_factory=list)


def member_trails(members: Sequence[str], scans: Mapping[str, TrailScan | Gap]) -> dict[str, TrailScan | Gap]:
    """Each member's own scan plus what other accounts' inputs (an organization trail's ``AWSLogs/o-…/<member>/``
    files, usually under the management account) recorded with ``recipientAccountId`` = the member.

    Only the other inputs' delivered logs and digests of the member's account vouch for its time; their
    LookupEvents answers speak for their own account and are left out. Every input is sorted by account once,
    so an organization of hundreds of members costs one pass over the records.
    """
    wanted = set(members)
    found: dict[tuple[str, str], _Foreign] = {}  # (member, the account whose inputs hold it)

    def bucket(member: str, holder: str) -> _Foreign:
        return found.setdefault((member, holder), _Foreign())

    for holder, scan in scans.items():
        if not isinstance(scan, TrailScan):
            continue
        for record in scan.root_records:
            recipient = str(record.record.get("recipientAccountId", ""))
            if recipient in wanted and recipient != holder:
                bucket(recipient, holder).records.append(record)
        for log in scan.reads.logs:
            if log.account in wanted and log.account != holder:
                bucket(log.account, holder).logs.append(log)
        for digest in scan.reads.digests:
            if digest.account in wanted and digest.account != holder:
                bucket(digest.account, holder).digests.append(digest)
        for skipped in scan.skipped:
            for member in wanted - {holder}:
                if f"/{member}/" in skipped.path or f"{member}_" in skipped.path:
                    bucket(member, holder).skipped.append(skipped)
    merged: dict[str, _Foreign] = {}
    for (member, _), part in found.items():
        into = merged.setdefault(member, _Foreign())
        into.records += part.records
        into.logs += part.logs
        into.digests += part.digests
        into.skipped += part.skipped
    return {m: _with_foreign(m, scans.get(m), merged.get(m)) for m in members}


def _with_foreign(member: str, own: TrailScan | Gap | None, foreign: _Foreign | None) -> TrailScan | Gap:
    if foreign is None or not (foreign.records or foreign.logs or foreign.digests):
        return own if own is not None else _no_trail(member)
    base = own if isinstance(own, TrailScan) else TrailScan(files=0, records=0, root_records=())
    # The same record often arrives twice (the member's LookupEvents and the organization trail): count it once.
    seen = {_identity(r) for r in base.root_records}
    extra: list[TrailRecord] = []
    for record in foreign.records:
        if _identity(record) not in seen:
            seen.add(_identity(record))
            extra.append(record)
    reads = TrailReads(logs=tuple(foreign.logs), digests=tuple(foreign.digests))
    return TrailScan(
        files=base.files + len(foreign.logs) + len(foreign.digests),
        records=base.records + len(extra),
        root_records=(*base.root_records, *extra),
        skipped=(*base.skipped, *dict.fromkeys(foreign.skipped)),
        lookup_only=False,
        earliest_delivery=min(
            [d for d in [base.earliest_delivery, *(log.delivered for log in foreign.logs)] if d is not None],
            default=None,
        ),
        reads=merge_reads([base.reads, reads]),
    )


def _identity(record: TrailRecord) -> object:
    event_id = record.record.get("eventID")
    return (event_id, record.record.get("recipientAccountId")) if isinstance(event_id, str) else id(record)

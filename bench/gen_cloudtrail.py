"""Write a synthetic, deterministic CloudTrail archive with known root-user records.

The tree has the layout of a trail's S3 bucket::

    OUT/AWSLogs/[o-…/]<account>/CloudTrail/<region>/YYYY/MM/DD/
        <account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<random16>.json.gz

Each file is ``{"Records": [...]}`` in compact JSON (gzip level 6), about 1.4 KB per record. Callers
are realistic and varied (AssumedRole ~60 %, AWSService ~24 %, IAMUser ~9 %, AWSAccount, FederatedUser,
type-less ``AwsServiceEvent`` identities, failed sign-ins) and come in bursts, so the archive
compresses about 8× like a real one. Root records appear at a rate of about 1e-5 at random positions,
in every shape root activity takes (console sign-in with and without MFA, a failed sign-in, calls from
a console session, calls signed with a root access key, calls a service made for root, an
``AwsServiceEvent``, a centralized-root session). Decoys that are *not* root records sit at random
positions too (a role and IAM users named Root, ``"type":"Root"`` and whole ``userIdentity`` objects
inside requestParameters, escaped JSON strings). Adversarial files test the reader: pretty-printed
and re-ordered JSON, other whitespace and separators, ``"\\u0052oot"``, empty Records, a multi-member
gzip, a Digest file (to skip), an Insight file and an uncompressed ``.json``.

Next to ``AWSLogs/`` it writes ``expected_root.jsonl`` (eventID, file, kind of every true root record;
``gz`` is false for the one in the plain ``.json``) and ``manifest.json`` (totals, decoys, adversarial
files). The same ``--seed`` gives byte-identical output whatever ``--jobs`` is: every file is made from
its own random generator, seeded from the seed and the file's index. Standard library only.

    python bench/gen_cloudtrail.py --out DIR [--size-mb 500] [--accounts 8] [--days 2] [--seed 42]
                                   [--org-id o-a1b2c3d4e5] [--jobs 2]
"""

from __future__ import annotations

import argparse
import calendar
import gzip
import json
import math
import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudtrail_records import (
    ALPHANUM,
    CATALOGUE,
    DECOY_KINDS,
    IDENTITY_MIX,
    ROOT_KINDS,
    UA_SDK,
    Caller,
    Ctx,
    Population,
    decoy_record,
    dumps,
    iso,
    population,
    record_text,
    root_record,
    token,
    uuid4,
)

GENERATOR_VERSION = 1
AVERAGE_RECORD_BYTES = 1372  # measured on seed 42; only used to turn --size-mb into a record count
ROOT_RATE = 1e-5  # root records per record (at least one of each kind)
DECOYS = 24
SLOT_SECONDS = 300  # CloudTrail delivers about every 5 minutes per account and Region
DEFAULT_START = "2026-10-01"
REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
    "eu-north-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1", "ca-central-1", "sa-east-1",
)  # fmt: skip

# Bursts: what makes the archive compress ~8× (with p = 0.7 for the same caller it is ~9×).
BURST_SAME_CALLER = 0.5  # the next record has the same caller
BURST_SAME_CALL = 0.5  # … and the same call (pollers)
BURST_NEW_PARAMETERS = 0.4  # a repeated call on other resources (another instance, key, bucket …)
SESSION_REFRESH = 0.3  # a burst by a role comes from a renewed session (new temporary access key)

# Adversarial log files: each holds ordinary records and one root record (except "empty").
ADVERSARIAL = (
    "indent-2",
    "indent-4-sorted-keys",
    "spaced-separators",
    "tabs-crlf-reversed-identity",
    "unicode-escaped-type",
    "empty-records",
    "multi-member-gzip",
    "plain-json",
)

# ---------------------------------------------------------------------------------------------------
# Plan: which files exist, how many records each holds, where root records and decoys go


@dataclass
class FileSpec:
    index: int
    account: str
    region: str
    slot: int
    """Epoch seconds of the 5-minute delivery slot."""
    suffix: str
    count: int
    kind: str = "log"
    """log, an ADVERSARIAL name, digest or insight."""
    roots: dict[int, tuple[str, str]] = field(default_factory=dict)
    """record position → (root kind, eventID)"""
    decoys: dict[int, tuple[str, str]] = field(default_factory=dict)

    def relpath(self, org: str | None) -> str:
        day = time.strftime("%Y/%m/%d", time.gmtime(self.slot))
        stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime(self.slot))
        prefix = f"AWSLogs/{org + '/' if org else ''}{self.account}"
        if self.kind == "digest":
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.slot))
            name = f"{self.account}_CloudTrail-Digest_{self.region}_management-trail_us-east-1_{stamp}.json.gz"
            return f"{prefix}/CloudTrail-Digest/{self.region}/{day}/{name}"
        if self.kind == "insight":
            name = f"{self.account}_CloudTrail-Insight_{self.region}_{stamp}_{self.suffix}.json.gz"
            return f"{prefix}/CloudTrail-Insight/{self.region}/{day}/{name}"
        ext = ".json" if self.kind == "plain-json" else ".json.gz"
        name = f"{self.account}_CloudTrail_{self.region}_{stamp}_{self.suffix}{ext}"
        return f"{prefix}/CloudTrail/{self.region}/{day}/{name}"


@dataclass
class Plan:
    files: list[FileSpec]
    accounts: list[str]
    start: int
    target_records: int


def diurnal(epoch: int) -> float:
    hour = (epoch % 86400) / 3600
    return 0.35 + 0.65 * max(0.0, math.sin(math.pi * (hour - 6) / 14)) if 6 <= hour <= 20 else 0.35


def make_plan(seed: int, size_mb: float, accounts: int, days: int, start: int) -> Plan:
    rng = random.Random(f"{seed}/plan")
    ids = sorted({f"{rng.randrange(10**11, 10**12)}" for _ in range(accounts * 2)})[:accounts]
    rng.shuffle(ids)
    target = max(1, round(size_mb * 1e6 / AVERAGE_RECORD_BYTES))
    files: list[FileSpec] = []
    weights: list[float] = []
    slots = days * 86400 // SLOT_SECONDS
    for account in ids:
        home = rng.choice(REGIONS[1:])
        second = rng.choice([r for r in REGIONS[1:] if r != home])
        activity = dict.fromkeys(REGIONS, ("quiet", 0.02))
        activity.update({home: ("busy", 10.0), "us-east-1": ("busy", 6.0), second: ("busy", 3.0)})
        scale = rng.lognormvariate(0, 0.5)  # some accounts are busier than others
        for slot_no in range(slots):
            slot = start + slot_no * SLOT_SECONDS
            for region in REGIONS:
                level, weight = activity[region]
                # A quiet Region delivers a file now and then; a busy one every slot, sometimes two.
                present = int(rng.random() < 0.1) if level == "quiet" else 1 + int(rng.random() < 0.3)
                for _ in range(present):
                    w = scale * weight * diurnal(slot) * rng.lognormvariate(0, 0.8) / present
                    files.append(FileSpec(len(files), account, region, slot, token(rng, 16, ALPHANUM), 0))
                    weights.append(w)
    # Every file holds at least one record; share out what is left by weight.
    share = (target - len(files)) / sum(weights) if target > len(files) else 0.0
    for spec, w in zip(files, weights, strict=True):
        exact = share * w
        spec.count = 1 + int(exact) + (1 if rng.random() < exact - int(exact) else 0)
    place_specials(rng, files, target)
    add_adversarial(rng, files, ids, start, slots)
    return Plan(files, ids, start, target)


def place_specials(rng: random.Random, files: list[FileSpec], target: int) -> None:
    cumulative = []
    running = 0
    for spec in files:
        running += spec.count
        cumulative.append(running)
    taken: set[tuple[int, int]] = set()

    def free_position() -> tuple[FileSpec, int]:
        while True:
            spec = rng.choices(files, cum_weights=cumulative)[0]
            position = rng.randrange(spec.count)
            if (spec.index, position) not in taken:
                taken.add((spec.index, position))
                return spec, position

    roots = max(len(ROOT_KINDS), round(target * ROOT_RATE))
    kinds = [ROOT_KINDS[i % len(ROOT_KINDS)] for i in range(roots)]
    rng.shuffle(kinds)
    for kind in kinds:
        spec, position = free_position()
        spec.roots[position] = (kind, uuid4(rng))
    for i in range(DECOYS):
        spec, position = free_position()
        spec.decoys[position] = (DECOY_KINDS[i % len(DECOY_KINDS)], uuid4(rng))


def add_adversarial(rng: random.Random, files: list[FileSpec], accounts: list[str], start: int, slots: int) -> None:
    for kind in (*ADVERSARIAL, "digest", "insight"):
        slot = start + rng.randrange(slots) * SLOT_SECONDS
        spec = FileSpec(len(files), rng.choice(accounts), rng.choice(REGIONS), slot, token(rng, 16, ALPHANUM), 0, kind)
        if kind not in ("empty-records", "digest"):
            spec.count = rng.randint(60, 160)
        if kind not in ("empty-records", "digest", "insight"):
            position = (
                rng.randrange(spec.count // 2, spec.count) if kind == "multi-member-gzip" else rng.randrange(spec.count)
            )
            spec.roots[position] = (ROOT_KINDS[rng.randrange(len(ROOT_KINDS))], uuid4(rng))
        files.append(spec)


# ---------------------------------------------------------------------------------------------------
# Writing one file (runs in the workers)

_POPULATIONS: dict[str, Population] = {}
_SETTINGS: dict[str, Any] = {}


def get_population(account: str) -> Population:
    if account not in _POPULATIONS:
        _POPULATIONS[account] = population(_SETTINGS["seed"], account, _SETTINGS["start"])
    return _POPULATIONS[account]


def records_for(spec: FileSpec, rng: random.Random, identities: Counter[str]) -> list[str]:
    pop = get_population(spec.account)
    kinds = [kind for kind, _ in IDENTITY_MIX]
    kind_weights = [w for _, w in IDENTITY_MIX]
    offsets = sorted(rng.random() * SLOT_SECONDS for _ in range(spec.count))
    ctx = Ctx(rng, pop, spec.region, spec.slot)
    out: list[str] = []
    caller: Caller | None = None
    call_index = 0
    request = identity = ""
    for position, offset in enumerate(offsets):
        ctx.when = spec.slot + offset
        if position in spec.roots:
            kind, event_id = spec.roots[position]
            out.append(dumps(root_record(ctx, kind, event_id)))
            identities["Root"] += 1
            continue
        if position in spec.decoys:
            kind, event_id = spec.decoys[position]
            out.append(decoy_record(ctx, kind, event_id))
            identities["decoy"] += 1
            continue
        if caller is None or rng.random() >= BURST_SAME_CALLER:
            kind = rng.choices(kinds, kind_weights)[0]
            caller = rng.choices(pop.by_kind[kind], pop.weights[kind])[0]
            identity = caller.identity
            if caller.key and rng.random() < SESSION_REFRESH:
                identity = identity.replace(caller.key, caller.key[:4] + token(rng, 16))
            call_index = rng.choices(caller.calls, caller.call_weights)[0]
            request = CATALOGUE[call_index].request(ctx)
        elif rng.random() >= BURST_SAME_CALL:
            call_index = rng.choices(caller.calls, caller.call_weights)[0]
            request = CATALOGUE[call_index].request(ctx)
        elif rng.random() < BURST_NEW_PARAMETERS:
            request = CATALOGUE[call_index].request(ctx)
        identities[caller.kind] += 1
        call = CATALOGUE[call_index]
        out.append(record_text(ctx, caller, call, identity=identity, request=request, event_id=uuid4(rng)))
    return out


def reverse_identity_keys(record: dict[str, Any]) -> dict[str, Any]:
    identity = record.get("userIdentity")
    if isinstance(identity, dict):
        record = {**record, "userIdentity": dict(reversed(list(identity.items())))}
    return record


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def render(spec: FileSpec, records: list[str], rng: random.Random) -> tuple[bytes, bytes | None]:
    """(JSON bytes, gzip bytes or None for the plain .json file)."""
    kind = spec.kind
    if kind == "digest":
        document: dict[str, Any] = digest_document(spec, rng)
        data = dumps(document).encode()
        return data, gz(data)
    if kind in ("indent-2", "indent-4-sorted-keys", "spaced-separators", "tabs-crlf-reversed-identity"):
        parsed = [json.loads(r) for r in records]
        if kind == "indent-2":
            text = json.dumps({"Records": parsed}, indent=2)
        elif kind == "indent-4-sorted-keys":
            text = json.dumps({"Records": parsed}, indent=4, sort_keys=True)
        elif kind == "spaced-separators":
            text = json.dumps({"Records": parsed}, separators=(", ", ": "))
        else:
            text = json.dumps({"Records": [reverse_identity_keys(r) for r in parsed]}, indent="\t")
            text = text.replace("\n", "\r\n") + "\r\n"
        data = text.encode()
        return data, gz(data)
    if kind == "unicode-escaped-type":
        records = [r.replace('"type":"Root"', '"type":"\\u0052oot"', 1) if '"type":"Root"' in r else r for r in records]
    data = ('{"Records":[' + ",".join(records) + "]}").encode()
    if kind == "plain-json":
        return data, None
    if kind == "multi-member-gzip":
        root_position = next(iter(spec.roots))
        cut = len('{"Records":[' + ",".join(records[:root_position]))  # member 2 starts before the root record
        cut = rng.randrange(cut // 2, cut) if cut > 2 else cut
        return data, gz(data[:cut]) + gz(data[cut:])
    return data, gz(data)


def insight_records(spec: FileSpec, rng: random.Random) -> list[str]:
    out = []
    for _ in range(spec.count):
        record = {
            "eventVersion": "1.08",
            "eventTime": iso(spec.slot + rng.randrange(SLOT_SECONDS)),
            "awsRegion": spec.region,
            "eventID": uuid4(rng),
            "eventType": "AwsCloudTrailInsight",
            "recipientAccountId": spec.account,
            "sharedEventID": uuid4(rng),
            "insightDetails": {
                "state": rng.choice(("Start", "End")),
                "eventSource": "ec2.amazonaws.com",
                "eventName": "RunInstances",
                "insightType": "ApiCallRateInsight",
                "insightContext": {
                    "statistics": {
                        "baseline": {"average": round(rng.random(), 6)},
                        "insight": {"average": round(rng.uniform(5, 50), 6)},
                    },
                    "attributions": [
                        {
                            "attribute": "userIdentityArn",
                            "insight": [{"value": f"arn:aws:iam::{spec.account}:root", "average": 1.0}],
                            "baseline": [{"value": f"arn:aws:iam::{spec.account}:root", "average": 0.01}],
                        },
                        {"attribute": "userAgent", "insight": [{"value": UA_SDK[1], "average": 1.0}], "baseline": []},
                    ],
                },
            },
            "eventCategory": "Insight",
        }
        out.append(dumps(record))
    return out


def digest_document(spec: FileSpec, rng: random.Random) -> dict[str, Any]:
    start = iso(spec.slot - 3600)
    end = iso(spec.slot)
    return {
        "awsAccountId": spec.account,
        "digestStartTime": start,
        "digestEndTime": end,
        "digestS3Bucket": "org-cloudtrail-archive",
        "digestS3Object": spec.relpath(_SETTINGS.get("org")),
        "digestPublicKeyFingerprint": f"{rng.getrandbits(128):032x}",
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": end,
        "oldestEventTime": start,
        "previousDigestS3Bucket": "org-cloudtrail-archive",
        "previousDigestS3Object": None,
        "previousDigestHashValue": None,
        "previousDigestHashAlgorithm": None,
        "previousDigestSignature": None,
        "logFiles": [
            {
                "s3Bucket": "org-cloudtrail-archive",
                "s3Object": f"AWSLogs/{spec.account}/CloudTrail/{spec.region}/…/{token(rng, 16, ALPHANUM)}.json.gz",
                "hashValue": f"{rng.getrandbits(256):064x}",
                "hashAlgorithm": "SHA-256",
                "newestEventTime": end,
                "oldestEventTime": start,
            }
            for _ in range(3)
        ],
    }


def write_file(spec: FileSpec) -> dict[str, Any]:
    rng = random.Random(f"{_SETTINGS['seed']}/file/{spec.index}")
    identities: Counter[str] = Counter()
    if spec.kind == "insight":
        records = insight_records(spec, rng)
    elif spec.kind in ("digest", "empty-records"):
        records = []
    else:
        records = records_for(spec, rng, identities)
    data, compressed = render(spec, records, rng)
    relpath = spec.relpath(_SETTINGS.get("org"))
    target = Path(_SETTINGS["out"]) / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data if compressed is None else compressed)
    return {
        "path": relpath,
        "kind": spec.kind,
        "records": len(records),
        "json_bytes": len(data),
        "gz_bytes": len(compressed) if compressed is not None else 0,
        "identities": dict(identities),
    }


def init_worker(settings: dict[str, Any]) -> None:
    _SETTINGS.clear()
    _SETTINGS.update(settings)
    _POPULATIONS.clear()


# ---------------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="where to write (AWSLogs/ goes inside)")
    parser.add_argument("--size-mb", type=float, default=500, metavar="N", help="MB (10^6 B) of JSON (default 500)")
    parser.add_argument("--accounts", type=int, default=8, metavar="N", help="accounts (default 8)")
    parser.add_argument("--days", type=int, default=2, metavar="N", help="days of logs (default 2)")
    parser.add_argument(
        "--start", default=DEFAULT_START, metavar="YYYY-MM-DD", help=f"first day (default {DEFAULT_START})"
    )
    parser.add_argument("--seed", type=int, default=42, metavar="N", help="random seed (default 42)")
    parser.add_argument(
        "--org-id", metavar="o-…", help="write an organization trail's layout (AWSLogs/o-…/<account>/…)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N", help="worker processes")
    args = parser.parse_args(argv)
    if args.size_mb <= 0 or args.accounts < 1 or args.days < 1 or args.jobs < 1:
        parser.error("--size-mb, --accounts, --days and --jobs must be positive")
    if args.org_id is not None and not (args.org_id.startswith("o-") and args.org_id[2:].isalnum()):
        parser.error("--org-id looks like o-a1b2c3d4e5")
    return args


def generate(
    out: Path,
    *,
    size_mb: float,
    accounts: int,
    days: int,
    seed: int,
    org_id: str | None = None,
    jobs: int = 1,
    start: str = DEFAULT_START,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write the corpus, ``expected_root.jsonl`` and ``manifest.json`` into ``out``; return the manifest."""
    began = time.perf_counter()
    start_epoch = calendar.timegm(time.strptime(start, "%Y-%m-%d"))
    plan = make_plan(seed, size_mb, accounts, days, start_epoch)
    if progress:
        progress(f"{len(plan.files):,} files, ~{plan.target_records:,} records, {jobs} job(s) …")
    out.mkdir(parents=True, exist_ok=True)
    settings = {"seed": seed, "start": start_epoch, "out": str(out), "org": org_id}
    results = list(_run(plan.files, settings, jobs))
    manifest = summarize(plan, results, settings, size_mb=size_mb, days=days, start=start)
    expected = []
    for spec, result in zip(plan.files, results, strict=True):
        expected.extend(
            {
                "eventID": event_id,
                "file": result["path"],
                "kind": kind,
                "format": spec.kind,
                "gz": spec.kind != "plain-json",
            }
            for _position, (kind, event_id) in sorted(spec.roots.items())
        )
    with (out / "expected_root.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in expected)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if progress:
        ratio = manifest["json_bytes"] / max(manifest["gz_bytes"], 1)
        progress(
            f"{manifest['log_files']:,} log files, {manifest['records']:,} records, "
            f"{manifest['json_bytes'] / 1e6:,.1f} MB JSON, {manifest['gz_bytes'] / 1e6:,.1f} MB gzip ({ratio:.1f}×), "
            f"{manifest['root_records']['total']} root records ({manifest['root_records']['in_json_gz']} in .json.gz) "
            f"in {time.perf_counter() - began:.1f} s"
        )
    return manifest


def _run(files: list[FileSpec], settings: dict[str, Any], jobs: int) -> Iterator[dict[str, Any]]:
    if jobs == 1:
        init_worker(settings)
        yield from map(write_file, files)
        return
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with context.Pool(jobs, initializer=init_worker, initargs=(settings,)) as pool:
        yield from pool.imap(write_file, files, chunksize=64)


def summarize(
    plan: Plan, results: list[dict[str, Any]], settings: dict[str, Any], *, size_mb: float, days: int, start: str
) -> dict[str, Any]:
    logs = [r for r in results if r["kind"] not in ("digest", "insight", "plain-json")]
    identities: Counter[str] = Counter()
    for result in results:
        identities.update(result["identities"])
    roots = [(spec, kind, eid) for spec in plan.files for kind, eid in spec.roots.values()]
    decoys = [
        {"eventID": eid, "file": spec.relpath(settings["org"]), "kind": kind}
        for spec in plan.files
        for kind, eid in spec.decoys.values()
    ]
    by_kind = Counter(kind for _spec, kind, _eid in roots)
    return {
        "format": "rootguard-bench/cloudtrail-corpus@1",
        "generator": "bench/gen_cloudtrail.py",
        "generator_version": GENERATOR_VERSION,
        "params": {
            "size_mb": size_mb,
            "accounts": len(plan.accounts),
            "days": days,
            "start": start,
            "seed": settings["seed"],
            "org_id": settings["org"],
        },
        "accounts": plan.accounts,
        "log_files": len(logs),
        "files": dict(Counter(r["kind"] for r in results)),
        "records": sum(r["records"] for r in logs),
        "json_bytes": sum(r["json_bytes"] for r in logs),
        "gz_bytes": sum(r["gz_bytes"] for r in logs),
        "all_files_json_bytes": sum(r["json_bytes"] for r in results),
        "identities": dict(identities.most_common()),
        "root_records": {
            "total": len(roots),
            "in_json_gz": sum(1 for spec, _k, _e in roots if spec.kind != "plain-json"),
            "by_kind": dict(sorted(by_kind.items())),
        },
        "decoys": decoys,
        "adversarial": [
            {
                "kind": spec.kind,
                "file": spec.relpath(settings["org"]),
                "root_eventIDs": [eid for _k, eid in spec.roots.values()],
            }
            for spec in plan.files
            if spec.kind != "log"
        ],
        "notes": {
            "log_files": "*.json.gz under */CloudTrail/*: the adversarial gz files, not digest, insight, plain .json",
            "json_bytes": "decompressed size of those log files",
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def say(message: str) -> None:
        print(f"gen_cloudtrail: {message}", file=sys.stderr, flush=True)

    generate(
        args.out,
        size_mb=args.size_mb,
        accounts=args.accounts,
        days=args.days,
        seed=args.seed,
        org_id=args.org_id,
        jobs=args.jobs,
        start=args.start,
        progress=say,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""root-activity and `rootguard activity` say "no root activity" only over time the evidence covers.

Every rule has a test each way: evidence that must not PASS, and the nearest evidence that still must.
The AWS behaviour each rule rests on, quoted in tests/unit/cloudtrail_coverage.py:
- log files are published "about every 5 minutes", and none while a Region is quiet
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html);
- a digest file is delivered every hour "even when there has been no API activity", lists the log
  files delivered in its hour and names the previous digest
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html);
- LookupEvents answers per Region, for the last 90 days, and a NextToken means more results
  (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
"""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cloudtrail_coverage import (
    covered,
    deliver,
    digest_chain,
    digest_document,
    digest_key,
    home_only,
    log_key,
    lookups,
)
from jsonschema import Draft202012Validator

from builders import ACCOUNT, AS_OF, AccountBuilder, context, trail_record
from rootguard.checks.registry import Outcome
from rootguard.checks.root_activity import root_activity
from rootguard.cli.main import main
from rootguard.model.findings import Severity, Status

DAY = AS_OF - timedelta(days=1)
"""The start of a one-day window."""
DOCS = Path(__file__).parents[2] / "docs"


def run(builder: AccountBuilder, window: int = 1, as_of: Any = AS_OF) -> Outcome:
    return root_activity.evaluate(builder.evidence(), context(window=window, as_of=as_of))


def archive(every: timedelta = timedelta(minutes=5)) -> AccountBuilder:
    builder = home_only()
    deliver(builder, DAY, AS_OF, every=every)
    return builder


def undated() -> AccountBuilder:
    """CloudTrail evidence made of one ``{"Records": []}`` file whose name carries no delivery stamp."""
    return AccountBuilder().no_cloudtrail().cloudtrail()


def uncovered(outcome: Outcome) -> list[dict[str, str]]:
    return [gap for region in outcome.evidence["coverage"]["regions"] for gap in region["uncovered"]]


def unread(outcome: Outcome) -> list[dict[str, str]]:
    return [item for region in outcome.evidence["coverage"]["regions"] for item in region["unread"]]


# Delivered log files, no digest files -------------------------------------------------------------


def test_deliveries_every_five_minutes_cover_the_window() -> None:
    outcome = run(archive())
    assert outcome.status is Status.PASS
    assert outcome.evidence["coverage"]["complete"] is True
    assert uncovered(outcome) == []


def test_a_two_hour_hole_in_the_deliveries_is_not_a_pass() -> None:
    builder = home_only()
    deliver(builder, DAY, DAY + timedelta(hours=6))
    deliver(builder, DAY + timedelta(hours=8), AS_OF)
    outcome = run(builder)
    assert outcome.status is Status.MANUAL
    [gap] = uncovered(outcome)
    assert (gap["start"], gap["end"]) == ("2026-11-19T18:00:00Z", "2026-11-19T20:00:00Z")
    assert "nothing was delivered for 2 hours" in gap["reason"]
    assert "without digest files a quiet Region cannot be told from missing log files" in gap["reason"]
    assert "2026-11-19T18:00:00Z to 2026-11-19T20:00:00Z" in outcome.message


@pytest.mark.parametrize(("minutes", "status"), [(60, Status.PASS), (61, Status.MANUAL)])
def test_the_quiet_tolerance_is_one_hour_between_deliveries(minutes: int, status: Status) -> None:
    builder = home_only()
    deliver(builder, DAY, DAY + timedelta(hours=6))
    deliver(builder, DAY + timedelta(hours=6, minutes=minutes), AS_OF)
    assert run(builder).status is status


@pytest.mark.parametrize(("minutes", "status"), [(30, Status.PASS), (75, Status.MANUAL)])
def test_evidence_that_ends_before_the_window_does(minutes: int, status: Status) -> None:
    builder = home_only()
    deliver(builder, DAY, AS_OF - timedelta(minutes=minutes))
    outcome = run(builder)
    assert outcome.status is status
    if status is Status.MANUAL:
        [gap] = uncovered(outcome)
        assert gap["reason"].startswith("the evidence ends at 2026-11-20T10:45:00Z")


def test_every_region_read_must_be_covered() -> None:
    """us-east-1 is covered; eu-west-1 shows two deliveries a day apart: without digests, not proven quiet."""
    builder = archive()
    deliver(builder, DAY, AS_OF, every=timedelta(hours=24), region="eu-west-1")
    outcome = run(builder)
    assert outcome.status is Status.MANUAL
    by_region = {r["region"]: r for r in outcome.evidence["coverage"]["regions"]}
    assert by_region["us-east-1"]["complete"] is True
    assert by_region["eu-west-1"]["complete"] is False
    assert "in eu-west-1:" in outcome.message


def test_an_enabled_region_without_any_evidence_is_not_a_pass() -> None:
    """The bundle's Region folders are its enabled Regions. A Region that left no log file, digest or answer
    at all (a single-Region trail, a folder not copied) is where root activity cannot be ruled out."""
    builder = AccountBuilder().no_cloudtrail()  # enabled: us-east-1 and eu-west-1
    deliver(builder, DAY, AS_OF)
    outcome = run(builder)
    assert outcome.status is Status.MANUAL
    [gap] = uncovered(outcome)
    assert (gap["start"], gap["end"]) == ("2026-11-19T12:00:00Z", "2026-11-20T12:00:00Z")
    assert gap["reason"].startswith("no CloudTrail evidence for this enabled Region")
    deliver(builder, DAY, AS_OF, region="eu-west-1")
    assert run(builder).status is Status.PASS


def test_inputs_that_say_nothing_about_time_are_not_a_pass() -> None:
    """A `{"Records": []}` file with no delivery stamp in its name vouches for no time at all."""
    outcome = run(undated(), window=90)
    assert outcome.status is Status.MANUAL
    assert "1 input(s) read say nothing about the time they cover" in outcome.message
    assert outcome.evidence["coverage"]["undated_inputs"] == 1
    alone = AccountBuilder().no_cloudtrail()  # and no Region folder either
    for path in [p for p in alone.documents if p.split("/")[1] not in ("global", "cloudtrail-logs")]:
        alone.without(path)
    outcome = run(alone.cloudtrail(), window=90)
    assert outcome.status is Status.MANUAL
    assert "none of the 1 input(s) read says which time it covers" in outcome.message


def test_found_root_use_fails_however_little_is_covered() -> None:
    builder = home_only()
    deliver(
        builder,
        DAY + timedelta(hours=3),
        DAY + timedelta(hours=3),
        records={DAY + timedelta(hours=3): [trail_record(DAY + timedelta(hours=2, minutes=58))]},
    )
    outcome = run(builder)
    assert outcome.status is Status.FAIL
    assert outcome.severity is Severity.HIGH
    assert outcome.evidence["coverage"]["complete"] is False


# Digest files ----------------------------------------------------------------------------------------


def test_hourly_digests_prove_a_quiet_day() -> None:
    """No log file at all, but a digest for every hour: each says nothing was delivered. PASS."""
    builder = home_only()
    digest_chain(builder, DAY - timedelta(hours=1), 25)
    outcome = run(builder)
    assert outcome.status is Status.PASS
    assert "the evidence (digests) covers all of it in us-east-1" in outcome.message


def test_a_quiet_day_without_digests_is_not_a_pass() -> None:
    builder = home_only()
    deliver(builder, DAY, AS_OF, every=timedelta(hours=12))
    assert run(builder).status is Status.MANUAL


def test_a_missing_digest_hour_is_uncovered_even_within_the_tolerance() -> None:
    """A one-hour gap between two digests of a chain is a missing digest, not quiet time."""
    builder = home_only()
    keys = digest_chain(builder, DAY - timedelta(hours=1), 25, skip=(10,))
    outcome = run(builder)
    assert outcome.status is Status.MANUAL
    [gap] = uncovered(outcome)
    assert (gap["start"], gap["end"]) == ("2026-11-19T21:00:00Z", "2026-11-19T22:00:00Z")
    assert gap["reason"].startswith("no digest file covers this time")
    [missing] = unread(outcome)
    assert missing["path"] == keys[10].rpartition("/")[2]


@pytest.mark.parametrize("present", [True, False])
def test_a_log_file_a_digest_lists_must_be_there(present: bool) -> None:
    builder = home_only()
    delivered = DAY + timedelta(hours=3, minutes=5)
    key = log_key(delivered)
    if present:
        builder.cloudtrail_document(key, {"Records": []})
    listed = {4: [(key, delivered - timedelta(minutes=6), delivered - timedelta(minutes=1))]}
    digest_chain(builder, DAY - timedelta(hours=1), 25, logs=listed)
    outcome = run(builder)
    if present:
        assert outcome.status is Status.PASS
        return
    assert outcome.status is Status.MANUAL
    [gap] = uncovered(outcome)
    assert (gap["start"], gap["end"]) == ("2026-11-19T14:59:00Z", "2026-11-19T15:04:00Z")
    assert gap["reason"].endswith("is not in the input")


def test_a_listed_log_file_that_cannot_be_read_is_an_error() -> None:
    builder = home_only()
    delivered = DAY + timedelta(hours=3, minutes=5)
    key = log_key(delivered)
    builder.cloudtrail_document(key, {"Error": {"Code": "AccessDenied", "Message": "no"}})
    digest_chain(builder, DAY - timedelta(hours=1), 25, logs={4: [(key, delivered, delivered)]})
    outcome = run(builder)
    assert outcome.status is Status.ERROR
    assert any("could not be read whole" in gap["reason"] for gap in uncovered(outcome))


def test_a_restarted_chain_leaves_the_time_before_it_to_the_log_files() -> None:
    """A starting digest after validation was off: that time is proven by log files, or not at all."""
    builder = home_only()
    digest_chain(builder, DAY - timedelta(hours=1), 9)
    digest_chain(builder, DAY + timedelta(hours=12), 12)  # a starting digest: no previous digest
    assert run(builder).status is Status.MANUAL
    deliver(builder, DAY + timedelta(hours=8), DAY + timedelta(hours=12))
    assert run(builder).status is Status.PASS


def test_the_first_digest_of_a_chain_that_goes_back_further() -> None:
    """The first digest read names a previous one: within the tolerance of the window's start that is the
    period's edge; further in, the chain's missing digests leave the time uncovered."""
    near = home_only()
    digest_chain(near, DAY + timedelta(minutes=1, seconds=31), 24, starting=False)
    assert run(near, as_of=AS_OF + timedelta(minutes=1, seconds=31)).status is Status.PASS
    far = home_only()
    deliver(far, DAY, DAY + timedelta(hours=3))  # log files do not stand in for a chain's missing digests
    digest_chain(far, DAY + timedelta(hours=3), 21, starting=False)
    outcome = run(far)
    assert outcome.status is Status.MANUAL
    assert any("is not in the input" in gap["reason"] for gap in uncovered(outcome))


# LookupEvents --------------------------------------------------------------------------------------------


def test_every_question_answered_in_every_enabled_region_passes() -> None:
    outcome = run(covered(), window=90)
    assert outcome.status is Status.PASS
    assert "the evidence (LookupEvents) covers all of it in eu-west-1, us-east-1" in outcome.message


def test_an_answer_with_a_next_token_is_unread_evidence() -> None:
    outcome = run(lookups(AccountBuilder().no_cloudtrail(), next_token=("eu-west-1", "root")), window=90)
    assert outcome.status is Status.MANUAL
    [item] = unread(outcome)
    assert item["path"] == f"{ACCOUNT}/cloudtrail-logs/lookup-events/eu-west-1/root.json"
    assert "NextToken" in item["reason"]


def test_an_enabled_region_without_an_answer_is_unread_evidence() -> None:
    """The bundle's Region folders are the enabled Regions: eu-west-1 has one, but no LookupEvents answer."""
    outcome = run(lookups(AccountBuilder().no_cloudtrail(), regions=("us-east-1",)), window=90)
    assert outcome.status is Status.MANUAL
    [item] = unread(outcome)
    assert item == {
        "path": f"{ACCOUNT}/cloudtrail-logs/lookup-events/eu-west-1/",
        "reason": "no LookupEvents answer for this enabled Region",
    }


def test_a_region_list_names_the_regions_that_must_answer() -> None:
    builder = covered().cloudtrail_document("lookup-events/regions.json", {"Regions": [{"RegionName": "ap-south-1"}]})
    outcome = run(builder, window=90)
    assert outcome.status is Status.MANUAL
    assert [item["path"] for item in unread(outcome)] == [f"{ACCOUNT}/cloudtrail-logs/lookup-events/ap-south-1/"]
    listed = covered().cloudtrail_document(
        "lookup-events/regions.json", {"Regions": [{"RegionName": "us-east-1"}, {"RegionName": "eu-west-1"}]}
    )
    assert run(listed, window=90).status is Status.PASS


def test_a_region_list_that_could_not_be_read_is_an_error() -> None:
    builder = covered().cloudtrail_document("lookup-events/regions.json", {"Error": {"Code": "AccessDenied"}})
    assert run(builder, window=90).status is Status.ERROR


def test_a_question_without_an_answer_is_unread_evidence() -> None:
    outcome = run(lookups(AccountBuilder().no_cloudtrail(), missing=("us-east-1", "console-login")), window=90)
    assert outcome.status is Status.MANUAL
    assert [item["reason"] for item in unread(outcome)] == ["no answer to the console-login question"]


@pytest.mark.parametrize(
    ("later", "status"), [(timedelta(minutes=30), Status.PASS), (timedelta(hours=2), Status.MANUAL)]
)
def test_stored_answers_end_at_collection(later: timedelta, status: Status) -> None:
    """Stored answers asked for the 90 days before collection: an as-of time well after it is uncovered."""
    assert run(covered(), window=1, as_of=AS_OF + later).status is status


# Damaged gzip ----------------------------------------------------------------------------------------------


def damaged(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    """A bundle whose one log file lost its last bytes (a cut copy)."""
    builder = home_only()
    out = builder.write(tmp_path / "b")
    data = gzip.compress(json.dumps({"Records": records}).encode(), mtime=0)
    path = out / ACCOUNT / "cloudtrail-logs" / log_key(AS_OF - timedelta(hours=2))
    path.parent.mkdir(parents=True)
    path.write_bytes(data[: len(data) * 3 // 4])
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["sha256"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def filler(n: int) -> list[dict[str, Any]]:
    return [
        trail_record(AS_OF - timedelta(hours=3, seconds=i), identity={"type": "IAMUser", "userName": f"user-{i:04d}"})
        for i in range(n)
    ]


def test_a_damaged_gzip_still_yields_the_root_use_before_the_damage(tmp_path: Path, capsys: Any) -> None:
    out = damaged(tmp_path, [trail_record(AS_OF - timedelta(hours=3)), *filler(300)])
    assert main(["audit", "--evidence", str(out), "--format", "json", "--checks", "root-activity"]) == 1
    [finding] = json.loads(capsys.readouterr().out)["accounts"][0]["findings"]
    assert finding["status"] == "FAIL"
    [skipped] = finding["evidence"]["skipped"]
    assert skipped["reason"] == "truncated gzip stream"


def test_a_damaged_gzip_without_root_use_is_never_a_pass(tmp_path: Path, capsys: Any) -> None:
    out = damaged(tmp_path, filler(300))
    assert main(["audit", "--evidence", str(out), "--format", "json", "--checks", "root-activity"]) == 3
    [finding] = json.loads(capsys.readouterr().out)["accounts"][0]["findings"]
    assert finding["status"] == "ERROR"


# `rootguard activity` and the reports ----------------------------------------------------------------------


@pytest.mark.parametrize(("builder", "code"), [(covered, 0), (undated, 3)], ids=["covered", "undated"])
def test_activity_exits_0_only_when_the_period_is_covered(builder: Any, code: int, tmp_path: Path, capsys: Any) -> None:
    out = builder().write(tmp_path / "b")
    assert main(["activity", "--evidence", str(out), "--format", "json"]) == code
    document = json.loads(capsys.readouterr().out)
    assert document["coverage"]["complete"] is (code == 0)
    assert document["sources"]["skipped"] == []
    problems = list(Draft202012Validator(json.loads((DOCS / "activity.schema.json").read_text())).iter_errors(document))
    assert problems == []


def test_activity_table_says_what_is_covered(tmp_path: Path, capsys: Any) -> None:
    out = home_only()
    deliver(out, AS_OF - timedelta(days=1), AS_OF - timedelta(hours=6))
    bundle = out.write(tmp_path / "b")
    assert main(["activity", "--evidence", str(bundle), "--since", "1"]) == 3
    text = " ".join(capsys.readouterr().out.split())
    assert "CloudTrail coverage 2026-11-19T12:00:00Z → 2026-11-20T12:00:00Z: incomplete in us-east-1:" in text
    assert "1 uncovered span(s) (6 hours in all)" in text


def test_the_audit_report_carries_coverage_per_account(tmp_path: Path, capsys: Any) -> None:
    out = covered().write(tmp_path / "b")
    main(["audit", "--evidence", str(out), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    [finding] = [f for f in report["accounts"][0]["findings"] if f["check_id"] == "root-activity"]
    assert report["coverage"] == {ACCOUNT: finding["evidence"]["coverage"]}
    assert report["coverage"][ACCOUNT]["complete"] is True
    schema = json.loads((DOCS / "report.schema.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(report)) == []
    main(["audit", "--evidence", str(out)])
    text = " ".join(capsys.readouterr().out.split())
    assert "CloudTrail coverage 2026-08-22T12:00:00Z → 2026-11-20T12:00:00Z: complete in eu-west-1, us-east-1" in text


def test_a_report_without_coverage_still_follows_the_schemas() -> None:
    """Additive: documents written before coverage existed still validate."""
    activity = {"schema": "rootguard/activity@1", "as_of": "2026-11-20T12:00:00Z", "since": "2026-08-22T12:00:00Z",
                "sources": {"files": 0, "records": 0, "skipped": []}, "events": [], "sessions": []}  # fmt: skip
    schema = json.loads((DOCS / "activity.schema.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(activity)) == []


def test_a_digest_named_in_a_bundle_keeps_its_region() -> None:
    builder = home_only()
    builder.cloudtrail_document(
        digest_key(AS_OF, "eu-west-1"), digest_document(AS_OF - timedelta(hours=1), AS_OF, None, region="eu-west-1")
    )
    outcome = run(builder)
    regions = {r["region"]: r for r in outcome.evidence["coverage"]["regions"]}
    assert regions["eu-west-1"]["sources"] == ["digests"]


def test_coverage_messages_keep_the_message_rules(tmp_path: Path, capsys: Any) -> None:
    """MANUAL messages about coverage claim no more than the evidence (tests/message_rules.py)."""
    from message_rules import message_problems

    builder = home_only()
    deliver(builder, AS_OF - timedelta(days=3), AS_OF - timedelta(days=2))
    deliver(builder, AS_OF - timedelta(hours=20), AS_OF, region="eu-west-1")
    lookups(builder, regions=("us-east-1",), next_token=("us-east-1", "root"))
    out = builder.write(tmp_path / "b")
    main(["audit", "--evidence", str(out), "--format", "json", "--window", "7"])
    report = json.loads(capsys.readouterr().out)
    [finding] = [f for f in report["accounts"][0]["findings"] if f["check_id"] == "root-activity"]
    assert finding["status"] == "MANUAL"
    assert message_problems(report) == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda c: c.update(complete="yes"),
        lambda c: c["regions"][0].pop("uncovered"),
        lambda c: c["regions"][0]["covered"].append({"start": "2026-11-20"}),
        lambda c: c["regions"][0]["unread"].append({"path": "x"}),
    ],
    ids=["complete-as-text", "no-uncovered", "date-for-timestamp", "unread-without-reason"],
)
def test_the_coverage_schema_is_not_vacuous(breakage: Any, tmp_path: Path, capsys: Any) -> None:
    out = covered().write(tmp_path / "b")
    main(["activity", "--evidence", str(out), "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    breakage(document["coverage"])
    schema = json.loads((DOCS / "activity.schema.json").read_text())
    assert list(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(document))

"""The LookupEvents collector: pacing, paging, refusals, Regions, and how its answers reach a bundle.

Scripted clients (tests/collect/scripted.py) and a fake clock: nothing sleeps and nothing talks to AWS. The end-to-end
path (a moto server answering LookupEvents) is in tests/e2e/test_cli_moto.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError, TokenRetrievalError
from scripted import Script, contract, scripted

from fake_time import FakeTime
from rootguard.collect import cloudtrail
from rootguard.collect.cloudtrail import (
    QUESTIONS,
    RateLimiter,
    RegionListing,
    bundle_documents,
    enabled_regions,
    lookup_documents,
    lookup_region,
    lookup_root_events,
)
from rootguard.errors import CredentialsError
from rootguard.evidence.cloudtrail import scan_documents
from rootguard.model.activity import SkippedSource, TrailScan
from rootguard.model.gaps import Gap, GapKind

ACCOUNT = "123456789012"
SINCE = datetime(2026, 8, 22, 12, 0, 0, tzinfo=UTC)
UNTIL = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
METADATA = {"RequestId": "r-1", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}
ROOT_QUESTION, CONSOLE_QUESTION, ASSUME_ROOT_QUESTION = QUESTIONS
WINDOW = {"StartTime": "2026-08-22T12:00:00Z", "EndTime": "2026-11-20T12:00:00Z"}
"""What every stored answer says it asked: SINCE and UNTIL, ISO 8601 UTC."""


def answered(*events: dict[str, Any]) -> dict[str, Any]:
    """A stored answer: the events as the CLI prints them, and the period asked."""
    return {"Events": list(events), **WINDOW}


def client_error(code: str, operation: str, message: str | None = None) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message or f"{code} from {operation}"}}, operation)


def limiter(time: FakeTime) -> RateLimiter:
    return RateLimiter(cloudtrail.RATE_PER_SECOND, clock=time.clock, sleep=time.sleep)


def root_record(event_id: str, name: str = "ConsoleLogin", region: str = "us-east-1") -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "userIdentity": {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root",
                         "accountId": ACCOUNT},
        "eventTime": "2026-11-18T09:00:00Z",
        "eventSource": "signin.amazonaws.com" if name == "ConsoleLogin" else "ec2.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "198.51.100.23",
        "userAgent": "Mozilla/5.0",
        "eventID": event_id,
        "eventType": "AwsConsoleSignIn" if name == "ConsoleLogin" else "AwsApiCall",
        "recipientAccountId": ACCOUNT,
    }  # fmt: skip


def event(event_id: str, name: str = "ConsoleLogin", region: str = "us-east-1") -> dict[str, Any]:
    """One ``Events[]`` entry as boto3 returns it (EventTime a datetime)."""
    return {
        "EventId": event_id,
        "EventName": name,
        "ReadOnly": "false",
        "EventTime": datetime(2026, 11, 18, 9, 0, 0, tzinfo=UTC),
        "EventSource": "signin.amazonaws.com",
        "Username": "root",
        "Resources": [],
        "CloudTrailEvent": json.dumps(root_record(event_id, name, region)),
    }


def as_cli_prints(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "EventTime": "2026-11-18T09:00:00+00:00"}


def cloudtrail_client(lookup_events: Script) -> Any:
    """A CloudTrail client whose LookupEvents answers from ``lookup_events``."""
    return scripted("cloudtrail", lookup_events=lookup_events)


# --- the rate limiter -------------------------------------------------------------------------


def test_rate_limiter_allows_two_requests_at_once_then_paces_at_two_per_second() -> None:
    time = FakeTime()
    pace = limiter(time)
    started = time.now

    for done in range(1, 11):
        pace.acquire()
        elapsed = time.now - started
        assert done <= 2 + 2 * elapsed, f"request {done} went out {elapsed} s after the first"

    assert time.sleeps == [0.5] * 8
    assert time.now - started == 4.0


def test_rate_limiter_refills_while_idle_but_never_beyond_two() -> None:
    time = FakeTime()
    pace = limiter(time)
    pace.acquire()
    pace.acquire()

    time.now += 0.25  # half a token back
    pace.acquire()
    assert time.sleeps == [0.25]

    time.now += 60  # a long pause earns a burst of two, not 120
    for _ in range(3):
        pace.acquire()
    assert time.sleeps == [0.25, 0.5]


# --- one question in one Region -----------------------------------------------------------------


@pytest.mark.parametrize("question", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_lookup_region_merges_every_page_and_asks_the_right_question(question: tuple[str, str, str]) -> None:
    pages = Script(
        {"Events": [event("e1"), event("e2")], "NextToken": "t-1", "ResponseMetadata": METADATA},
        {"Events": [event("e3")], "NextToken": "t-2", "ResponseMetadata": METADATA},
        {"Events": [event("e4")], "ResponseMetadata": METADATA},
    )
    time = FakeTime()

    document = lookup_region(cloudtrail_client(pages), question, SINCE, UNTIL, limiter(time))

    assert document == answered(*(as_cli_prints(event(n)) for n in ("e1", "e2", "e3", "e4")))
    _, key, value = question
    first = {
        "LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}],
        "StartTime": SINCE,
        "EndTime": UNTIL,
        "MaxResults": 50,
    }
    assert pages.calls == [first, {**first, "NextToken": "t-1"}, {**first, "NextToken": "t-2"}]
    assert time.sleeps == [0.5], "every page takes a token: the third waits"


def test_the_three_questions_are_root_by_name_every_console_login_and_every_assume_root() -> None:
    assert [(q[1], q[2]) for q in QUESTIONS] == [
        ("Username", "root"),
        ("EventName", "ConsoleLogin"),
        ("EventName", "AssumeRoot"),
    ]
    assert len({q[0] for q in QUESTIONS}) == len(QUESTIONS), "each question has its own file"


def test_lookup_region_stores_an_empty_answer_as_an_empty_list() -> None:
    document = lookup_region(
        cloudtrail_client(Script({"Events": []})), ROOT_QUESTION, SINCE, UNTIL, limiter(FakeTime())
    )

    assert document == answered()


def test_lookup_region_stores_the_period_asked_as_the_coverage_reader_reads_it() -> None:
    since = datetime(2026, 8, 22, 14, 30, 0, 250000, tzinfo=timezone(timedelta(hours=2)))
    document = lookup_region(
        cloudtrail_client(Script({"Events": []})), ROOT_QUESTION, since, UNTIL, limiter(FakeTime())
    )

    assert document["StartTime"] == "2026-08-22T12:30:00.250000Z", "UTC, fractions kept"
    assert document["EndTime"] == "2026-11-20T12:00:00Z"
    path = f"{ACCOUNT}/cloudtrail-logs/lookup-events/us-east-1/root.json"
    scan = scan_documents({path: document}, ACCOUNT)
    assert isinstance(scan, TrailScan)
    (answer,) = scan.reads.lookups
    assert (answer.start, answer.end) == (since, UNTIL)
    assert answer.answered and not answer.more_pages


def test_lookup_region_refused_stores_the_refusal() -> None:
    refusal = "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: cloudtrail:LookupEvents"
    pages = Script(client_error("AccessDeniedException", "LookupEvents", refusal))

    document = lookup_region(cloudtrail_client(pages), ROOT_QUESTION, SINCE, UNTIL, limiter(FakeTime()))

    assert contract(document) == {"Error": {"Code": "AccessDeniedException", "Message": refusal}}


@pytest.mark.parametrize(
    "failure",
    [
        client_error("ThrottlingException", "LookupEvents", "Rate exceeded"),
        client_error("AccessDeniedException", "LookupEvents", "explicit deny in an SCP"),
        ReadTimeoutError(endpoint_url="https://cloudtrail.eu-west-1.amazonaws.com/"),
    ],
    ids=["throttled", "denied", "timeout"],
)
def test_lookup_region_never_stores_a_partial_list(failure: Exception) -> None:
    pages = Script({"Events": [event("e1"), event("e2")], "NextToken": "t-1"}, failure)

    document = lookup_region(cloudtrail_client(pages), CONSOLE_QUESTION, SINCE, UNTIL, limiter(FakeTime()))

    assert set(document) == {"Error"}, f"page 1 must not be stored as the whole answer: {document}"
    if isinstance(failure, ClientError):
        assert contract(document)["Error"] == failure.response["Error"]
    else:
        assert document["Error"]["Code"] == "ReadTimeoutError"
        assert "cloudtrail.eu-west-1.amazonaws.com" in document["Error"]["Message"]


@pytest.mark.parametrize("code", ["ExpiredTokenException", "UnrecognizedClientException"])
def test_lookup_region_with_dead_credentials_is_a_credentials_error(code: str) -> None:
    pages = Script({"Events": [event("e1")], "NextToken": "t-1"}, client_error(code, "LookupEvents"))

    with pytest.raises(CredentialsError, match=code):
        lookup_region(cloudtrail_client(pages), ROOT_QUESTION, SINCE, UNTIL, limiter(FakeTime()))


def test_lookup_region_with_credentials_that_cannot_be_refreshed_is_a_credentials_error() -> None:
    # An SSO or assumed-role session that runs out while the Regions are read: botocore raises
    # before sending the request. That is one clear "sign in again", not an error per Region.
    expired = TokenRetrievalError(provider="sso", error_msg="the SSO session has expired")
    pages = Script({"Events": [event("e1")], "NextToken": "t-1"}, expired)

    with pytest.raises(CredentialsError, match="sign in again"):
        lookup_region(cloudtrail_client(pages), ROOT_QUESTION, SINCE, UNTIL, limiter(FakeTime()))


def test_lookup_region_unreachable_is_stored_for_that_region_only() -> None:
    unreachable = EndpointConnectionError(endpoint_url="https://cloudtrail.me-central-1.amazonaws.com/")

    document = lookup_region(cloudtrail_client(Script(unreachable)), ROOT_QUESTION, SINCE, UNTIL, limiter(FakeTime()))

    assert document["Error"]["Code"] == "EndpointConnectionError"
    assert "cloudtrail.me-central-1.amazonaws.com" in document["Error"]["Message"]


def test_lookup_region_stops_an_endless_next_token_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cloudtrail, "MAX_PAGES", 3)
    # A new token every time (botocore itself stops a token that comes back unchanged).
    pages = Script(*({"Events": [event(f"e{n}")], "NextToken": f"next-{n}"} for n in range(10)))

    document = lookup_region(cloudtrail_client(pages), ROOT_QUESTION, SINCE, UNTIL, limiter(FakeTime()))

    assert len(pages.calls) == 3
    assert document["Error"]["Code"] == "TooManyPages"
    assert "--since" in document["Error"]["Message"]


# --- enabled Regions ----------------------------------------------------------------------------


class FakeEc2:
    def __init__(self, describe_regions: Script) -> None:
        self.describe_regions = describe_regions


def region(name: str, status: str | None) -> dict[str, str]:
    item = {"RegionName": name, "Endpoint": f"ec2.{name}.amazonaws.com"}
    if status is not None:
        item["OptInStatus"] = status
    return item


def test_enabled_regions_drops_regions_not_opted_in() -> None:
    answer = {
        "Regions": [
            region("us-east-1", "opt-in-not-required"),
            region("ap-east-1", "not-opted-in"),
            region("af-south-1", "opted-in"),
            region("eu-west-1", None),  # older answers have no OptInStatus: enabled
        ],
        "ResponseMetadata": METADATA,
    }
    describe = Script(answer)

    listing = enabled_regions(FakeEc2(describe))
    assert listing == RegionListing(("af-south-1", "eu-west-1", "us-east-1"))
    assert describe.calls == [{"AllRegions": False}]
    assert listing.document() == {
        "Regions": [
            region("af-south-1", "opted-in"),
            region("eu-west-1", None),
            region("us-east-1", "opt-in-not-required"),
        ]
    }, "describe-regions output of the Regions asked, as the CLI prints it"


def test_a_region_listing_made_without_describe_regions_stores_the_names() -> None:
    assert RegionListing(("eu-central-1",)).document() == {"Regions": [{"RegionName": "eu-central-1"}]}
    refused = {"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}
    assert RegionListing(error=refused).document() == refused


def test_enabled_regions_refused_is_an_error_document() -> None:
    message = "You are not authorized to perform this operation."
    describe = Script(client_error("UnauthorizedOperation", "DescribeRegions", message))

    listing = enabled_regions(FakeEc2(describe))
    assert listing.regions == ()
    assert contract(listing.error) == {"Error": {"Code": "UnauthorizedOperation", "Message": message}}


def test_enabled_regions_unanswered_is_an_error_document_not_a_traceback() -> None:
    describe = Script(ReadTimeoutError(endpoint_url="https://ec2.us-east-1.amazonaws.com/"))

    listing = enabled_regions(FakeEc2(describe))
    document = listing.error

    assert listing.regions == ()
    assert isinstance(document, dict)
    assert document["Error"]["Code"] == "ReadTimeoutError"
    assert "ec2.us-east-1.amazonaws.com" in document["Error"]["Message"]


def test_enabled_regions_with_credentials_that_cannot_be_refreshed_is_a_credentials_error() -> None:
    describe = Script(TokenRetrievalError(provider="sso", error_msg="the SSO session has expired"))

    with pytest.raises(CredentialsError, match="sign in again"):
        enabled_regions(FakeEc2(describe))


def test_enabled_regions_with_dead_credentials_is_a_credentials_error() -> None:
    describe = Script(client_error("RequestExpired", "DescribeRegions"))

    with pytest.raises(CredentialsError, match="RequestExpired"):
        enabled_regions(FakeEc2(describe))


# --- every Region, every question ------------------------------------------------------------


class FakeAws:
    """What ``lookup_root_events`` needs of ``Aws``: clients, and which were made for which Region.

    ``trails``: each Region's LookupEvents script.
    """

    region = "us-east-1"

    def __init__(self, regions: Any = None, trails: dict[str, Script] | None = None) -> None:
        self.regions = FakeEc2(Script(regions) if regions is not None else Script())
        self.trails = dict(trails or {})
        self.made: list[tuple[str, str | None]] = []

    def out_of_time(self) -> bool:
        return False

    def ec2(self, region: str | None = None) -> Any:
        self.made.append(("ec2", region))
        return self.regions

    def cloudtrail(self, region: str | None = None) -> Any:
        self.made.append(("cloudtrail", region))
        assert region is not None, "a CloudTrail client must be made for its Region"
        return cloudtrail_client(self.trails[region])

    def sts(self, region: str | None = None) -> Any:
        self.made.append(("sts", region))
        return self

    def get_caller_identity(self) -> dict[str, Any]:
        return {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/auditor", "UserId": "AIDA1"}


def answers(*pages: Any) -> Script:
    """A Region's answers to the three questions, in order; ``{"Events": []}`` when not given."""
    given = list(pages) + [{"Events": []}] * (len(QUESTIONS) - len(pages))
    return Script(*given)


@pytest.fixture
def paced(monkeypatch: pytest.MonkeyPatch) -> list[FakeTime]:
    """Every limiter ``lookup_root_events`` makes, each on its own fake clock."""
    clocks: list[FakeTime] = []

    def make(rate: float) -> RateLimiter:
        clocks.append(FakeTime())
        return RateLimiter(rate, clock=clocks[-1].clock, sleep=clocks[-1].sleep)

    monkeypatch.setattr(cloudtrail, "RateLimiter", make)
    return clocks


def progress_log() -> tuple[list[tuple[int, int]], Callable[[int, int], None]]:
    seen: list[tuple[int, int]] = []
    return seen, lambda done, total: seen.append((done, total))


def test_lookup_root_events_asks_every_question_in_every_enabled_region(paced: list[FakeTime]) -> None:
    listing = {"Regions": [region("us-east-1", "opt-in-not-required"), region("eu-west-1", "opt-in-not-required"),
                           region("ap-east-1", "not-opted-in")]}  # fmt: skip
    found = {"Events": [event("e1")]}
    aws = FakeAws(listing, {"us-east-1": answers(found), "eu-west-1": answers()})
    seen, progress = progress_log()

    results = lookup_root_events(aws, since=SINCE, until=UNTIL, progress=progress)

    names = sorted(f"{r}/{q[0]}" for r in ("eu-west-1", "us-east-1") for q in QUESTIONS)
    assert list(results) == sorted([*names, "regions"]), (
        "sorted keys, one per Region and question; ap-east-1 is not asked"
    )
    assert results["us-east-1/root"] == answered(as_cli_prints(event("e1")))
    assert all(results[name] == answered() for name in names if name != "us-east-1/root")
    assert results["regions"] == {
        "Regions": [region("eu-west-1", "opt-in-not-required"), region("us-east-1", "opt-in-not-required")]
    }, "the Regions asked, as describe-regions printed them"
    for name, script in aws.trails.items():
        asked = [call["LookupAttributes"] for call in script.calls]
        assert asked == [[{"AttributeKey": q[1], "AttributeValue": q[2]}] for q in QUESTIONS], name
    assert sorted(r for s, r in aws.made if s == "cloudtrail") == ["eu-west-1", "us-east-1"]
    assert [clock.sleeps for clock in paced] == [[0.5], [0.5]], "each Region has its own budget of 2/s"
    total = 2 * len(QUESTIONS)
    assert seen == [(done, total) for done in range(1, total + 1)]


def test_lookup_root_events_with_regions_given_does_not_list_them(paced: list[FakeTime]) -> None:
    aws = FakeAws(trails={"eu-central-1": answers()})
    seen, progress = progress_log()

    listing = RegionListing(("eu-central-1",))
    results = lookup_root_events(aws, since=SINCE, until=UNTIL, regions=listing, progress=progress)

    assert ("ec2", None) not in aws.made
    assert aws.regions.describe_regions.calls == []
    assert list(results) == [*sorted(f"eu-central-1/{q[0]}" for q in QUESTIONS), "regions"]
    assert results["regions"] == {"Regions": [{"RegionName": "eu-central-1"}]}
    assert seen[-1] == (len(QUESTIONS), len(QUESTIONS))


def test_lookup_root_events_without_a_region_list_stores_why(paced: list[FakeTime]) -> None:
    message = "You are not authorized to perform this operation."
    aws = FakeAws(client_error("UnauthorizedOperation", "DescribeRegions", message))
    seen, progress = progress_log()

    results = lookup_root_events(aws, since=SINCE, until=UNTIL, progress=progress)

    assert {name: contract(document) for name, document in results.items()} == {
        "regions": {"Error": {"Code": "UnauthorizedOperation", "Message": message}}
    }
    assert [s for s, _ in aws.made] == ["ec2"], "no Region is guessed"
    assert seen == []


def test_lookup_root_events_keeps_other_regions_when_one_refuses(paced: list[FakeTime]) -> None:
    listing = {"Regions": [region("us-east-1", None), region("eu-west-1", None)]}
    refusal = client_error("AccessDeniedException", "LookupEvents", "denied in eu-west-1 by an SCP")
    aws = FakeAws(
        listing,
        {
            "us-east-1": answers({"Events": [event("e1")]}),
            "eu-west-1": Script(refusal, refusal, refusal),
        },
    )

    results = lookup_root_events(aws, since=SINCE, until=UNTIL)

    for question in QUESTIONS:
        assert contract(results[f"eu-west-1/{question[0]}"]) == {"Error": refusal.response["Error"]}
        assert set(results[f"eu-west-1/{question[0]}"]) == {"Error"}, "a failed call stores its error document alone"
    assert results["us-east-1/root"] == answered(as_cli_prints(event("e1")))


def test_lookup_root_events_with_expired_credentials_stops(paced: list[FakeTime]) -> None:
    listing = {"Regions": [region("us-east-1", None), region("eu-west-1", None)]}
    aws = FakeAws(
        listing,
        {
            "us-east-1": answers(),
            "eu-west-1": Script(client_error("ExpiredTokenException", "LookupEvents", "The security token expired")),
        },
    )

    with pytest.raises(CredentialsError, match="ExpiredTokenException"):
        lookup_root_events(aws, since=SINCE, until=UNTIL)


# --- into the bundle ----------------------------------------------------------------------------


def test_bundle_documents_are_stored_under_the_accounts_cloudtrail_logs() -> None:
    denied = {"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}
    results = {"us-east-1/root": {"Events": []}, "eu-west-1/console-login": {"Events": []}, "regions": denied}

    assert bundle_documents(ACCOUNT, results) == {
        f"{ACCOUNT}/cloudtrail-logs/lookup-events/us-east-1/root.json": {"Events": []},
        f"{ACCOUNT}/cloudtrail-logs/lookup-events/eu-west-1/console-login.json": {"Events": []},
        f"{ACCOUNT}/cloudtrail-logs/lookup-events/regions.json": denied,
    }


def test_lookup_documents_names_the_account_of_the_credentials(paced: list[FakeTime]) -> None:
    aws = FakeAws({"Regions": [region("us-east-1", None)]}, {"us-east-1": answers({"Events": [event("e1")]})})

    account, documents = lookup_documents(aws, since=SINCE, until=UNTIL)

    assert account == ACCOUNT
    assert sorted(documents) == sorted(
        [
            *(f"{ACCOUNT}/cloudtrail-logs/lookup-events/us-east-1/{q[0]}.json" for q in QUESTIONS),
            f"{ACCOUNT}/cloudtrail-logs/lookup-events/regions.json",
        ]
    )
    assert documents[f"{ACCOUNT}/cloudtrail-logs/lookup-events/us-east-1/root.json"]["Events"][0]["EventId"] == "e1"
    assert documents[f"{ACCOUNT}/cloudtrail-logs/lookup-events/regions.json"] == {
        "Regions": [region("us-east-1", None)]
    }


def test_a_live_collection_proves_its_coverage_from_what_it_stored(paced: list[FakeTime]) -> None:
    """The stored answers say the period they asked and regions.json the Regions: read without ``asked``
    (as an offline audit of the bundle reads them), every answer has its period and every Region answered."""
    listing = {"Regions": [region("us-east-1", None), region("eu-west-1", None)]}
    aws = FakeAws(listing, {"us-east-1": answers(), "eu-west-1": answers()})

    _, documents = lookup_documents(aws, since=SINCE, until=UNTIL)
    scan = scan_documents(json.loads(json.dumps(documents)), ACCOUNT)

    assert isinstance(scan, TrailScan)
    assert scan.skipped == ()
    assert len(scan.reads.lookups) == 2 * len(QUESTIONS)
    assert all((a.start, a.end) == (SINCE, UNTIL) and a.answered for a in scan.reads.lookups)
    assert scan.reads.lookup_regions == ((ACCOUNT, "eu-west-1"), (ACCOUNT, "us-east-1"))
    assert scan.reads.regions == ((ACCOUNT, "eu-west-1"), (ACCOUNT, "us-east-1"))


def test_scan_documents_turns_a_stored_refusal_into_a_skipped_source_with_its_code() -> None:
    prefix = f"{ACCOUNT}/cloudtrail-logs/lookup-events"
    refusal = {
        "Error": {"Code": "AccessDeniedException", "Message": "not authorized to perform: cloudtrail:LookupEvents"}
    }
    login = as_cli_prints(event("e1"))
    documents = {
        f"{prefix}/us-east-1/root.json": {"Events": [login]},
        f"{prefix}/us-east-1/console-login.json": {"Events": [login]},
        f"{prefix}/eu-west-1/root.json": refusal,
        f"{ACCOUNT}/global/iam/get-account-summary.json": {"SummaryMap": {}},  # not CloudTrail
        "210987654321/cloudtrail-logs/lookup-events/us-east-1/root.json": refusal,  # another account's
    }

    scan = scan_documents(documents, ACCOUNT)

    assert isinstance(scan, TrailScan)
    assert scan.files == 3
    (skipped,) = scan.skipped
    assert isinstance(skipped, SkippedSource)
    assert skipped.path == f"{prefix}/eu-west-1/root.json"
    assert skipped.reason.startswith(
        "AWS answered AccessDeniedException (not authorized to perform: cloudtrail:LookupEvents)"
    )
    assert "grant cloudtrail:LookupEvents" in skipped.reason
    assert {r.record["eventID"] for r in scan.root_records} == {"e1"}
    assert {r.source for r in scan.root_records} == {
        f"{prefix}/us-east-1/root.json",
        f"{prefix}/us-east-1/console-login.json",
    }


def test_scan_documents_reports_regions_that_could_not_be_listed() -> None:
    denied = {
        "Error": {"Code": "UnauthorizedOperation", "Message": "You are not authorized to perform this operation."}
    }

    scan = scan_documents({f"{ACCOUNT}/cloudtrail-logs/lookup-events/regions.json": denied}, ACCOUNT)

    assert isinstance(scan, TrailScan)
    assert scan.root_records == ()
    assert [s.path for s in scan.skipped] == [f"{ACCOUNT}/cloudtrail-logs/lookup-events/regions.json"]
    assert "UnauthorizedOperation" in scan.skipped[0].reason
    assert "ec2:DescribeRegions" in scan.skipped[0].reason


def test_scan_documents_without_cloudtrail_documents_is_not_collected() -> None:
    documents = {f"{ACCOUNT}/global/iam/get-account-summary.json": {"SummaryMap": {}}}

    gap = scan_documents(documents, ACCOUNT)

    assert isinstance(gap, Gap)
    assert gap.kind is GapKind.NOT_COLLECTED
    assert gap.source == f"{ACCOUNT}/cloudtrail-logs/"
    assert "cloudtrail:LookupEvents" in gap.fix


def test_lookback_is_the_ninety_days_event_history_keeps() -> None:
    assert timedelta(days=90) == cloudtrail.LOOKBACK

"""Fault injection: ``rootguard audit`` through a faulty AWS (tests/faults/proxy.py in front of moto).

The CLI runs as a subprocess with ``AWS_ENDPOINT_URL`` pointing at the proxy, in front of one moto
server holding the "good" scenario (every check PASSes unfaulted). Each seed injects the faults of
``plan(seed)``; the property, for every seed:

- the audit finishes within its ``--timeout`` plus a small margin, with a documented exit code: 0, 1 or 3
  for a finished audit, 2 (one ``rootguard: error:`` line) only when sts:GetCallerIdentity was faulted;
  never a traceback;
- every persistent fault that was injected is recorded in the saved bundle as a failure, never as an
  (empty) answer;
- no check PASSes when the evidence it needs failed (``plan.NEEDS``/``EVERY``), every check whose
  evidence all arrived keeps its unfaulted verdict (``plan.READS``), and every ERROR finding names a
  failed file of what it reads, so every injected failure that a check reads appears in the report.

The fixed seeds (``faults``) run in the default test run; ``slow`` adds many more (``.ci/run``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faults.cli import aws_env, rootguard
from faults.plan import CALLER, EVERY, FAMILY, KINDS, NEEDS, READS, SPARE, Fault, Plan, plan
from faults.proxy import fault_proxy
from message_rules import message_problems
from moto_root import MotoRoot, moto_root_server
from rootguard.model.failures import is_failure

TIMEOUT = 12.0
"""The audit's --timeout: its read timeout is a quarter of it (3 s); a slow fault answers after 4 s."""
MARGIN = 5.0
"""Start-up, evaluation and the report, plus a back-off sleep already begun when the time ran out."""
FAST_SEEDS = (5, 6, 10, 14, 17, 24, 26)
SLOW_SEEDS = tuple(range(100, 140))
FINISHED = {0, 1, 3}


@pytest.fixture(scope="module")
def server() -> Iterator[MotoRoot]:
    with moto_root_server("good") as running:
        yield running


def families(bundle: Path) -> dict[str, list[tuple[str, Any]]]:
    """Evidence family (the file's operation name, or its folder's for per-resource files) → (path, document)."""
    found: dict[str, list[tuple[str, Any]]] = {}
    for path in sorted(bundle.rglob("*.json")):
        relative = path.relative_to(bundle)
        parts = relative.parts
        if len(parts) < 2 or parts[-1] == "manifest.json":
            continue
        if "lookup-events" in parts:
            family = "lookup-events"
            if parts[-1] == "regions.json" and not failed(json.loads(path.read_text())):
                continue  # the Regions asked (DescribeRegions), not a LookupEvents answer; its error stands in
        elif parts[-2] in FAMILY.values() or parts[-2] in {"get-trail-status", "get-event-selectors"}:
            family = parts[-2]
        else:
            family = relative.stem
        found.setdefault(family, []).append((str(relative), json.loads(path.read_text())))
    return found


def failed(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and set(document) == {"Error"}
        and isinstance(document["Error"], dict)
        and is_failure(document["Error"])
    )


def audit(server: MotoRoot, folder: Path, chosen: Plan) -> tuple[float, Any, Path]:
    (folder / "rootguard.toml").write_text(server.scenario.config)
    bundle = folder / "bundle"
    with fault_proxy(server.endpoint, chosen.respond) as proxy:
        started = time.monotonic()
        result = rootguard(
            aws_env(folder, proxy.endpoint),
            "audit", "--format", "json", "--quiet", "--timeout", f"{TIMEOUT:g}", "--save-evidence", bundle,
            cwd=folder,
        )  # fmt: skip
        took = time.monotonic() - started
    return took, result, bundle


def check_seed(server: MotoRoot, folder: Path, seed: int, *, fast: bool) -> None:
    chosen = plan(seed, read_timeout=TIMEOUT / 4, fast=fast)
    took, result, bundle = audit(server, folder, chosen)
    where = f"{chosen}\nstderr: {result.stderr}"

    assert "Traceback" not in result.stderr, where
    assert took <= TIMEOUT + MARGIN, f"took {took:.1f} s; {where}"
    if result.returncode == 2:
        assert chosen.touches_the_caller, where
        (line,) = result.stderr.splitlines()
        assert line.startswith("rootguard: error: ") and "GetCallerIdentity" in line, where
        assert result.stdout == ""
        return
    assert result.returncode in FINISHED, where
    report = json.loads(result.stdout)
    assert message_problems(report) == [], where
    (account,) = report["accounts"]
    findings = {finding["check_id"]: finding for finding in account["findings"]}
    expected = server.scenario.expected
    stored = families(bundle)
    broken = {family for family, documents in stored.items() if any(failed(d) for _, d in documents)}
    dead = {family for family, documents in stored.items() if documents and all(failed(d) for _, d in documents)}

    # Every persistent fault that was injected is recorded as a failure, never as an answer.
    for fault in chosen.faults:
        family = FAMILY.get(fault.action)
        if fault.persistent and fault.done and family and fault.action != "iam:GenerateCredentialReport":
            assert family in dead, f"{fault} was injected but {family} holds answers; {where}"

    for check_id, finding in findings.items():
        status, text = finding["status"], json.dumps(finding)
        needed = any(group <= dead for group in NEEDS.get(check_id, ())) or bool(EVERY.get(check_id, set()) & broken)
        if needed:
            assert status != "PASS", f"{check_id} PASSed on failed evidence; {where}"
        if not READS[check_id] & broken:
            assert status == expected[check_id], f"{check_id}: {finding['message']}; {where}"
        if status == "ERROR":
            named = [family for family in READS[check_id] & broken if family in text]
            assert named, f"{check_id} is ERROR without naming what failed: {finding['message']}; {where}"
    # Every injected failure a check reads is in the report: named by a reader, or hidden behind another
    # failure the reader names (Config compliance is not read when the rules cannot be), or on a path that a
    # reader did not need because another one worked (root-alerting PASSes through its alarm chain).
    for fault in chosen.faults:
        family = FAMILY.get(fault.action)
        readers = [check_id for check_id, reads in READS.items() if family in reads]
        if not (fault.persistent and fault.done and family in dead and readers):
            continue
        named = any(family in json.dumps(findings[c]) for c in readers)
        masked = any(findings[c]["status"] == "ERROR" for c in readers)
        spared = family in SPARE and all(findings[c]["status"] == "PASS" for c in readers)
        assert named or masked or spared, f"{fault} is not in the report; {where}"


@pytest.mark.e2e
@pytest.mark.faults
@pytest.mark.parametrize("seed", FAST_SEEDS)
def test_a_faulty_world_gives_a_true_report_in_bounded_time(server: MotoRoot, tmp_path: Path, seed: int) -> None:
    check_seed(server, tmp_path, seed, fast=True)


@pytest.mark.e2e
@pytest.mark.faults
@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_SEEDS)
def test_more_seeds_with_lasting_throttling_and_hung_answers(server: MotoRoot, tmp_path: Path, seed: int) -> None:
    check_seed(server, tmp_path, seed, fast=False)


@pytest.mark.e2e
@pytest.mark.faults
def test_the_deadline_cuts_a_hung_service_short_and_the_report_still_comes_out(
    server: MotoRoot, tmp_path: Path
) -> None:
    timeout = 4.0
    hung = Plan(0, [Fault("cloudtrail:LookupEvents", "slow", None, read_timeout=timeout / 4)])
    (tmp_path / "rootguard.toml").write_text(server.scenario.config)
    bundle = tmp_path / "bundle"
    with fault_proxy(server.endpoint, hung.respond) as proxy:
        started = time.monotonic()
        result = rootguard(
            aws_env(tmp_path, proxy.endpoint),
            "audit", "--format", "json", "--quiet", "--timeout", f"{timeout:g}", "--save-evidence", bundle,
            cwd=tmp_path,
        )  # fmt: skip
        took = time.monotonic() - started

    assert result.returncode == 3, result.stderr
    assert took <= timeout + MARGIN, f"took {took:.1f} s"
    findings = {f["check_id"]: f for f in json.loads(result.stdout)["accounts"][0]["findings"]}
    assert findings["root-activity"]["status"] == "ERROR"
    lookups = [document["Error"] for _, document in families(bundle)["lookup-events"]]
    assert all(error["Category"] in {"unavailable", "not-attempted"} for error in lookups)
    assert any(error.get("Cause") == "deadline" for error in lookups), lookups
    assert any(error["Code"] == "ReadTimeoutError" for error in lookups), lookups
    others = {check_id: f["status"] for check_id, f in findings.items() if check_id != "root-activity"}
    assert set(others.values()) == {"PASS"}, "what was read before the time ran out is judged as usual"


def test_the_fixed_seeds_cover_every_kind_of_fault_and_the_caller() -> None:
    faults = [fault for seed in FAST_SEEDS for fault in plan(seed, read_timeout=3, fast=True).faults]
    assert {fault.kind for fault in faults} == set(KINDS)
    assert CALLER in {fault.action for fault in faults}
    assert any(fault.persistent for fault in faults) and any(not fault.persistent for fault in faults)

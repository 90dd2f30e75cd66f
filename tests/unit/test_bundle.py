"""Evidence bundles: manifest validation, checksums, and bad files that stay local to their checks."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from builders import AS_OF, AccountBuilder, context
from rootguard.app.evaluate import evaluate
from rootguard.checks import ALL_CHECKS
from rootguard.errors import BundleError, OutputError
from rootguard.evidence.bundle import open_bundle, write_bundle
from rootguard.model.findings import Status
from rootguard.model.gaps import GapKind
from rootguard.model.operations import CREDENTIAL_REPORT, VIRTUAL_MFA_DEVICES, encode_name


def statuses(path: Path) -> dict[str, Status]:
    bundle = open_bundle(path)
    report = evaluate(bundle.evidence, context())
    return {f.check_id: f.status for f in report.accounts[0].findings}


def manifest(path: Path) -> dict[str, object]:
    return json.loads((path / "manifest.json").read_text())


def rewrite_manifest(path: Path, **changes: object) -> None:
    document = manifest(path) | changes
    (path / "manifest.json").write_text(json.dumps(document))


def test_round_trip(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    bundle = open_bundle(out)
    assert bundle.evidence.collected_at == AS_OF
    assert [a.account_id for a in bundle.evidence.accounts] == ["123456789012"]
    assert bundle.notes == ()
    assert set(statuses(out).values()) == {Status.PASS}


def test_written_files_are_private(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    for item in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(item.stat().st_mode)
        assert mode == (0o700 if item.is_dir() else 0o600), item


def test_writer_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "keep.txt").write_text("x")
    with pytest.raises(OutputError, match="not empty"):
        AccountBuilder().write(tmp_path / "b")
    write_bundle(tmp_path / "b", AccountBuilder().documents, ("123456789012",), AS_OF, force=True)
    assert (tmp_path / "b" / "keep.txt").exists()


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="does not exist"):
        open_bundle(tmp_path / "nope")


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"manifest\.json is missing"):
        open_bundle(tmp_path)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": "something@2"}, "format"),
        ({"collected_at": "yesterday"}, "collected_at"),
        ({"collected_at": None}, "collected_at"),
        ({"accounts": []}, "accounts"),
        ({"accounts": [123456789012]}, "12-digit"),
        ({"accounts": ["12345"]}, "12-digit"),
        ({"accounts": ["123456789012", "123456789012"]}, "twice"),
        ({"sha256": ["x"]}, "sha256"),
    ],
)
def test_invalid_manifest(tmp_path: Path, changes: dict[str, object], message: str) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    rewrite_manifest(out, **changes)
    with pytest.raises(BundleError, match=message):
        open_bundle(out)


@pytest.mark.parametrize("text", ["{", "[]", "not json", ""])
def test_manifest_not_an_object(tmp_path: Path, text: str) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    (out / "manifest.json").write_text(text)
    with pytest.raises(BundleError, match="manifest"):
        open_bundle(out)


def test_checksum_mismatch_is_fatal(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    (out / CREDENTIAL_REPORT.path("123456789012")).write_text('{"Content": ""}')
    with pytest.raises(BundleError, match="sha256 mismatch"):
        open_bundle(out)


def test_checksum_of_a_missing_file_is_fatal(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    (out / CREDENTIAL_REPORT.path("123456789012")).unlink()
    with pytest.raises(BundleError, match="cannot be read"):
        open_bundle(out)


def test_checksum_paths_cannot_escape(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    rewrite_manifest(out, sha256={"../../etc/passwd": "0" * 64})
    with pytest.raises(BundleError, match="outside the bundle"):
        open_bundle(out)


def test_hand_made_bundle_without_checksums(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    document = manifest(out)
    del document["sha256"]
    (out / "manifest.json").write_text(json.dumps(document))
    assert set(statuses(out).values()) == {Status.PASS}


def test_unlisted_files_are_noted(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    (out / "123456789012" / "global" / "iam" / "extra.json").write_text("{}")
    assert open_bundle(out).notes == (
        "123456789012/global/iam/extra.json is not covered by the manifest's sha256 list",
    )


def _without_checksums(out: Path) -> None:
    document = manifest(out)
    del document["sha256"]
    (out / "manifest.json").write_text(json.dumps(document))


def test_garbage_csv_errors_only_the_checks_that_need_the_report(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    _without_checksums(out)
    (out / CREDENTIAL_REPORT.path("123456789012")).write_text(
        json.dumps({"Content": "aGVsbG8sd29ybGQKMSwyCg==", "GeneratedTime": "2026-11-20T11:00:00Z"})
    )
    result = statuses(out)
    assert result["root-recent-use"] is Status.ERROR
    # The live summary still settles keys, MFA and certificates.
    assert result["root-access-keys"] is Status.PASS
    assert result["root-mfa"] is Status.PASS
    assert result["root-hardware-mfa"] is Status.PASS
    bundle = open_bundle(out)
    report = bundle.evidence.accounts[0].credential_report
    assert getattr(report, "kind", None) is GapKind.MALFORMED
    assert "123456789012/global/iam/get-credential-report.json" in getattr(report, "source", "")


def test_truncated_json_names_the_file_and_the_rest_runs(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    _without_checksums(out)
    target = out / VIRTUAL_MFA_DEVICES.path("123456789012")
    target.write_text(target.read_text()[:10])
    bundle = open_bundle(out)
    report = evaluate(bundle.evidence, context())
    findings = {f.check_id: f for f in report.accounts[0].findings}
    assert findings["root-hardware-mfa"].status is Status.ERROR
    assert "list-virtual-mfa-devices.json" in findings["root-hardware-mfa"].message
    assert "cannot be read as JSON" in findings["root-hardware-mfa"].message
    assert findings["root-recent-use"].status is Status.PASS


def test_absent_file_is_error_never_pass(tmp_path: Path) -> None:
    out = AccountBuilder().without(VIRTUAL_MFA_DEVICES.path("123456789012")).write(tmp_path / "b")
    assert statuses(out)["root-hardware-mfa"] is Status.ERROR


def test_account_directory_missing_gives_errors_for_that_account(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    rewrite_manifest(out, accounts=["123456789012", "210987654321"])
    bundle = open_bundle(out)
    report = evaluate(bundle.evidence, context())
    second = report.accounts[1]
    assert second.account_id == "210987654321"
    assert len(second.findings) == len(ALL_CHECKS)
    assert {f.status for f in second.findings} == {Status.ERROR}


@pytest.mark.parametrize(
    ("name", "encoded"),
    [("main-trail", "main-trail"), ("a b/c", "a%20b%2Fc"), ("é", "%C3%A9"), ("..", "%2E%2E"), ("x.y_z", "x.y_z")],
)
def test_encode_name(name: str, encoded: str) -> None:
    assert encode_name(name) == encoded

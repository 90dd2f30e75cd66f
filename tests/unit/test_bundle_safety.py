"""Bundles and report files in a hostile world (contract §5.5, §5.6): paths bent by AWS values, links
planted in a bundle or at an output file, interrupted writes. Nothing is written or read through a
link, nothing leaves the bundle, and a bundle that was not finished is never audited."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest

from builders import ACCOUNT, AS_OF, AccountBuilder, ago, context
from rootguard.app.evaluate import evaluate
from rootguard.cli.main import main
from rootguard.errors import BundleError, OutputError
from rootguard.evidence import files
from rootguard.evidence.bundle import check_output_dir, open_bundle, write_bundle
from rootguard.evidence.manifest import MARKER
from rootguard.model.findings import Status
from rootguard.model.operations import (
    CREDENTIAL_REPORT,
    DESCRIBE_TRAILS,
    TRAIL_STATUS,
    bundle_path_problem,
    relative_path_problem,
)

REPORT = CREDENTIAL_REPORT.path(ACCOUNT)


def documents(**extra: Any) -> dict[str, Any]:
    return {**AccountBuilder().documents, **extra}


def tree(root: Path) -> dict[str, bytes | str]:
    """Everything under ``root``: file bytes, ``->target`` for links, ``/`` for folders."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[relative] = f"->{path.readlink()}"
        elif path.is_dir():
            found[relative] = "/"
        else:
            found[relative] = path.read_bytes()
    return found


def without_checksums(out: Path) -> None:
    document = json.loads((out / "manifest.json").read_text())
    del document["sha256"]
    (out / "manifest.json").write_text(json.dumps(document))


def findings(out: Path) -> dict[str, Any]:
    bundle = open_bundle(out)
    report = evaluate(bundle.evidence, context())
    return {f.check_id: f for f in report.accounts[0].findings}


def atime_is_kept(folder: Path) -> bool:
    """Whether reading a file moves its access time here (relatime does; noatime mounts do not)."""
    probe = folder / "atime-probe"
    probe.write_text("x")
    os.utime(probe, (0, probe.stat().st_mtime))
    probe.read_text()
    return probe.stat().st_atime != 0


# Paths from AWS values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "problem"),
    [
        ("123456789012/global/iam/x.json", None),
        ("123456789012/eu-west-1/sns/list-subscriptions-by-topic/a%2Fb.json", None),
        ("../../x/global/sts/get-caller-identity.json", "leaves the bundle"),
        ("/etc/passwd", "absolute"),
        ("123456789012/../../x.json", "leaves the bundle"),
        ("123456789012//x.json", "empty"),
        ("123456789012/./x.json", "`.`"),
        ("123456789012/x\0.json", "NUL"),
        ("123456789012/a\\..\\..\\x.json", "backslash"),
        ("12345/global/x.json", "12-digit"),
        ("x/global/x.json", "12-digit"),
        ("123456789012", "account folder"),
        ("", "empty"),
    ],
)
def test_bundle_path_problem(relative: str, problem: str | None) -> None:
    found = bundle_path_problem(relative)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_resource_names_are_encoded_into_one_safe_part() -> None:
    path = TRAIL_STATUS.path(ACCOUNT, "us-east-1", "../../../../etc/cron.d/x")
    assert bundle_path_problem(path) is None
    assert path.count("/") == 4


@pytest.mark.parametrize(
    "bent",
    [
        {"accounts": ("../../x",), "path": DESCRIBE_TRAILS.path("../../x", "us-east-1")},
        {"accounts": (ACCOUNT,), "path": DESCRIBE_TRAILS.path(ACCOUNT, "../../../escaped")},
        {"accounts": (ACCOUNT,), "path": DESCRIBE_TRAILS.path(ACCOUNT, "")},
        {"accounts": (ACCOUNT,), "path": DESCRIBE_TRAILS.path(ACCOUNT, ".")},
        {"accounts": (ACCOUNT,), "path": "/tmp/absolute.json"},
        {"accounts": (ACCOUNT,), "path": f"{ACCOUNT}/cloudtrail-logs/lookup-events/x\0/root.json"},
        {"accounts": ("",), "path": DESCRIBE_TRAILS.path("", "us-east-1")},
    ],
    ids=["account", "region-dotdot", "region-empty", "region-dot", "absolute", "nul", "empty-account"],
)
def test_a_path_bent_by_an_aws_value_is_refused_before_anything_is_written(
    tmp_path: Path, bent: dict[str, Any]
) -> None:
    out = tmp_path / "deep" / "bundle"
    with pytest.raises(OutputError, match=r"12-digit|refusing the evidence path"):
        write_bundle(out, documents(**{bent["path"]: {"trailList": []}}), bent["accounts"], AS_OF)
    assert list(tmp_path.iterdir()) == []  # not even the folders above the bundle


def test_a_path_shaped_account_id_in_a_live_document_set(tmp_path: Path) -> None:
    # What a hostile endpoint's GetCallerIdentity would make the collector build.
    account = "../../x"
    bent = {DESCRIBE_TRAILS.path(account, "us-east-1"): {"trailList": []}}
    with pytest.raises(OutputError, match=re.escape("'../../x' is not a 12-digit account id")):
        write_bundle(tmp_path / "b", bent, (account,), AS_OF)
    with pytest.raises(OutputError, match=re.escape("refusing the evidence path '../../x/us-east-1")):
        write_bundle(tmp_path / "b", bent, (ACCOUNT,), AS_OF)
    assert list(tmp_path.iterdir()) == []


# Links planted in the output directory -------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    target = tmp_path / "outside"
    target.mkdir()
    (target / "precious.txt").write_text("do not touch")
    (target / "precious.txt").chmod(0o644)
    return target


def test_force_never_writes_through_a_planted_file_link(tmp_path: Path, outside: Path) -> None:
    out = tmp_path / "b"
    (out / ACCOUNT / "global" / "iam").mkdir(parents=True)
    (out / REPORT).symlink_to(outside / "precious.txt")
    before = tree(outside), tree(out)
    with pytest.raises(OutputError, match="is a symbolic link"):
        write_bundle(out, documents(), (ACCOUNT,), AS_OF, force=True)
    assert (tree(outside), tree(out)) == before  # checked before anything was written
    assert stat.S_IMODE((outside / "precious.txt").stat().st_mode) == 0o644


@pytest.mark.parametrize("planted", [ACCOUNT, f"{ACCOUNT}/global", f"{ACCOUNT}/cloudtrail-logs"])
def test_force_never_writes_through_a_planted_folder_link(tmp_path: Path, outside: Path, planted: str) -> None:
    out = tmp_path / "b"
    (out / planted).parent.mkdir(parents=True, exist_ok=True)
    (out / planted).symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError, match="is a symbolic link"):
        write_bundle(out, documents(), (ACCOUNT,), AS_OF, force=True)
    assert tree(outside) == {"precious.txt": b"do not touch"}


@pytest.mark.parametrize("name", ["manifest.json", MARKER])
def test_force_refuses_a_linked_manifest_or_marker_before_collecting(tmp_path: Path, outside: Path, name: str) -> None:
    out = tmp_path / "b"
    out.mkdir()
    (out / name).symlink_to(outside / "precious.txt")
    with pytest.raises(OutputError, match="is a symbolic link"):
        check_output_dir(out, force=True)
    with pytest.raises(OutputError, match="is a symbolic link"):
        write_bundle(out, documents(), (ACCOUNT,), AS_OF, force=True)
    assert tree(outside) == {"precious.txt": b"do not touch"}


def test_the_output_directory_itself_may_not_be_a_link(tmp_path: Path, outside: Path) -> None:
    (tmp_path / "b").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError, match="is a symbolic link"):
        write_bundle(tmp_path / "b", documents(), (ACCOUNT,), AS_OF, force=True)
    assert tree(outside) == {"precious.txt": b"do not touch"}


def test_check_output_dir(tmp_path: Path) -> None:
    check_output_dir(tmp_path / "new" / "deeper", force=False)  # made when written
    assert not (tmp_path / "new").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        check_output_dir(tmp_path / "file", force=True)
    with pytest.raises(OutputError, match=r"(?i)not a directory"):
        check_output_dir(tmp_path / "file" / "b", force=False)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(OutputError, match=r"not empty.*--force"):
        check_output_dir(tmp_path / "full", force=False)
    check_output_dir(tmp_path / "full", force=True)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_check_output_dir_sees_a_folder_it_cannot_write(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            check_output_dir(locked / "b", force=False)
    finally:
        locked.chmod(0o700)


def test_force_keeps_other_files_and_makes_what_it_writes_private(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    (out / "notes.txt").write_text("mine")
    (out / ACCOUNT / "mine.txt").write_text("mine too")
    (out / ACCOUNT / "global").chmod(0o755)
    (out / REPORT).chmod(0o644)
    write_bundle(out, AccountBuilder().root(password_last_used=ago(days=3)).documents, (ACCOUNT,), AS_OF, force=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / ACCOUNT / "mine.txt").read_text() == "mine too"
    assert not (out / MARKER).exists()
    assert stat.S_IMODE((out / REPORT).stat().st_mode) == 0o600
    assert stat.S_IMODE((out / ACCOUNT / "global").stat().st_mode) == 0o700
    assert [p.name for p in out.rglob(f"{files.TEMP_PREFIX}*")] == []  # no temporary file left
    assert findings(out)["root-recent-use"].status is Status.FAIL


def test_a_new_bundle_appears_whole(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]  # the hidden sibling was renamed into place
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert not (out / MARKER).exists()


# Interrupted writes (in process; tests/e2e/test_collect_interrupted.py kills a real collect) --------


class Interrupted(KeyboardInterrupt):
    pass


def interrupt_after(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    """Ctrl-C after ``count`` bundle files were written (temporary files and the marker not counted)."""
    original_new, original_replace = files.write_new, files.replace
    written = [0]

    def tick(name: str) -> None:
        if name.startswith(files.TEMP_PREFIX) or name == MARKER:
            return
        if written[0] == count:
            raise Interrupted
        written[0] += 1

    def write_new(dir_fd: int, name: str, *args: Any, **kwargs: Any) -> None:
        tick(name)
        original_new(dir_fd, name, *args, **kwargs)

    def replace(dir_fd: int, name: str, *args: Any, **kwargs: Any) -> None:
        tick(name)
        original_replace(dir_fd, name, *args, **kwargs)

    monkeypatch.setattr(files, "write_new", write_new)
    monkeypatch.setattr(files, "replace", replace)


@pytest.mark.parametrize("count", [0, 3, len(AccountBuilder().documents)])
def test_an_interrupted_new_bundle_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    interrupt_after(monkeypatch, count)
    with pytest.raises(Interrupted):
        write_bundle(tmp_path / "b", documents(), (ACCOUNT,), AS_OF)
    assert list(tmp_path.iterdir()) == []  # the hidden sibling was removed, DIR never appeared


@pytest.mark.parametrize("count", [0, 3, len(AccountBuilder().documents)])
def test_an_interrupted_forced_bundle_is_refused_as_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    (out / "notes.txt").write_text("mine")
    interrupt_after(monkeypatch, count)
    with pytest.raises(Interrupted):
        write_bundle(out, documents(), (ACCOUNT,), AS_OF, force=True)
    assert (out / MARKER).is_file()
    assert (out / "notes.txt").read_text() == "mine"
    with pytest.raises(BundleError, match="incomplete bundle"):
        open_bundle(out)
    monkeypatch.undo()
    write_bundle(out, documents(), (ACCOUNT,), AS_OF, force=True)  # collecting again mends it
    assert findings(out)["root-mfa"].status is Status.PASS


def test_an_incomplete_bundle_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    (out / MARKER).write_text("")
    assert main(["audit", "--evidence", str(out)]) == 2
    assert main(["activity", "--evidence", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("rootguard: error: incomplete bundle") == 2


# Links in a bundle that is read ------------------------------------------------------------------


def test_a_linked_file_in_a_bundle_without_checksums_is_error_not_pass(tmp_path: Path) -> None:
    # Inside: root used three days ago (FAIL). Outside: a clean report that would make it PASS.
    out = AccountBuilder().root(password_last_used=ago(days=3)).write(tmp_path / "b")
    without_checksums(out)
    assert findings(out)["root-recent-use"].status is Status.FAIL
    clean = AccountBuilder().write(tmp_path / "clean")
    decoy = clean / REPORT
    os.utime(decoy, (0, decoy.stat().st_mtime))
    (out / REPORT).unlink()
    (out / REPORT).symlink_to(decoy)

    finding = findings(out)["root-recent-use"]
    assert finding.status is Status.ERROR
    assert REPORT in finding.message
    assert "symbolic link" in finding.message
    if atime_is_kept(tmp_path):
        assert decoy.stat().st_atime == 0, "the link's target was read"


def test_a_linked_file_listed_in_the_checksums_is_fatal(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    copy = tmp_path / "copy.json"
    copy.write_bytes((out / REPORT).read_bytes())  # same bytes, same digest: the link is what is refused
    (out / REPORT).unlink()
    (out / REPORT).symlink_to(copy)
    with pytest.raises(BundleError, match="is a symbolic link"):
        open_bundle(out)


def test_a_linked_region_folder_is_error_not_absent(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    without_checksums(out)
    region = out / ACCOUNT / "us-east-1"  # where the builder's alarm chain lives
    moved = tmp_path / "moved"
    region.rename(moved)
    region.symlink_to(moved, target_is_directory=True)
    result = findings(out)
    assert result["root-usage-alarm"].status is Status.ERROR
    assert "symbolic link" in result["root-usage-alarm"].message


def test_linked_cloudtrail_files_are_skipped_sources_never_read(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    without_checksums(out)
    outside = tmp_path / "outside-logs"
    outside.mkdir()
    (outside / "trail.json").write_text(json.dumps({"Records": []}))
    logs = out / ACCOUNT / "cloudtrail-logs"
    (logs / "linked.json").symlink_to(outside / "trail.json")
    (logs / "linked-folder").symlink_to(outside, target_is_directory=True)
    os.mkfifo(logs / "pipe.json")
    (logs / ".hidden-link").symlink_to(outside / "trail.json")  # names starting with "." are ignored

    account = open_bundle(out).evidence.accounts[0]
    scan = account.cloudtrail
    skipped = {s.path: s.reason for s in getattr(scan, "skipped", ())}
    assert set(skipped) == {
        f"{ACCOUNT}/cloudtrail-logs/linked.json",
        f"{ACCOUNT}/cloudtrail-logs/linked-folder",
        f"{ACCOUNT}/cloudtrail-logs/pipe.json",
    }
    assert all("not read" in reason for reason in skipped.values())
    assert findings(out)["root-activity"].status is Status.ERROR


def test_a_linked_cloudtrail_folder_is_error(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    without_checksums(out)
    logs = out / ACCOUNT / "cloudtrail-logs"
    logs.rename(tmp_path / "logs")
    logs.symlink_to(tmp_path / "logs", target_is_directory=True)
    finding = findings(out)["root-activity"]
    assert finding.status is Status.ERROR


def test_a_fifo_in_a_bundle_is_not_read(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    without_checksums(out)
    (out / REPORT).unlink()
    os.mkfifo(out / REPORT)  # reading it would block forever
    finding = findings(out)["root-recent-use"]
    assert finding.status is Status.ERROR
    assert "not a regular file" in finding.message


@pytest.mark.parametrize("what", ["manifest", "account"])
def test_a_linked_manifest_or_account_folder_makes_the_bundle_unusable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str
) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    without_checksums(out)
    moved = tmp_path / "moved"
    link = out / ("manifest.json" if what == "manifest" else ACCOUNT)
    link.rename(moved)
    link.symlink_to(moved, target_is_directory=what == "account")
    with pytest.raises(BundleError, match="symbolic link"):
        open_bundle(out)
    assert main(["audit", "--evidence", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rootguard: error:")
    assert "symbolic link" in err


def test_the_bundle_directory_itself_may_be_a_link(tmp_path: Path) -> None:
    # The folder the user names is the user's choice; only what is inside it is held to the rule.
    out = AccountBuilder().write(tmp_path / "b")
    (tmp_path / "latest").symlink_to(out, target_is_directory=True)
    assert open_bundle(tmp_path / "latest").notes == ()


def test_links_inside_an_account_are_noted(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    (out / ACCOUNT / "global" / "extra.json").symlink_to(out / REPORT)
    assert open_bundle(out).notes == (f"{ACCOUNT}/global/extra.json is a symbolic link: rootguard does not read it",)


def test_checksum_names_must_be_plain_relative_paths(tmp_path: Path) -> None:
    out = AccountBuilder().write(tmp_path / "b")
    for name in ["/etc/passwd", f"{ACCOUNT}//x", f"{ACCOUNT}/./x"]:
        document = json.loads((out / "manifest.json").read_text())
        document["sha256"] = {name: "0" * 64}
        (out / "manifest.json").write_text(json.dumps(document))
        with pytest.raises(BundleError, match=r"manifest sha256 names"):
            open_bundle(out)
    assert relative_path_problem("a/b") is None


# Report and template files -----------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Any:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("command", [["audit", "--demo"], ["activity", "--demo"]])
def test_report_files_are_owner_only_and_replaced_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    report = tmp_path / "report.json"
    report.write_text("old")
    report.chmod(0o644)
    code = main([*command, "--format", "json", "--output", str(report)])
    assert code in (0, 1, 3)
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert json.loads(report.read_text())["schema"].startswith("rootguard/")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temporary file left
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("command", [["audit", "--demo"], ["activity", "--demo"]])
def test_a_link_at_the_report_file_is_not_followed(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    report = tmp_path / "report.json"
    report.symlink_to(outside / "precious.txt")
    assert main([*command, "--output", str(report)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rootguard: error: cannot write the report")
    assert "symbolic link" in err
    assert (outside / "precious.txt").read_text() == "do not touch"
    assert report.is_symlink()


def test_a_report_can_go_to_a_device(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--demo", "--output", os.devnull]) == 1
    assert "error" not in capsys.readouterr().err


def test_a_report_into_a_missing_folder_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--demo", "--output", str(tmp_path / "nope" / "r.json")]) == 2
    assert "cannot write the report" in capsys.readouterr().err


@pytest.mark.usefixtures("umask_022")
def test_templates_are_shared_files_written_without_following_links(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fix"
    argv = ["remediate", "--format", "cloudformation", "--all", "--out", str(out)]
    assert main(argv) == 0
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o644}
    target = out / "cloudformation" / "root-usage-alarm.yaml"
    target.unlink()
    target.symlink_to(outside / "precious.txt")
    assert main([*argv, "--force"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert (outside / "precious.txt").read_text() == "do not touch"
    target.unlink()
    (out / "cloudformation").rename(tmp_path / "cfn")
    (out / "cloudformation").symlink_to(outside, target_is_directory=True)
    assert main([*argv, "--force"]) == 2
    assert tree(outside) == {"precious.txt": b"do not touch"}


def test_files_write_file_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(files.RefusedPath, match="folder"):
        files.write_file(tmp_path, b"x", files.PRIVATE_FILE)
    (tmp_path / "d").mkdir()
    with pytest.raises(files.RefusedPath, match="folder"):
        files.write_file(tmp_path / "d", b"x", files.PRIVATE_FILE)

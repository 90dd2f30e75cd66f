"""A real `rootguard collect` killed at chosen moments leaves no bundle, or one that audit refuses.

The CLI runs as a subprocess against the moto server of tests/moto_root.py, through a small launcher
that wraps the bundle writer's primitives (``rootguard.evidence.files``) and the collection's progress
callback: when the chosen step comes, it says so in a file and waits; the test then sends SIGKILL or
SIGINT (Ctrl-C). Steps are named, not timed, so each kill lands exactly where it is meant to:

- ``progress#N``: the N-th progress message of the collection (AWS calls under way, nothing written);
- ``write_new:<name>``, ``replace:<name>``, ``remove:<name>``, ``rename``: just before that step of
  the writer (contract §5.6), e.g. ``write_new:manifest.json`` once every evidence file is written;
- ``doc#N``: just before the N-th evidence file (0-based), so N files are already written.

Afterwards ``DIR`` must hold no bundle, the bundle it held before (untouched), or one that
``rootguard audit --evidence DIR`` refuses with "incomplete bundle" (exit 2); never one that audits.
The default run kills a new bundle and a ``--force`` rewrite halfway; the ``slow`` run (.ci/run) adds
every other step: during collection, before the marker, before the manifest, before the marker is
removed, before the rename, and Ctrl-C at several of them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_moto import aws_env, offline_env, rootguard

from moto_root import ACCOUNT_ID, MotoRoot, moto_root_server

pytestmark = [pytest.mark.e2e, pytest.mark.faults]

LAUNCHER = '''\
"""rootguard, paused at one named step of collect (see tests/e2e/test_collect_interrupted.py)."""
import os
import sys
import time
from pathlib import Path

from rootguard.app import audit
from rootguard.cli.main import main
from rootguard.evidence import files

PAUSE_AT = os.environ["KILL_TEST_PAUSE_AT"]
READY = Path(os.environ["KILL_TEST_READY"])
count = {"doc": 0, "progress": 0}


def checkpoint(label):
    if label == PAUSE_AT:
        READY.write_text(label)
        time.sleep(120)  # the test's signal ends this
        raise SystemExit(99)


def event(kind, name):
    if name.startswith(files.TEMP_PREFIX):
        return  # the temporary file behind a replace
    if name.startswith(".") or name == "manifest.json":
        checkpoint(f"{kind}:{name}")
        return
    checkpoint(f"doc#{count['doc']}")
    count["doc"] += 1


def wrap(name):
    original = getattr(files, name)

    def wrapper(dir_fd, target, *args, **kwargs):
        event(name, target)
        return original(dir_fd, target, *args, **kwargs)

    setattr(files, name, wrapper)


for name in ("write_new", "replace", "remove"):
    wrap(name)
original_rename = files.rename


def rename(dir_fd, source, target):
    checkpoint("rename")
    return original_rename(dir_fd, source, target)


files.rename = rename
original_collect = audit.collect_live


def collect_live(live, *, progress=lambda _: None):
    def paused(message):
        count["progress"] += 1
        checkpoint(f"progress#{count['progress']}")
        progress(message)

    return original_collect(live, progress=paused)


audit.collect_live = collect_live
sys.exit(main(sys.argv[1:]))
'''


@pytest.fixture(scope="module")
def server() -> Iterator[MotoRoot]:
    with moto_root_server("bad") as running:
        yield running


@pytest.fixture(scope="module")
def old_bundle(server: MotoRoot, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete bundle from an earlier collection, copied into each --force test."""
    tmp_path = tmp_path_factory.mktemp("old")
    out = tmp_path / "bundle"
    done = rootguard(aws_env(tmp_path, server.endpoint), "collect", "--out", out, "--quiet", "--no-cloudtrail",
                     cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (out / "notes.txt").write_text("the user's own file")
    return out


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def killed_collect(
    server: MotoRoot, tmp_path: Path, out: Path, pause_at: str, sig: signal.Signals, *extra: str
) -> subprocess.CompletedProcess[str]:
    """Run collect until it reaches ``pause_at``, send ``sig``, and return how it ended."""
    launcher = tmp_path / "launch_rootguard.py"
    launcher.write_text(LAUNCHER)
    ready = tmp_path / "paused"
    env = aws_env(tmp_path, server.endpoint) | {"KILL_TEST_PAUSE_AT": pause_at, "KILL_TEST_READY": str(ready)}
    argv = [sys.executable, str(launcher), "collect", "--out", str(out), "--quiet", *extra]
    with subprocess.Popen(argv, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          umask=0) as process:  # fmt: skip
        deadline = time.monotonic() + 60
        while not ready.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, err = process.communicate()
                pytest.fail(f"collect never reached {pause_at} (exit {process.returncode}): {err}")
            time.sleep(0.01)
        process.send_signal(sig)
        out_text, err_text = process.communicate(timeout=30)
    return subprocess.CompletedProcess(argv, process.returncode, out_text, err_text)


def audit_refuses_as_incomplete(tmp_path: Path, out: Path) -> bool:
    result = rootguard(offline_env(tmp_path), "audit", "--evidence", out, "--format", "json", "--quiet", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode == 2 and "incomplete bundle" in result.stderr:
        assert result.stdout == ""
        return True
    assert result.returncode == 2, f"an interrupted collect left a bundle that audits (exit {result.returncode})"
    return False


def assert_ended_by(result: subprocess.CompletedProcess[str], sig: signal.Signals) -> None:
    if sig is signal.SIGKILL:
        assert result.returncode == -signal.SIGKILL, result.stderr
    else:
        assert result.returncode == 130, result.stderr  # Ctrl-C: rootguard says so and exits 130
        assert "rootguard: interrupted" in result.stderr
        assert "Traceback" not in result.stderr


def leftovers(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".bundle"))


FRESH_POINTS = [
    pytest.param("progress#2", signal.SIGKILL, id="collecting-kill", marks=pytest.mark.slow),
    pytest.param("write_new:.rootguard-incomplete", signal.SIGKILL, id="before-marker-kill", marks=pytest.mark.slow),
    pytest.param("doc#5", signal.SIGKILL, id="5-files-kill"),
    pytest.param("doc#5", signal.SIGINT, id="5-files-ctrl-c"),
    pytest.param("write_new:manifest.json", signal.SIGKILL, id="before-manifest-kill", marks=pytest.mark.slow),
    pytest.param("remove:.rootguard-incomplete", signal.SIGKILL, id="before-unmark-kill", marks=pytest.mark.slow),
    pytest.param("rename", signal.SIGKILL, id="before-rename-kill", marks=pytest.mark.slow),
    pytest.param("rename", signal.SIGINT, id="before-rename-ctrl-c", marks=pytest.mark.slow),
    pytest.param("progress#3", signal.SIGINT, id="collecting-ctrl-c", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("pause_at", "sig"), FRESH_POINTS)
def test_a_new_bundle_killed_anywhere_is_never_there_half_written(
    server: MotoRoot, tmp_path: Path, pause_at: str, sig: signal.Signals
) -> None:
    out = tmp_path / "bundle"
    result = killed_collect(server, tmp_path, out, pause_at, sig, "--no-cloudtrail")
    assert_ended_by(result, sig)
    assert not out.exists(), "DIR appears only once the bundle is complete"
    if sig is signal.SIGINT:
        assert leftovers(tmp_path) == [], "Ctrl-C removes the hidden sibling it was building"
    for name in leftovers(tmp_path):  # SIGKILL leaves the hidden sibling: never DIR, refused unless complete
        assert name.startswith(".bundle.partial-")
        partial = tmp_path / name
        if pause_at != "rename":  # before the rename the sibling is complete: harmless, and not DIR
            refused = audit_refuses_as_incomplete(tmp_path, partial)  # exit 2 either way
            assert refused or not (partial / "manifest.json").exists()


@pytest.mark.slow
def test_a_new_bundle_with_cloudtrail_killed_midway(server: MotoRoot, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    result = killed_collect(server, tmp_path, out, "doc#3", signal.SIGKILL)
    assert_ended_by(result, signal.SIGKILL)
    assert not out.exists()
    # Collecting again is not blocked by what the killed run left.
    again = rootguard(aws_env(tmp_path, server.endpoint), "collect", "--out", out, "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    audit = rootguard(offline_env(tmp_path), "audit", "--evidence", out, "--format", "json", "--quiet", cwd=tmp_path)
    assert audit.returncode in (0, 1, 3), audit.stderr


def test_an_empty_directory_killed_midway_is_refused(server: MotoRoot, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    result = killed_collect(server, tmp_path, out, "doc#4", signal.SIGKILL, "--no-cloudtrail")
    assert_ended_by(result, signal.SIGKILL)
    assert audit_refuses_as_incomplete(tmp_path, out)
    # Without --force the leftovers are not silently written over.
    refused = rootguard(aws_env(tmp_path, server.endpoint), "collect", "--out", out, "--quiet", cwd=tmp_path)
    assert refused.returncode == 2
    assert "not empty" in refused.stderr


FORCE_POINTS = [
    pytest.param("progress#2", signal.SIGKILL, "untouched", id="collecting-kill", marks=pytest.mark.slow),
    pytest.param(
        "replace:.rootguard-incomplete", signal.SIGKILL, "untouched", id="before-marker-kill", marks=pytest.mark.slow
    ),
    pytest.param(
        "remove:manifest.json", signal.SIGKILL, "incomplete", id="old-manifest-kept-kill", marks=pytest.mark.slow
    ),
    pytest.param("doc#5", signal.SIGKILL, "incomplete", id="5-files-kill"),
    pytest.param("doc#5", signal.SIGINT, "incomplete", id="5-files-ctrl-c", marks=pytest.mark.slow),
    pytest.param(
        "replace:manifest.json", signal.SIGKILL, "incomplete", id="before-manifest-kill", marks=pytest.mark.slow
    ),
    pytest.param(
        "remove:.rootguard-incomplete", signal.SIGKILL, "incomplete", id="before-unmark-kill", marks=pytest.mark.slow
    ),
]


@pytest.mark.parametrize(("pause_at", "sig", "expected"), FORCE_POINTS)
def test_force_over_an_old_bundle_killed_anywhere_is_refused_or_untouched(
    server: MotoRoot, old_bundle: Path, tmp_path: Path, pause_at: str, sig: signal.Signals, expected: str
) -> None:
    out = tmp_path / "bundle"
    shutil.copytree(old_bundle, out)
    before = snapshot(out)
    result = killed_collect(server, tmp_path, out, pause_at, sig, "--force", "--no-cloudtrail")
    assert_ended_by(result, sig)
    assert (out / "notes.txt").read_text() == "the user's own file"
    if expected == "untouched":
        assert snapshot(out) == before
        audit = rootguard(offline_env(tmp_path), "audit", "--evidence", out, "--format", "json", "--quiet",
                          cwd=tmp_path)  # fmt: skip
        assert json.loads(audit.stdout)["accounts"][0]["account_id"] == ACCOUNT_ID
    else:
        assert audit_refuses_as_incomplete(tmp_path, out)
        activity = rootguard(offline_env(tmp_path), "activity", "--evidence", out, "--quiet", cwd=tmp_path)
        assert activity.returncode == 2
        assert "incomplete bundle" in activity.stderr
    assert not [p for p in out.rglob("*") if p.is_symlink()]
    # Collecting again with --force mends it.
    again = rootguard(aws_env(tmp_path, server.endpoint), "collect", "--out", out, "--force", "--quiet",
                      "--no-cloudtrail", cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert not (out / ".rootguard-incomplete").exists()
    assert (out / "notes.txt").read_text() == "the user's own file"


def test_collect_checks_the_directory_before_any_aws_call(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    # Nothing listens on port 9: had collect called AWS first, it would say AWS cannot be reached.
    result = rootguard(aws_env(tmp_path, "http://127.0.0.1:9"), "collect", "--out", out, "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert "not empty" in result.stderr


def test_a_planted_link_in_dir_with_force_is_refused_and_its_target_untouched(
    server: MotoRoot, old_bundle: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bundle"
    shutil.copytree(old_bundle, out)
    precious = tmp_path / "precious.txt"
    precious.write_text("do not touch")
    report = out / ACCOUNT_ID / "global" / "iam" / "get-credential-report.json"
    report.unlink()
    report.symlink_to(precious)
    result = rootguard(aws_env(tmp_path, server.endpoint), "collect", "--out", out, "--force", "--quiet",
                       "--no-cloudtrail", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "symbolic link" in result.stderr
    assert precious.read_text() == "do not touch"
    assert report.is_symlink()
    (out / "manifest.json").unlink()
    (out / "manifest.json").symlink_to(precious)
    early = rootguard(aws_env(tmp_path, "http://127.0.0.1:9"), "collect", "--out", out, "--force", "--quiet",
                      cwd=tmp_path)  # fmt: skip
    assert early.returncode == 2
    assert "symbolic link" in early.stderr  # refused before any AWS call
    assert precious.read_text() == "do not touch"


def test_save_evidence_checks_the_directory_before_any_aws_call(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    result = rootguard(aws_env(tmp_path, "http://127.0.0.1:9"), "audit", "--save-evidence", out, "--quiet",
                       cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert result.stdout == ""

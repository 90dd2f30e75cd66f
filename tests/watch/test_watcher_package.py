"""`rootguard package-watcher`: a reproducible zip that runs the handler with nothing but the standard library.

The zip is imported in a fresh interpreter (``-I -S``: no site-packages, no user paths, no PYTHON*
variables) whose ``sys.path`` holds only the standard library, the zip, and a stand-in ``boto3`` that
records what would be published, as the Lambda runtime provides the real one.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import watch_envelopes as w
from rootguard.app.watcher_package import FIXED_TIME, HANDLER, build_watcher_zip, module_closure
from rootguard.cli.main import main

FAKE_BOTO3 = """
import json, os

class _Client:
    def __init__(self, service):
        self.service = service

    def publish(self, **request):
        with open(os.environ["PUBLISHED"], "a") as out:
            out.write(json.dumps(request) + "\\n")
        return {"MessageId": "1"}


def client(service, **_):
    return _Client(service)
"""

RUNNER = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from rootguard.watch.handler import handler
import rootguard
assert rootguard.__file__.startswith(sys.argv[1]), rootguard.__file__
for line in open(sys.argv[3]):
    print(json.dumps(handler(json.loads(line), None)))
ours = ("rootguard", "boto3")
print(json.dumps(sorted(name for name in sys.modules if not name.startswith(ours) and "." not in name)))
"""


def test_the_zip_is_reproducible_and_holds_only_what_the_handler_needs() -> None:
    first, second = build_watcher_zip(), build_watcher_zip()
    assert first.data == second.data and first.sha256 == hashlib.sha256(first.data).hexdigest()
    archive = zipfile.ZipFile(io.BytesIO(first.data))
    names = archive.namelist()
    assert names == sorted(names)
    assert all(info.date_time == FIXED_TIME for info in archive.infolist())
    assert "rootguard/watch/handler.py" in names and "rootguard/analysis/root_tasks.toml" in names
    # Nothing that talks to AWS through the collector edge, renders, or parses the command line.
    for layer in ("collect", "cli", "app", "report", "evidence", "checks", "trail", "config"):
        assert not any(name.startswith(f"rootguard/{layer}/") for name in names), layer
    assert set(module_closure()) <= set(names)
    manifest = archive.read("rootguard/watch/PACKAGE.txt").decode()
    assert f"handler: {HANDLER}" in manifest


def test_the_zip_runs_the_handler_on_documented_envelopes_with_a_clean_path(tmp_path: Path) -> None:
    zip_path = tmp_path / "watcher.zip"
    assert main(["package-watcher", "--out", str(zip_path)]) == 0
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "boto3.py").write_text(FAKE_BOTO3)
    (tmp_path / "run.py").write_text(RUNNER)
    events = tmp_path / "events.jsonl"
    envelopes = [w.sign_in_without_mfa(), w.assume_root_call(), w.assume_root_session_call(), w.self_test()]
    events.write_text("".join(json.dumps(e) + "\n" for e in [*envelopes, w.lambda_sqs_batch("{broken")]))
    published = tmp_path / "published.jsonl"
    env = {"ROOTGUARD_WATCH_TOPIC_ARN": "arn:aws:sns:us-east-1:111122223333:t", "PUBLISHED": str(published)}
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(tmp_path / "run.py"), str(zip_path), str(runtime), str(events)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    results = [line for line in lines if "rootguard" not in line]  # the handler also logs each result
    assert len(lines) == 2 * len(results)
    assert [len(r["published"]) for r in results] == [1, 1, 1, 1, 0]
    assert results[-1]["rejected"][0]["malformed"] is True
    requests = [json.loads(line) for line in published.read_text().splitlines()]
    subjects = [r["Subject"] for r in requests]
    assert subjects[0].startswith("[CRITICAL] Root: console sign-in")
    assert subjects[1].startswith("[LOW] AssumeRoot session opened for 111122223333")
    session = json.loads(requests[2]["Message"])["default"]
    assert "AssumeRoot session opened by arn:aws:sts::444455556666" in session
    # The root-task catalogue (package data) is read from inside the zip.
    assert "Root-only: yes - Edit or delete an S3 bucket policy that denies all principals" in session
    assert subjects[3].startswith("[TEST] rootguard watch self-test")
    third_party = json.loads(done.stdout.splitlines()[-1])
    assert "botocore" not in third_party and "rich" not in third_party


def test_package_watcher_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "watcher.zip"
    target.write_bytes(b"mine")
    assert main(["package-watcher", "--out", str(target)]) == 2
    assert target.read_bytes() == b"mine"
    assert main(["package-watcher", "--out", str(target), "--force"]) == 0
    assert target.read_bytes() == build_watcher_zip().data

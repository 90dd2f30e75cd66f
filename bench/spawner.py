"""Running one measured command: a small long-lived spawner process that forks, execs and measures.

Shared by ``audit_speed.py`` and ``activity_scan.py``. ru_maxrss of a child is not only its own: at
exec, Linux folds the high-water RSS of the image being replaced into it, so children are started
by a small process (python -I -S, ~4 MiB) rather than by the bench (~90 MiB with moto loaded). The
spawner measures wall time and rusage with os.wait4 next to the child, the CPU time of descendants
left behind (it becomes their subreaper), the sampled PSS of the whole process tree (pools of worker
processes, shared pages counted once) and the CPU other processes used meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class BenchError(Exception):
    """A bench cannot go on (the message says why)."""


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    rss_kib: int
    tree_pss_kib: int
    others_cores: float
    exit_code: int
    lingered: float = 0.0
    """Seconds descendants outlived the child (not in ``seconds``; their CPU is in ``cpu_seconds``)."""


SPAWNER_SCRIPT = """\
import json, os, resource, sys, threading, time

INTERVAL = 0.025
TICK = os.sysconf("SC_CLK_TCK")

def reply(**fields):
    sys.stdout.write(json.dumps(fields) + "\\n")
    sys.stdout.flush()

def rss_anon_kib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None

def busy_seconds():
    try:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(values) - values[3] - values[4]) / TICK  # all but idle and iowait

def tree_pss_kib(pid):
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return total

class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.count, self.halt = pid, 0, 0, threading.Event()

    def run(self):
        while not self.halt.wait(INTERVAL):
            self.peak = max(self.peak, tree_pss_kib(self.pid))
            self.count += 1

def become_subreaper():
    # Orphaned descendants (a multiprocessing forkserver and its workers, once the main process has
    # exited) are re-parented to this process instead of init, so their CPU time is reaped here.
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False

subreaper = become_subreaper()
reply(ready=True, rss_anon_kib=rss_anon_kib(), subreaper=subreaper)
for line in sys.stdin:
    request = json.loads(line)
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    busy_before = busy_seconds()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgid(0, 0)
            os.chdir(request["cwd"])
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.dup2(os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
            os.dup2(os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
            os.execve(request["argv"][0], request["argv"], request["env"])
        except BaseException as error:
            os.write(2, f"spawner: cannot start {request['argv'][0]}: {error}\\n".encode())
        finally:
            os._exit(127)
    sampler = Sampler(pid)
    sampler.start()
    reply(pid=pid)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    cpu, maxrss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    while True:  # descendants left behind by the child: wait for them, count their CPU and memory
        try:
            _, _, left = os.wait4(-1, 0)
        except ChildProcessError:
            break
        cpu, maxrss = cpu + left.ru_utime + left.ru_stime, max(maxrss, left.ru_maxrss)
    lingered = time.perf_counter() - start - seconds
    busy_after = busy_seconds()
    sampler.halt.set()
    sampler.join()
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    own = (own_after.ru_utime - own_before.ru_utime) + (own_after.ru_stime - own_before.ru_stime)
    busy = None if busy_before is None or busy_after is None else busy_after - busy_before
    reply(
        seconds=seconds, status=status, maxrss=maxrss, cpu=cpu, tree_pss=sampler.peak, pss_samples=sampler.count,
        busy=busy, spawner_cpu=own, lingered=lingered,
    )
"""

# ru_maxrss is KiB on Linux and bytes on macOS.
MAXRSS_PER_KIB = 1024 if sys.platform == "darwin" else 1


class Spawner:
    """One long-lived small process that runs each measured command (see above)."""

    def __init__(self, run_timeout: float) -> None:
        self.run_timeout = run_timeout
        """Seconds after which a child (and its process group) is killed."""
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", SPAWNER_SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # Ctrl-C reaches the bench only, which then cleans up
        )
        self.child: int | None = None
        hello = self._read()
        self.rss_floor_kib: int | None = hello.get("rss_anon_kib")
        self.subreaper: bool = bool(hello.get("subreaper"))

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise BenchError(f"the spawner process exited (code {self.process.poll()})")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def run(self, argv: tuple[str, ...], env: dict[str, str], cwd: Path, out: Path, err: Path) -> Sample:
        assert self.process.stdin is not None
        request = {"argv": list(argv), "env": env, "cwd": str(cwd), "stdout": str(out), "stderr": str(err)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        self.child = self._read()["pid"]
        watchdog = threading.Timer(self.run_timeout, self.kill_child)
        watchdog.start()
        try:
            done = self._read()
        finally:
            watchdog.cancel()
        self.child = None  # only once reaped: close() kills a child still running after an interruption
        seconds = done["seconds"]
        others = 0.0
        if done["busy"] is not None and seconds > 0:
            elapsed = seconds + done["lingered"]
            others = max(0.0, done["busy"] - done["cpu"] - done["spawner_cpu"]) / elapsed
        return Sample(
            seconds=seconds,
            cpu_seconds=done["cpu"],
            rss_kib=done["maxrss"] // MAXRSS_PER_KIB,
            tree_pss_kib=done["tree_pss"],
            others_cores=others,
            exit_code=os.waitstatus_to_exitcode(done["status"]),
            lingered=done["lingered"],
        )

    def kill_child(self) -> None:
        if self.child is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.child, signal.SIGKILL)  # the child leads its own group: its workers go too

    def close(self) -> None:
        self.kill_child()
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def run_main(name: str, main: Callable[[], int]) -> None:
    """A benchmark's entry point: its exit code; a BenchError is one line and exit 2; Ctrl-C cleans up (130)."""
    try:
        sys.exit(main())
    except BenchError as failure:
        print(f"{name}: {failure}", file=sys.stderr, flush=True)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"{name}: interrupted; temporary files and any moto server are cleaned up", file=sys.stderr)
        sys.exit(130)


def child_env(home: Path, endpoint: str | None) -> dict[str, str]:
    """The bench's environment minus any AWS settings of the developer's, plus dummy credentials, a private
    HOME and, when given, ``AWS_ENDPOINT_URL``: what every measured child runs with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    config, credentials = home / ".aws" / "config", home / ".aws" / "credentials"
    config.write_text("[default]\nregion = us-east-1\n")
    credentials.write_text("")
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(credentials),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        NO_COLOR="1",
    )
    if endpoint is not None:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env

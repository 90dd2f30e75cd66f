"""Running the rootguard CLI as a subprocess against a local endpoint, with nothing of the developer's AWS setup."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import rootguard as rootguard_package


def aws_env(folder: Path, endpoint: str) -> dict[str, str]:
    """Dummy credentials, no profile, no config or credentials file, no instance metadata, ``endpoint`` for every
    service (as tests/e2e/test_cli_moto.py's ``aws_env``)."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder / "no-home"),
        "AWS_CONFIG_FILE": str(folder / "no-home" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "no-home" / "credentials"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": endpoint,
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(Path(rootguard_package.__file__).parent.parent),
    }


def rootguard(
    env: dict[str, str], *args: str | Path, cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rootguard", *map(str, args)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )

"""A stock moto server: none of tests/moto_root.py's stand-ins, only the root state moto cannot hold.

moto 5.2 answers some of rootguard's calls with HTTP 500 (SimulatePrincipalPolicy and LookupEvents are
not implemented, Config's compliance neither; some as Flask HTML pages), and lists every Region of every
partition as enabled. That is the faulty world rootguard must survive as it is: nothing here patches
those. What moto lacks entirely, a root user, is seeded the way tests/moto_root.py seeds it
(``_install_root``: the credential report's root row and the account summary's root flags), with the
same IAM users and administrator role as its scenarios.

    with stock_moto_server("bad") as server:
        subprocess.run([...], env={"AWS_ENDPOINT_URL": server.endpoint, ...})
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from moto.core.base_backend import BackendDict
from moto.server import ThreadedMotoServer

import moto_root
from moto_root import MotoRoot, Scenario, scenarios, utc_now


@contextmanager
def stock_moto_server(scenario: str = "bad", now: datetime | None = None) -> Iterator[MotoRoot]:
    """moto on 127.0.0.1 (a free port) with a scenario's users, administrators and root state, and nothing else."""
    now = (now or utc_now()).replace(microsecond=0)
    chosen: Scenario = scenarios(now)[scenario]
    if not moto_root._active.acquire(blocking=False):
        raise RuntimeError("a moto server is already running in this process; moto's state is shared")
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        werkzeug.setLevel(logging.CRITICAL)  # no access log, and no traceback per unimplemented call
        BackendDict.reset()
        with pytest.MonkeyPatch.context() as patches:
            server.start()
            try:
                host, port = server.get_host_and_port()
                running = MotoRoot(endpoint=f"http://{host}:{port}", port=port, scenario=chosen, now=now)
                moto_root._seed_users(running)
                moto_root._seed_admins(running, chosen.admins)
                if chosen.root is not None:
                    moto_root._install_root(patches, running, chosen.root)
                moto_root._whole_seconds(running)
                yield running
            finally:
                server.stop()
    finally:
        BackendDict.reset()
        werkzeug.setLevel(level)
        moto_root._active.release()

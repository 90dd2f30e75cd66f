"""Bundle layout constants (contract §5). Per-operation paths live in ``model.operations``."""

from __future__ import annotations

import re

from rootguard.model.operations import encode_name

FORMAT = "rootguard/evidence@1"
MANIFEST = "manifest.json"

ACCOUNT_ID = re.compile(r"^\d{12}$")

__all__ = ["ACCOUNT_ID", "FORMAT", "MANIFEST", "encode_name"]

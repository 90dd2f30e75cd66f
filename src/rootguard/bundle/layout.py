"""Bundle layout constants (contract §5). Per-operation paths live in ``model.operations``."""

from __future__ import annotations

import re

FORMAT = "rootguard/evidence@1"
MANIFEST = "manifest.json"

ACCOUNT_ID = re.compile(r"^\d{12}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def encode_name(name: str) -> str:
    """Percent-encode a resource name for use as a file name (contract §5)."""
    encoded = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), name)
    # "." and ".." are legal names but not legal file names.
    return encoded.replace(".", "%2E") if set(encoded) == {"."} else encoded

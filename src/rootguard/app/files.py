"""What the command line writes to disk: reports, templates, and the bundle folder check (contract §5.5).

The command line may not import ``evidence`` (docs/ARCHITECTURE.md), where the safe-write primitives
live (``evidence.files``: no symbolic link is ever followed, files appear whole through a rename).
These are the entry points it needs, each raising ``OutputError`` with a message for the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rootguard.errors import OutputError
from rootguard.evidence.files import PRIVATE_FILE, describe, write_file, write_tree


def check_output_dir(out: Path, *, force: bool) -> None:
    """Refuse now, before any AWS call, a bundle folder that ``collect`` could not write at the end."""
    from rootguard.evidence.bundle import check_output_dir as check  # noqa: PLC0415 - keeps start-up light

    check(out, force=force)


def write_report(path: Path, text: str) -> None:
    """Write a report (audit or activity) to ``path``: owner-only (0600, like the bundle it describes),
    atomically, and never through a link at ``path``."""
    try:
        write_file(path, text.encode("utf-8"), PRIVATE_FILE)
    except OSError as error:
        raise OutputError(f"cannot write the report to {path}: {describe(error)}") from None


def write_templates(files: Mapping[str, bytes], out: Path, *, force: bool) -> None:
    """Write remediation templates under ``out`` (meant to be shared: 0644 less the umask), each file
    atomically, never through a link; an existing file needs ``force``."""
    try:
        write_tree(out, files, overwrite=force)
    except FileExistsError as error:
        raise OutputError(f"{error.filename} already exists; pass --force to overwrite") from None
    except OSError as error:
        raise OutputError(f"cannot write templates under {out}: {describe(error)}") from None

"""The CloudTrail reading engine: find root records and AssumeRoot calls in archives, fast.

The archive scan is the hot path. Per file: read, decompress with python-isal (stdlib gzip when it
is missing), run a byte pre-filter that cannot miss a root record (``prefilter``), and parse only
the rare files that pass or that are not in the delivered ``{"Records": […]}`` form. Trees are
read by a process pool. ``reference_scan`` is the same job done plainly, kept to test against.

Memory is bounded whatever a file holds or claims: no more than ``decompress.LARGE`` decompressed
bytes are held at once (larger inputs are read in pieces), and no record over ``stream.MAX_RECORD``
bytes is held at all: it is skipped and reported, and the rest of its file is still read.
"""

from __future__ import annotations

from rootguard.trail.containers import is_wanted
from rootguard.trail.outcome import merge_scans
from rootguard.trail.paths import is_skipped_name
from rootguard.trail.reference import reference_scan
from rootguard.trail.scan import Progress, scan_bytes, scan_paths

__all__ = ["Progress", "is_skipped_name", "is_wanted", "merge_scans", "reference_scan", "scan_bytes", "scan_paths"]

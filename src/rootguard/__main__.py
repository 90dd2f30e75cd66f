"""``python -m rootguard``."""

from __future__ import annotations

import sys

from rootguard.cli import main

sys.exit(main())

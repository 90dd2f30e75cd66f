"""``python -m rootguard``."""

from __future__ import annotations

import sys

from rootguard.cli.main import main

sys.exit(main())

"""rootguard: end the everyday use of the AWS root user, and prove it."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

"""Errors that reach the user.

Only these cross the CLI boundary; each carries a message that says what is wrong and
what to do next. Everything else is a bug and is shown as one.

    RootguardError                 exit 2 unless stated
    ├── UsageError                 a bad option value (``--as-of``, ``--window`` …)
    ├── BundleError                an evidence bundle that is unusable as a whole
    │                              (missing directory, bad manifest, checksum mismatch)
    ├── ApprovalsError             an approvals file that cannot be read or is invalid
    ├── ConfigError                rootguard.toml or a ROOTGUARD_* variable that is missing or invalid
    ├── CredentialsError           no AWS credentials, or expired / invalid ones
    ├── CollectionError            AWS cannot be reached at all (endpoint, network)
    ├── OutputError                the report or bundle cannot be written
    └── SecurityHubError           exit 3: findings could not be sent to Security Hub (not
                                   enabled, refused); the report itself was written

Problems with one piece of evidence are not errors: they become a ``Gap`` in the
evidence model and the checks that need it report ERROR.
"""

from __future__ import annotations


class RootguardError(Exception):
    """Base class; ``str(error)`` is the message shown to the user."""

    exit_code = 2


class UsageError(RootguardError):
    """An option value that cannot be used."""


class BundleError(RootguardError):
    """An evidence bundle that cannot be used at all."""


class ApprovalsError(RootguardError):
    """An approvals file that cannot be read or is invalid."""


class ConfigError(RootguardError):
    """A configuration file or ROOTGUARD_* variable that cannot be used (names the source and key)."""


class CredentialsError(RootguardError):
    """No usable AWS credentials for live collection."""


class CollectionError(RootguardError):
    """AWS could not be reached at all; per-call refusals are evidence gaps instead."""


class OutputError(RootguardError):
    """The report or bundle could not be written."""


class SecurityHubError(RootguardError):
    """``--send-to-security-hub`` could not send the findings; the report was already written (exit 3, like an
    ERROR: something asked for was not done, and a FAIL's exit 1 still wins)."""

    exit_code = 3

"""Settings: ``rootguard.toml``, ``ROOTGUARD_*`` variables and command-line values merged into one object."""

"""Settings: ``rootguard.toml``, ``ROOTGUARD_*`` variables and command-line values merged into one object.

``settings.load_settings`` is the one path every command takes; ``durations`` the one parser for
durations. Nothing is imported here, so the command line can use ``durations`` without loading the
check registry (``--help`` stays fast).
"""

"""Use cases (audit, collect, activity, remediate, permissions): the only layer that wires collectors,
evidence, checks and reports together. The command line calls these; tests call them directly."""

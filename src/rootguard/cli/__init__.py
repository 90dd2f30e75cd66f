"""The command line: one module per command; each parses, loads settings, calls one ``app`` function and renders."""

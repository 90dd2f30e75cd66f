"""Renderers: report in, text out. Only the CLI writes files."""

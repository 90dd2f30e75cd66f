"""The ``rootguard`` command line: build the parser from one module per command, run it, map errors.

Exit codes (contract §2): 0 clean, 1 a FAIL at or above --fail-on, 2 usage or unusable input,
3 no FAIL but something could not be evaluated, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from rootguard import __version__
from rootguard.cli import activity, audit, collect, options, permissions, remediate
from rootguard.errors import RootguardError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "audit": audit.run,
    "collect": collect.run,
    "activity": activity.run,
    "remediate": remediate.run,
    "permissions": permissions.run,
}


def build_parser() -> argparse.ArgumentParser:
    parser = options.Parser(
        prog="rootguard",
        description="End the everyday use of the AWS root user, and prove it.",
        epilog="Run `rootguard <command> --help` for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"rootguard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="command", required=True, parser_class=options.Parser)
    aws = options.aws_parent()
    audit.add_parser(commands, aws)
    collect.add_parser(commands, aws)
    activity.add_parser(commands, aws)
    remediate.add_parser(commands)
    permissions.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except RootguardError as error:
        print(f"rootguard: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("rootguard: interrupted", file=sys.stderr)
        return 130

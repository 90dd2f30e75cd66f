"""The ``rootguard`` command line: build the parser from one module per command, run it, map errors.

Exit codes (contract §2): 0 clean, 1 a FAIL at or above --fail-on, 2 usage or unusable input,
3 no FAIL but something could not be evaluated, 4 rootguard itself failed (a bug), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from rootguard import __version__
from rootguard.cli import activity, audit, collect, options, org, permissions, remediate
from rootguard.errors import RootguardError

DEBUG_HELP = "on an internal error (exit 4), print the traceback (also ROOTGUARD_DEBUG=1)"
INTERNAL_ERROR = 4
"""rootguard itself failed: never 1 (a finding failed) nor 3 (evidence missing), so CI can tell a crash."""

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "audit": audit.run,
    "collect": collect.run,
    "activity": activity.run,
    "remediate": remediate.run,
    "permissions": permissions.run,
    "org": org.run,
}


def build_parser() -> argparse.ArgumentParser:
    parser = options.Parser(
        prog="rootguard",
        description="End the everyday use of the AWS root user, and prove it.",
        epilog="Run `rootguard <command> --help` for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"rootguard {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    commands = parser.add_subparsers(dest="command", metavar="command", required=True, parser_class=options.Parser)
    aws = options.aws_parent()
    audit.add_parser(commands, aws)
    collect.add_parser(commands, aws)
    activity.add_parser(commands, aws)
    remediate.add_parser(commands)
    permissions.add_parser(commands)
    org.add_parser(commands, aws)
    for command in commands.choices.values():  # `rootguard audit --debug` works as well as `rootguard --debug audit`
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
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
    except BrokenPipeError:
        # The reader went away (`rootguard … | head`): say nothing more, as other tools do.
        _silence_stdout()
        return 141
    except Exception as error:  # a bug: one line, the traceback only when asked for
        if args.debug or os.environ.get("ROOTGUARD_DEBUG"):
            traceback.print_exc()
        print(
            f"rootguard: internal error: {type(error).__name__}: {error} "
            "(a bug in rootguard: please report it; run with --debug for the traceback)",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass

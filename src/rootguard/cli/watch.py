"""``rootguard watch``: print root events from the watcher's SQS queue as they arrive (contract §1.6)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rootguard.cli import options
from rootguard.errors import UsageError

if TYPE_CHECKING:
    from rootguard.app.watch import PollFailure, Received, WatchState

WATCH_EXAMPLES = """\
examples:
  rootguard watch --queue-url https://sqs.us-east-1.amazonaws.com/111122223333/rootguard-root-activity
  rootguard watch --queue-url URL --format jsonl --approvals approvals.toml > root-events.jsonl
  rootguard watch --queue-url URL --once                     one long poll (20 s), then exit (CI)
  rootguard watch --queue-url URL --test                     send a labelled test event, time each hop

The queue is the one `rootguard remediate --watch` creates (WatchQueue): the watcher's EventBridge
rule sends it every root event. A message is deleted once every event in it was read; a malformed
one is reported and left on the queue (its redrive policy moves it to the dead-letter queue).
Ctrl-C stops the watch (exit 0).

exit codes: 0 watched (or the test event arrived) · 1 --test: the test event did not arrive in time
            · 2 usage error · 3 --once: the queue could not be read; --test: the event could not be sent
"""


def add_parser(commands: options.Commands, aws: options.Parser) -> None:
    watch = commands.add_parser(
        "watch",
        parents=[aws],
        help="print root events from the watcher's SQS queue as they arrive",
        description="Long-poll the watcher's SQS queue and print each root event, classified as "
        "`rootguard activity` classifies it: who, what, from where, MFA, approved or not.",
        epilog=WATCH_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    watch.add_argument("--queue-url", metavar="URL", required=True, help="the SQS queue the watcher's rule feeds")
    watch.add_argument("--once", action="store_true", help="one long poll, then exit")
    watch.add_argument("--format", choices=["table", "jsonl"], default="table", help="one line per event")
    watch.add_argument("--approvals", type=Path, metavar="FILE", help="TOML file of approved root-use windows")
    watch.add_argument(
        "--account-names", type=Path, metavar="FILE", help="JSON object of account id to name, shown with each event"
    )
    options.add_config_option(watch)
    watch.add_argument("--test", action="store_true", help="send a labelled rootguard.test event and wait for it")
    watch.add_argument("--bus", default="default", metavar="NAME", help="--test: the event bus to put it on")
    watch.add_argument(
        "--test-timeout", type=options.seconds, default=120.0, metavar="SECONDS", help="--test: how long to wait"
    )


def run(args: argparse.Namespace) -> int:
    from rootguard.app import watch  # noqa: PLC0415

    settings = options.settings(args)
    watch_options = watch.WatchOptions(approvals=settings.approvals, account_names=_names(args.account_names))
    connection = watch.connect(args.queue_url, profile=args.profile, region=args.region)
    state = watch.WatchState()
    report = _printer(args.format)
    try:
        if args.test:
            return _self_test(args, connection, watch_options, state, report)
        watch.watch(connection.queue, watch_options, report=report, sleep=time.sleep, once=args.once, state=state)
    except KeyboardInterrupt:
        _summary(state, "stopped")
        return 0
    _summary(state, "done")
    return 3 if args.once and state.failed_polls else 0


def _self_test(args: argparse.Namespace, connection: Any, watch_options: Any, state: WatchState, report: Any) -> int:
    from rootguard.app import watch  # noqa: PLC0415

    result = watch.self_test(
        connection,
        watch_options,
        bus=args.bus,
        timeout=args.test_timeout,
        clock=_clock,
        report=report,
        state=state,
    )
    outcome = "arrived" if result.arrived else f"did NOT arrive: {result.problem}"
    print(f"rootguard: self-test {result.test_id} (event {result.event_id or '-'}) {outcome}", file=sys.stderr)
    for line in watch.hops_text(result):
        print(line, file=sys.stderr)
    if result.arrived:
        return 0
    return 3 if not result.event_id else 1


def _clock() -> datetime:
    """The command line's clock, to the microsecond (hop latencies)."""
    return datetime.now(UTC)


def _printer(output_format: str) -> Any:
    from rootguard.app.watch import Received, document, row  # noqa: PLC0415

    def report(item: Received | PollFailure) -> None:
        if not isinstance(item, Received):
            print(f"rootguard: the queue could not be read: {item.message}", file=sys.stderr)
            return
        if item.rejected is not None:
            left = "left on the queue" if item.rejected.malformed else "not root use; deleted"
            print(f"rootguard: message {item.message.message_id}: {item.rejected.reason} ({left})", file=sys.stderr)
            if output_format == "jsonl":
                found = {"kind": "rejected", "message_id": item.message.message_id}
                print(json.dumps(found | {"reason": item.rejected.reason, "malformed": item.rejected.malformed}))
        elif item.alert is not None:
            shown = json.dumps(document(item.alert)) if output_format == "jsonl" else row(item.alert)
            print(shown)
        sys.stdout.flush()

    return report


def _summary(state: WatchState, how: str) -> None:
    print(
        f"rootguard: watch {how}: {state.alerts} event(s), {state.rejected} set aside, "
        f"{state.deleted} message(s) deleted, {state.failed_polls} failed poll(s)",
        file=sys.stderr,
    )


def _names(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"--account-names {path}: cannot read it as JSON ({error})") from None
    if not isinstance(found, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in found.items()):
        raise UsageError(f"--account-names {path}: expected a JSON object of account id to name")
    return found

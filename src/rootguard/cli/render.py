"""Every report a command writes: ``--format``, ``--output``, ``--status`` and ``--compact``, one path for all.

``audit``, ``activity`` and ``org audit`` add the options with ``add_report_options`` and hand their
report to ``write_reports``. Renderers are imported only when a report is written in their format, so
``rootguard --help`` never loads rich or jinja2.

How the options combine (contract §1, "Report formats and files"):

- Each ``--output PATH`` is written in the format its suffix names (longest match: ``r.sarif.json`` is
  SARIF, ``r.json`` JSON). With exactly one ``--format`` and one ``--output`` the file is written in that
  format whatever its name (the meaning ``--format X --output FILE`` always had).
- A ``--format`` that no file is written in goes to stdout. Without ``--format`` and ``--output`` the
  table goes to stdout; ``--output -`` is stdout, and a device or FIFO (``/dev/null``) takes the table too,
  unless a single ``--format`` names another format.
- stdout takes one report: two formats for stdout are a usage error, since two documents on one stream
  cannot be told apart by a script.
"""

from __future__ import annotations

import argparse
import importlib
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from rootguard.cli.output import STDOUT_NAMES, emit
from rootguard.errors import UsageError
from rootguard.model.findings import Status

if TYPE_CHECKING:
    from rootguard.model.activity import ActivityReport
    from rootguard.model.findings import AuditReport

ReportKind = Literal["audit", "activity"]


@dataclass(frozen=True)
class Format:
    """One report format: its ``--format`` name, the ``--output`` suffixes that imply it, its renderers."""

    name: str
    suffixes: tuple[str, ...]
    audit: str | None
    """``module:function`` rendering an ``AuditReport``; None when the format has no audit form."""
    activity: str | None
    """``module:function`` rendering an ``ActivityReport``; None when the format makes no sense for activity."""

    def renderer(self, kind: ReportKind) -> str | None:
        return self.audit if kind == "audit" else self.activity


FORMATS: tuple[Format, ...] = (
    Format("table", (".txt",), "table:render_table", "activity_table:render_activity_table"),
    Format("json", (".json",), "json_report:render_json", "activity_json:render_activity_json"),
    Format("csv", (".csv",), "csv_report:render_csv", "csv_report:render_activity_csv"),
    Format("markdown", (".md",), "markdown_report:render_markdown", "markdown_report:render_activity_markdown"),
    Format("html", (".html", ".htm"), "html:render_html", "html:render_activity_html"),
    Format("sarif", (".sarif", ".sarif.json"), "sarif:render_sarif", None),
    Format("junit", (".junit.xml", ".xml"), "junit:render_junit", None),
    Format("ocsf", (".ocsf.json",), "ocsf:render_ocsf", "ocsf:render_activity_ocsf"),
    Format("asff", (".asff.json",), "asff:render_asff", None),
)
BY_NAME = {f.name: f for f in FORMATS}
TABLE = BY_NAME["table"]
STDOUT = Path("-")


def format_names(kind: ReportKind) -> list[str]:
    """The ``--format`` values ``kind`` accepts, in the contract's order."""
    return [f.name for f in FORMATS if f.renderer(kind) is not None]


def format_for_suffix(path: Path) -> Format | None:
    """The format the longest known suffix of ``path`` names (case-insensitive), or None."""
    name = path.name.lower()
    matches = [(len(s), f) for f in FORMATS for s in f.suffixes if name.endswith(s) and len(name) > len(s)]
    return max(matches, key=lambda match: match[0])[1] if matches else None


def known_suffixes() -> str:
    return ", ".join(f"{s} ({f.name})" for f in FORMATS for s in f.suffixes)


def statuses(text: str) -> frozenset[Status]:
    """``--status fail,error``: comma-separated statuses, any case."""
    names = [name.strip().upper() for name in text.split(",") if name.strip()]
    known = {s.value: s for s in Status}
    unknown = [name for name in names if name not in known]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"takes comma-separated statuses from {', '.join(s.value.lower() for s in Status)}, not {text!r}"
        )
    return frozenset(known[name] for name in names)


def add_report_options(parser: argparse.ArgumentParser, kind: ReportKind) -> None:
    """``--format`` and ``--output`` (both repeatable); for audit reports also ``--status`` and ``--compact``."""
    names = format_names(kind)
    group = parser.add_argument_group("report formats and files (contract §1)")
    group.add_argument(
        "--format",
        action="append",
        choices=names,
        metavar="FORMAT",
        help=f"{', '.join(names)} (repeatable; default: table). With one --output, that file's format; "
        "otherwise what goes to stdout",
    )
    group.add_argument(
        "--output",
        action="append",
        type=Path,
        metavar="FILE",
        help="write a report to FILE, its format from the suffix (repeatable; - is stdout; written 0600)",
    )
    if kind == "audit":
        group.add_argument(
            "--status",
            type=statuses,
            metavar="STATUSES",
            help="table: show only findings with these statuses, such as fail,error (the summary counts all)",
        )
        group.add_argument("--compact", action="store_true", help="table: one line per finding, no details")


@dataclass(frozen=True)
class Planned:
    """One report to write: its format and where (``STDOUT`` for standard output)."""

    format: Format
    path: Path

    @property
    def to_stdout(self) -> bool:
        return str(self.path) in STDOUT_NAMES


def plan(formats: Sequence[str] | None, outputs: Sequence[Path] | None, kind: ReportKind) -> list[Planned]:
    """Which format goes where, by the rules in this module's docstring (usage errors exit 2)."""
    formats, outputs = list(formats or []), list(outputs or [])
    if len(formats) == 1 and len(outputs) == 1:
        planned = [Planned(BY_NAME[formats[0]], outputs[0])]
    else:
        planned = [Planned(_file_format(path), path) for path in outputs]
        written = {p.format.name for p in planned}
        leftover = [name for name in dict.fromkeys(formats) if name not in written]
        planned += [Planned(BY_NAME[name], STDOUT) for name in leftover]
        if not planned:
            planned = [Planned(TABLE, STDOUT)]
    for item in planned:
        if item.format.renderer(kind) is None:
            raise UsageError(
                f"{item.path}: {item.format.name} is not a format for {kind} reports; "
                f"they can be written as {', '.join(format_names(kind))}"
            )
    if sum(item.to_stdout for item in planned) > 1:
        shown = ", ".join(item.format.name for item in planned if item.to_stdout)
        raise UsageError(f"stdout takes one report, not {shown}: write the others with --output FILE")
    paths = [item.path.resolve() for item in planned if not item.to_stdout]
    if len(paths) != len(set(paths)):
        raise UsageError("the same --output FILE is named twice")
    return planned


def _file_format(path: Path) -> Format:
    if str(path) in STDOUT_NAMES or _is_stream(path):
        return TABLE
    found = format_for_suffix(path)
    if found is None:
        raise UsageError(
            f"--output {path}: cannot tell the format from the name; use one of the suffixes "
            f"{known_suffixes()}, or give a single --output with a single --format"
        )
    return found


def _is_stream(path: Path) -> bool:
    """A device, FIFO or socket (``/dev/null``, ``/dev/tty``, a named pipe): its name says no format."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISBLK(mode)


@dataclass(frozen=True)
class TableView:
    """How the terminal table is cut down (audit reports): which statuses, one line per finding."""

    statuses: frozenset[Status] | None = None
    compact: bool = False


def write_reports(report: AuditReport | ActivityReport, args: argparse.Namespace, kind: ReportKind) -> None:
    """Render every report the options ask for, then write them: files atomically with mode 0600
    (``app.files.write_report``), stdout last. Nothing is written when any of them cannot be rendered."""
    planned = plan(getattr(args, "format", None), getattr(args, "output", None), kind)
    view = TableView(statuses=getattr(args, "status", None), compact=bool(getattr(args, "compact", False)))
    if (view.statuses is not None or view.compact) and not any(item.format is TABLE for item in planned):
        raise UsageError("--status and --compact shape the table, and no table is written: add --output - for it")
    rendered = [(item, _render(report, item, kind, view, region=getattr(args, "region", None))) for item in planned]
    for item, text in sorted(rendered, key=lambda pair: pair[0].to_stdout):
        emit(text, None if item.to_stdout else item.path)


def _render(
    report: AuditReport | ActivityReport, item: Planned, kind: ReportKind, view: TableView, *, region: str | None
) -> str:
    render = _renderer(item.format, kind)
    if item.format is TABLE:
        from rootguard.report.console import use_color, width  # noqa: PLC0415 - rich loads only for a table

        options: dict[str, Any] = {"color": use_color(item.to_stdout), "width": width(item.to_stdout)}
        if kind == "audit":
            options.update(statuses=view.statuses, compact=view.compact)
        return str(render(report, **options))
    if item.format.name == "asff" and region:
        return str(render(report, region=region))
    return str(render(report))


def _renderer(output_format: Format, kind: ReportKind) -> Callable[..., Any]:
    target = output_format.renderer(kind)
    assert target is not None  # plan() refused the format for this kind
    module_name, function = target.split(":")
    try:
        module = _report_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != f"rootguard.report.{module_name}":
            raise
        raise UsageError(f"this build of rootguard cannot write {output_format.name} reports") from None
    found: Callable[..., Any] = getattr(module, function)
    return found


def _report_module(name: str) -> ModuleType:
    """Import a renderer module on first use; each name is spelled out so the layer test can read it."""
    match name:
        case "table":
            return importlib.import_module("rootguard.report.table")
        case "activity_table":
            return importlib.import_module("rootguard.report.activity_table")
        case "json_report":
            return importlib.import_module("rootguard.report.json_report")
        case "activity_json":
            return importlib.import_module("rootguard.report.activity_json")
        case "csv_report":
            return importlib.import_module("rootguard.report.csv_report")
        case "markdown_report":
            return importlib.import_module("rootguard.report.markdown_report")
        case "html":
            return importlib.import_module("rootguard.report.html")
        case "sarif":
            return importlib.import_module("rootguard.report.sarif")
        case "junit":
            return importlib.import_module("rootguard.report.junit")
        case "ocsf":
            return importlib.import_module("rootguard.report.ocsf")
        case "asff":
            return importlib.import_module("rootguard.report.asff")
    raise AssertionError(f"no renderer module {name}")

"""Issue 14's "done when": one `audit --demo` run writes six report files that each validate, owner-only."""

from __future__ import annotations

import csv
import io
import json
import stat
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from rootguard.cli.main import main

SCHEMAS = Path(__file__).parent.parent / "schemas"
FILES = ("r.html", "r.sarif", "r.csv", "r.ocsf.json", "r.asff.json", "r.junit.xml")
DEMO_FINDINGS = 34


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reports")
    argv = ["audit", "--demo"]
    for name in FILES:
        argv += ["--output", str(folder / name)]
    assert main(argv) == 1  # the demo's FAILs: the exit code is the report's, whatever the formats
    return folder


def test_six_files_each_0600_and_nothing_else(written: Path) -> None:
    assert sorted(p.name for p in written.iterdir()) == sorted(FILES)
    for name in FILES:
        assert stat.S_IMODE((written / name).stat().st_mode) == 0o600, name


def test_sarif_validates_against_sarif_2_1_0(written: Path) -> None:
    validate = pytest.importorskip("sarif_kit.validate")
    document = json.loads((written / "r.sarif").read_text())
    assert validate.validation_errors(document) == []
    assert len(document["runs"][0]["results"]) > 0


def test_junit_validates_against_junit_10_xsd(written: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd").validate(str(written / "r.junit.xml"))


def test_ocsf_validates_as_compliance_findings(written: Path) -> None:
    ocsf = pytest.importorskip("ocsf_json_schema")
    from jsonschema import Draft202012Validator

    schema = ocsf.OcsfJsonSchemaEmbedded(ocsf.get_ocsf_schema("1.6.0"))
    validator = Draft202012Validator(schema.get_class_schema("compliance_finding", profiles=["cloud"]))
    documents = json.loads((written / "r.ocsf.json").read_text())
    assert len(documents) == DEMO_FINDINGS
    for document in documents:
        assert [e.message for e in validator.iter_errors(document)] == []


def test_asff_is_valid_batch_import_findings_input(written: Path) -> None:
    import botocore.session
    from botocore.validate import ParamValidator

    shape = botocore.session.get_session().get_service_model("securityhub").operation_model("BatchImportFindings")
    findings: list[dict[str, Any]] = json.loads((written / "r.asff.json").read_text())
    assert len(findings) == DEMO_FINDINGS
    for start in range(0, len(findings), 100):  # BatchImportFindings takes at most 100 per call
        result = ParamValidator().validate({"Findings": findings[start : start + 100]}, shape.input_shape)
        assert not result.has_errors(), result.generate_report()


def test_csv_has_one_row_per_finding(written: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((written / "r.csv").read_text(encoding="utf-8"))))
    assert len(rows) == DEMO_FINDINGS


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        for name, value in attrs:
            if name in {"src", "href"} and value and "://" in value:
                self.external.append(value)


def test_html_is_one_self_contained_page(written: Path) -> None:
    text = (written / "r.html").read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html>")
    parser = _Collect()
    parser.feed(text)
    assert parser.tags > 100 and parser.external == []

"""The Terraform modules hang together and say the same as the CloudFormation templates.

Structural checks always run; ``terraform fmt -check`` and ``terraform validate`` run when a terraform
binary is on PATH (validate also needs a local copy of the hashicorp/aws provider, since tests never
download: ROOTGUARD_TF_PLUGIN_DIR, or /opt/tf-plugins).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from remediation_files import CIS_ROOT_USAGE_PATTERN, CONFIG_RULES, ROOT_DETAIL_TYPES, TERRAFORM

MODULES = sorted(path for path in TERRAFORM.iterdir() if path.is_dir() and not path.name.startswith("."))
MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf")
PAIRS = {"{": "}", "[": "]", "(": ")"}


def source(module: Path) -> str:
    return "\n".join((module / name).read_text() for name in MODULE_FILES)


def code_only(text: str) -> str:
    """The text with comments and string literals blanked, so brackets inside them are not counted."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#" or text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
        elif char == '"':
            i += 1
            while text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        else:
            out.append(char)
            i += 1
    return "".join(out)


def unbalanced(text: str) -> list[str]:
    stack: list[tuple[str, int]] = []
    problems: list[str] = []
    for line_number, line in enumerate(code_only(text).splitlines(), start=1):
        for char in line:
            if char in PAIRS:
                stack.append((char, line_number))
            elif char in PAIRS.values():
                if not stack or PAIRS[stack[-1][0]] != char:
                    problems.append(f"unexpected {char!r} on line {line_number}")
                    return problems
                stack.pop()
    problems.extend(f"unclosed {char!r} from line {line_number}" for char, line_number in stack)
    return problems


def declared_variables(module: Path) -> set[str]:
    return set(re.findall(r'^variable\s+"([A-Za-z_][\w-]*)"', (module / "variables.tf").read_text(), re.MULTILINE))


def used_variables(module: Path) -> set[str]:
    return set(re.findall(r"\bvar\.([A-Za-z_][\w-]*)", source(module)))


def test_three_modules() -> None:
    assert [m.name for m in MODULES] == ["root-activity-eventbridge", "root-config-rules", "root-usage-alarm"]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_module_has_the_four_files(module: Path) -> None:
    assert sorted(p.name for p in module.iterdir() if p.is_file()) == sorted(MODULE_FILES)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
@pytest.mark.parametrize("name", MODULE_FILES)
def test_brackets_balance(module: Path, name: str) -> None:
    assert unbalanced((module / name).read_text()) == []


def test_bracket_check_catches_a_missing_brace() -> None:
    assert unbalanced('resource "a" "b" {\n  x = { y = "}" }\n') == ["unclosed '{' from line 1"]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_every_variable_used_is_declared_and_every_declared_one_used(module: Path) -> None:
    assert used_variables(module) == declared_variables(module)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_every_variable_is_described_and_typed(module: Path) -> None:
    blocks = re.split(r'^variable\s+"', (module / "variables.tf").read_text(), flags=re.MULTILINE)[1:]
    for block in blocks:
        assert "description =" in block and "type        =" in block, block.split('"')[0]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_every_local_used_is_defined(module: Path) -> None:
    text = source(module)
    defined = set()
    for block in re.findall(r"^locals\s*\{(.*?)^\}", text, re.MULTILINE | re.DOTALL):
        defined |= set(re.findall(r'^  "?([A-Za-z_][\w-]*)"?\s*=', block, re.MULTILINE))
    assert set(re.findall(r"\blocal\.([A-Za-z_][\w-]*)", text)) <= defined


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_requires_the_aws_provider(module: Path) -> None:
    versions = (module / "versions.tf").read_text()
    assert re.search(r"required_providers\s*\{\s*aws\s*=\s*\{[^}]*source\s*=\s*\"hashicorp/aws\"", versions)
    assert "required_version" in versions


def hcl_string(text: str) -> str:
    """How ``text`` is written as an HCL string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_usage_alarm_module_has_the_exact_cis_pattern_and_alarm_settings() -> None:
    main = (TERRAFORM / "root-usage-alarm" / "main.tf").read_text()
    assert hcl_string(CIS_ROOT_USAGE_PATTERN) in main
    for setting in (
        'statistic           = "Sum"',
        "period              = 300",
        "evaluation_periods  = 1",
        "threshold           = 1",
        'comparison_operator = "GreaterThanOrEqualToThreshold"',
        'treat_missing_data = "notBreaching"',
        'protocol  = "email"',
        'value     = "1"',
        'Principal = { Service = "cloudwatch.amazonaws.com" }',
    ):
        assert setting in main, setting
    variables = (TERRAFORM / "root-usage-alarm" / "variables.tf").read_text()
    assert 'default     = "CISBenchmark"' in variables
    assert 'default     = "RootAccountUsageCount"' in variables


def test_eventbridge_module_matches_root_api_calls_and_sign_ins() -> None:
    main = (TERRAFORM / "root-activity-eventbridge" / "main.tf").read_text()
    detail_types = ", ".join(hcl_string(t) for t in ROOT_DETAIL_TYPES)
    assert f'"detail-type" = [{detail_types}]' in main
    assert re.search(r'userIdentity = \{\s*type = \["Root"\]\s*\}', main)
    assert 'Principal = { Service = "events.amazonaws.com" }' in main
    variables = (TERRAFORM / "root-activity-eventbridge" / "variables.tf").read_text()
    assert re.search(r'variable "event_bus_name" \{[^}]*default     = "default"', variables)


def test_config_rules_module_has_the_three_managed_rules() -> None:
    main = (TERRAFORM / "root-config-rules" / "main.tf").read_text()
    for name, identifier in CONFIG_RULES.items():
        assert re.search(rf'"{name}" = \{{\s*identifier\s*= "{identifier}"', main), name
    assert 'default     = "TwentyFour_Hours"' in (TERRAFORM / "root-config-rules" / "variables.tf").read_text()


# --- the real tool, when this machine has it ---

TERRAFORM_BIN = shutil.which("terraform")
needs_terraform = pytest.mark.skipif(
    TERRAFORM_BIN is None, reason="no terraform binary on PATH; the structural checks above still ran"
)


def plugin_dir() -> Path | None:
    for candidate in (os.environ.get("ROOTGUARD_TF_PLUGIN_DIR"), "/opt/tf-plugins"):
        if candidate and (Path(candidate) / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return Path(candidate)
    return None


def run_terraform(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert TERRAFORM_BIN is not None
    # An empty CLI config: no credentials helpers, no network mirrors, no checkpoint calls.
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    return subprocess.run(
        [TERRAFORM_BIN, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@needs_terraform
def test_terraform_fmt_check() -> None:
    result = run_terraform("fmt", "-check", "-recursive", "-diff", "-no-color", str(TERRAFORM), cwd=TERRAFORM)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_terraform
@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_terraform_validate(module: Path, tmp_path: Path) -> None:
    plugins = plugin_dir()
    if plugins is None:
        pytest.skip(
            "terraform validate needs the hashicorp/aws provider and tests never download it: "
            "set ROOTGUARD_TF_PLUGIN_DIR to a provider mirror (or fill /opt/tf-plugins)"
        )
    # Work on a copy: init writes .terraform/ and a lock file, which must not land in the package.
    work = tmp_path / module.name
    shutil.copytree(module, work)
    init = run_terraform("init", "-backend=false", "-input=false", "-no-color", f"-plugin-dir={plugins}", cwd=work)
    assert init.returncode == 0, init.stdout + init.stderr
    validate = run_terraform("validate", "-no-color", cwd=work)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "Warning" not in validate.stdout + validate.stderr

"""`rootguard completion`: scripts generated from the parser, loadable by their shells."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rootguard.cli.completion import script, walk
from rootguard.cli.main import build_parser, main


def completions(tmp_path: Path, *words: str) -> list[str]:
    """What bash offers after ``rootguard <words>`` (the last word is the one being completed)."""
    path = tmp_path / "rootguard.bash"
    path.write_text(script("bash", build_parser()))
    line = " ".join(f"'{w}'" for w in ("rootguard", *words))
    program = (
        f'source {path}\nCOMP_WORDS=({line}); COMP_CWORD={len(words)}; _rootguard\nprintf "%s\\n" "${{COMPREPLY[@]}}"\n'
    )
    result = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return result.stdout.split()


def test_bash_registers_the_completion(tmp_path: Path) -> None:
    path = tmp_path / "rootguard.bash"
    path.write_text(script("bash", build_parser()))
    result = subprocess.run(
        ["bash", "-c", f"source {path} && complete -p rootguard"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "complete -o default -F _rootguard rootguard"


def test_bash_completes_commands_options_and_choices(tmp_path: Path) -> None:
    assert "audit" in completions(tmp_path, "au")
    assert set(completions(tmp_path, "")) >= {"audit", "activity", "checks", "completion", "--version"}
    assert completions(tmp_path, "audit", "--format", "") == [
        "table", "json", "csv", "markdown", "html", "sarif", "junit", "ocsf", "asff"
    ]  # fmt: skip
    assert "sarif" not in completions(tmp_path, "activity", "--format", "")
    assert completions(tmp_path, "--debug", "audit", "--comp") == ["--compact"]
    assert completions(tmp_path, "completion", "")[:3] == ["bash", "zsh", "fish"]
    assert completions(tmp_path, "audit", "--output", "") == []  # file names, from `complete -o default`
    assert "--compact" not in completions(tmp_path, "activity", "--")


def test_every_command_and_option_of_the_parser_is_in_every_script() -> None:
    parser = build_parser()
    for shell in ("bash", "zsh", "fish"):
        text = script(shell, parser)
        for command in walk(parser):
            for name in command.subcommands:
                assert name in text
            for option in command.options:
                for string in option.strings:
                    flag = (
                        string if shell != "fish" else (f"-l {string[2:]}" if string.startswith("--") else string[1:])
                    )
                    assert flag in text, (shell, command.path, string)


def test_zsh_script_is_a_compdef_and_defines_the_function() -> None:
    text = script("zsh", build_parser())
    assert text.startswith("#compdef rootguard\n")
    assert "compdef _rootguard rootguard" in text and "_describe 'rootguard' items" in text
    assert "'--format:" in text and "compadd -- table json csv" in text


def test_fish_script_names_subcommands_with_their_help() -> None:
    text = script("fish", build_parser())
    assert "complete -c rootguard -n '__rootguard_at \\'\\'' -a audit -d 'evaluate the root user checks" in text
    assert "-l format -x -a 'table json csv markdown html ocsf'" in text  # activity's formats
    assert "-l output -r -F" in text


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_syntax_when_the_shell_is_installed(shell: str, tmp_path: Path) -> None:
    binary = shutil.which(shell)
    if binary is None:
        pytest.skip(f"{shell} is not installed here; the generated text is asserted above")
    path = tmp_path / f"rootguard.{shell}"
    path.write_text(script(shell, build_parser()))
    subprocess.run([binary, "-n", str(path)], check=True)


def test_completion_command_prints_the_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "bash"]) == 0
    assert capsys.readouterr().out.startswith("# bash completion for rootguard")
    with pytest.raises(SystemExit) as exit_:
        main(["completion", "powershell"])
    assert exit_.value.code == 2


def test_zsh_function_completes_paths_options_and_choices(tmp_path: Path) -> None:
    """The function's own logic, with the completion system's builtins replaced by printers."""
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed here; the generated text is asserted above")
    path = tmp_path / "_rootguard"
    path.write_text(script("zsh", build_parser()))
    program = (
        f"compdef() {{ :; }}; source {path}\n"
        '_describe() { print -rl -- ${(P)2}; }; compadd() { print -r -- "$@"; }; _files() { print FILES; }\n'
        'words=(rootguard audit --format ""); CURRENT=4; _rootguard; echo ---\n'
        "words=(rootguard --debug activity --out); CURRENT=4; _rootguard; echo ---\n"
        'words=(rootguard audit --output ""); CURRENT=4; _rootguard\n'
    )
    result = subprocess.run([zsh, "-fc", program], capture_output=True, text=True, check=True)
    formats, activity, output = result.stdout.split("---\n")
    assert formats.split() == ["--", "table", "json", "csv", "markdown", "html", "sarif", "junit", "ocsf", "asff"]
    assert any(line.startswith("--output:write a report to FILE") for line in activity.splitlines())
    assert not any(line.startswith("--compact:") for line in activity.splitlines())
    assert output.strip() == "FILES"


def test_fish_completes_commands_and_choices(tmp_path: Path) -> None:
    fish = shutil.which("fish")
    if fish is None:
        pytest.skip("fish is not installed here; the generated text is asserted above")
    path = tmp_path / "rootguard.fish"
    path.write_text(script("fish", build_parser()))
    program = (
        f"source {path}\n"
        "complete -C 'rootguard au'; echo ---\n"
        "complete -C 'rootguard activity --format '; echo ---\n"
        "complete -C 'rootguard audit --comp'\n"
    )
    result = subprocess.run([fish, "-c", program], capture_output=True, text=True, check=True)
    commands, formats, compact = (
        [line.split("\t")[0] for line in part.splitlines()] for part in result.stdout.split("---\n")
    )
    assert commands == ["audit"]
    assert sorted(formats) == ["csv", "html", "json", "markdown", "ocsf", "table"]
    assert compact == ["--compact"]

"""``rootguard completion bash|zsh|fish``: shell completion generated from the argparse parser itself.

Every command (at any depth: ``org audit``), option and choice the parser knows is completed, so the
scripts cannot drift from the command line. An option that takes a value without choices completes
file names. The scripts find the command path the same way in each shell: the words typed so far
that name a subcommand of the path before them.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from rootguard.cli import options

SHELLS = ("bash", "zsh", "fish")
COMPLETION_EXAMPLES = """\
examples:
  source <(rootguard completion bash)                 this bash session (or add the line to ~/.bashrc)
  rootguard completion zsh > "${fpath[1]}/_rootguard"  zsh, with compinit (or: source <(rootguard completion zsh))
  rootguard completion fish > ~/.config/fish/completions/rootguard.fish"""
_SAFE = re.compile(r"[A-Za-z0-9_.,:/+=@-]+")
"""Words written into the scripts unquoted: every command, option and choice rootguard has."""


@dataclass(frozen=True)
class Option:
    strings: tuple[str, ...]
    help: str
    takes_value: bool
    choices: tuple[str, ...] | None


@dataclass
class Command:
    path: str
    """The subcommand words from ``rootguard``: ``""``, ``"audit"``, ``"org audit"``."""
    subcommands: dict[str, str] = field(default_factory=dict)
    """Name → help."""
    options: list[Option] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    """The choices of positional arguments (``completion SHELL``) → the argument's help."""


def add_parser(commands: options.Commands, whole: Callable[[], argparse.ArgumentParser]) -> None:
    """``whole`` builds rootguard's whole parser (``cli.main.build_parser``), the one the script describes."""
    completion = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print a completion script for SHELL, generated from rootguard's own options.",
        epilog=COMPLETION_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    completion.set_defaults(whole_parser=whole)


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell, args.whole_parser()))
    return 0


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    commands = walk(parser)
    match shell:
        case "bash":
            return bash(commands)
        case "zsh":
            return zsh(commands)
        case "fish":
            return fish(commands)
    raise ValueError(f"no completion for {shell}")


def walk(parser: argparse.ArgumentParser, path: str = "") -> list[Command]:
    """The parser and every subcommand's, depth first."""
    command = Command(path)
    found = [command]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, subparser in action.choices.items():
                command.subcommands[_safe(name)] = _one_line(helps.get(name, ""))
                found += walk(subparser, f"{path} {name}".strip())
        elif not action.option_strings and action.choices is not None:
            command.values.update(dict.fromkeys((_safe(str(c)) for c in action.choices), _one_line(action.help or "")))
        elif action.option_strings and action.help != argparse.SUPPRESS:
            choices = tuple(_safe(str(c)) for c in action.choices) if action.choices is not None else None
            command.options.append(
                Option(
                    strings=tuple(_safe(s) for s in action.option_strings),
                    help=_one_line(action.help or ""),
                    takes_value=action.nargs != 0,
                    choices=choices,
                )
            )
    return found


def _safe(word: str) -> str:
    if not _SAFE.fullmatch(word):
        raise ValueError(f"{word!r} cannot be written into a completion script unquoted")
    return word


def _one_line(text: str) -> str:
    text = " ".join(text.replace("%%", "%").split())
    return text if len(text) <= 80 else text[:79] + "…"


def _path_cases(commands: list[Command]) -> str:
    """``"|audit"|"org|audit"``: a case pattern matching every (path, next word) that goes one deeper."""
    return "|".join(f'"{c.path}|{name}"' for c in commands for name in c.subcommands)


def bash(commands: list[Command]) -> str:
    value_cases, word_cases = [], []
    for command in commands:
        for option in command.options:
            if not option.takes_value:
                continue
            patterns = "|".join(f'"{command.path}|{s}"' for s in option.strings)
            reply = (
                f'COMPREPLY=($(compgen -W "{" ".join(option.choices)}" -- "$cur"))'
                if option.choices is not None
                else "COMPREPLY=()"
            )
            value_cases.append(f"        {patterns}) {reply}; return ;;")
        words = [*command.subcommands, *command.values, *(s for o in command.options for s in o.strings)]
        word_cases.append(f'        "{command.path}") words="{" ".join(words)}" ;;')
    return (
        "# bash completion for rootguard, generated by `rootguard completion bash`\n"
        "_rootguard() {\n"
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"\n'
        '    local path="" word words="" i\n'
        "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
        '        word="${COMP_WORDS[i]}"\n'
        '        case "$path|$word" in\n'
        f'            {_path_cases(commands)}) path="${{path:+$path }}$word" ;;\n'
        "        esac\n"
        "    done\n"
        "    # an option's value: its choices, else file names (an empty reply: complete -o default)\n"
        '    case "$path|$prev" in\n' + "\n".join(value_cases) + "\n    esac\n"
        '    case "$path" in\n' + "\n".join(word_cases) + "\n    esac\n"
        '    COMPREPLY=($(compgen -W "$words" -- "$cur"))\n'
        "}\n"
        "complete -o default -F _rootguard rootguard\n"
    )


def _zsh_item(word: str, help_text: str) -> str:
    described = f"{word.replace(':', chr(92) + ':')}:{help_text}"
    return "'" + described.replace("'", "'\\''") + "'"


def zsh(commands: list[Command]) -> str:
    value_cases, word_cases = [], []
    for command in commands:
        for option in command.options:
            if not option.takes_value:
                continue
            patterns = "|".join(f'"{command.path}|{s}"' for s in option.strings)
            reply = f"compadd -- {' '.join(option.choices)}" if option.choices is not None else "_files"
            value_cases.append(f"        ({patterns}) {reply}; return ;;")
        items = [_zsh_item(name, text) for name, text in {**command.subcommands, **command.values}.items()]
        items += [_zsh_item(s, o.help) for o in command.options for s in o.strings]
        word_cases.append(f'        ("{command.path}") items=({" ".join(items)}) ;;')
    return (
        "#compdef rootguard\n"
        "# zsh completion for rootguard, generated by `rootguard completion zsh`\n"
        "_rootguard() {\n"
        '    local path_="" word prev="${words[CURRENT-1]}" i\n'
        "    local -a items\n"
        "    for ((i = 2; i < CURRENT; i++)); do\n"
        '        word="${words[i]}"\n'
        '        case "$path_|$word" in\n'
        f'            ({_path_cases(commands)}) path_="${{path_:+$path_ }}$word" ;;\n'
        "        esac\n"
        "    done\n"
        '    case "$path_|$prev" in\n' + "\n".join(value_cases) + "\n    esac\n"
        '    case "$path_" in\n' + "\n".join(word_cases) + "\n    esac\n"
        "    _describe 'rootguard' items\n"
        "}\n"
        'if [[ "${funcstack[1]}" == "_rootguard" ]]; then\n'
        '    _rootguard "$@"\n'
        "else\n"
        "    compdef _rootguard rootguard\n"
        "fi\n"
    )


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish(commands: list[Command]) -> str:
    lines = [
        "# fish completion for rootguard, generated by `rootguard completion fish`",
        "function __rootguard_path",
        "    set -l path ''",
        "    for word in (commandline -opc)[2..-1]",
        '        switch "$path|$word"',
        "            case " + " ".join(f"'{c.path}|{name}'" for c in commands for name in c.subcommands),
        '                set path (string trim -- "$path $word")',
        "        end",
        "    end",
        '    echo "$path"',
        "end",
        "function __rootguard_at",
        "    set -l path (__rootguard_path)",
        '    test "$path" = "$argv[1]"',
        "end",
        "complete -c rootguard -f",
    ]
    for command in commands:
        condition = f"-n {_fish_quote(f'__rootguard_at {_fish_quote(command.path)}')}"
        for name, text in {**command.subcommands, **command.values}.items():
            lines.append(f"complete -c rootguard {condition} -a {name} -d {_fish_quote(text)}")
        for option in command.options:
            names = " ".join(f"-l {s[2:]}" if s.startswith("--") else f"-s {s[1:]}" for s in option.strings)
            if option.choices is not None:
                value = f" -x -a {_fish_quote(' '.join(option.choices))}"
            elif option.takes_value:
                value = " -r -F"
            else:
                value = ""
            lines.append(f"complete -c rootguard {condition} {names}{value} -d {_fish_quote(option.help)}")
    return "\n".join(lines) + "\n"

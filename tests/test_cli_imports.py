"""The `signals` command imports what a command uses, and nothing heavy to build its parser:
`signals --help` and every subcommand's `--help` load none of pandas, pyarrow, scikit-learn, SciPy,
networkx, plotly or Streamlit; `signals check` loads pandas but no analysis library. Checked in a
fresh interpreter by the modules it holds afterwards (the times are benchmarks/bench_cli.py's)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from signals.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "pyarrow", "numpy", "sklearn", "scipy", "networkx", "plotly", "streamlit")
ANALYSIS_LIBRARIES = ("sklearn", "scipy", "networkx", "plotly", "streamlit")
# Runs `signals ARGV...` (help exits through SystemExit) and prints the heavy modules then loaded.
_SCRIPT = """
import contextlib, io, json, sys
from signals.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _heavy_modules_after(*argv: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _SCRIPT.format(heavy=HEAVY), *argv], cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def _subcommands() -> list[tuple[str, ...]]:
    """Every subcommand the parser has, nested ones (`merges add`) too."""
    def walk(parser, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = []
        for action in parser._subparsers._group_actions if parser._subparsers else ():
            for name, child in action.choices.items():
                found += [(*prefix, name), *walk(child, (*prefix, name))]
        return found

    return walk(build_parser(), ())


def test_every_command_is_walked() -> None:
    commands = _subcommands()
    assert {("check",), ("export",), ("synth",), ("emerging",), ("clusters",), ("themes",), ("radar",),
            ("merges",), ("merges", "add"), ("merges", "undo")} <= set(commands)


@pytest.mark.parametrize("command", [(), *_subcommands()], ids=lambda c: " ".join(c) or "signals")
def test_help_imports_nothing_heavy(command: tuple[str, ...]) -> None:
    assert _heavy_modules_after(*command, "--help") == []


def test_check_imports_no_analysis_library() -> None:
    loaded = _heavy_modules_after("check", str(ROOT / "seeds"))
    assert "pandas" in loaded  # it did load the corpus
    assert not set(loaded) & set(ANALYSIS_LIBRARIES)

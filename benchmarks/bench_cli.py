"""Whole-process times of the `signals` command, against what it cannot avoid, in the same run.

    python benchmarks/bench_cli.py [--corpus /tmp/synth10k] [--runs 5]

Each command is a fresh interpreter (`python -m signals.cli ...`, from the checkout holding this
script, whatever `signals` is installed); the runs go round all commands in turn, so every command
sees the same machine load, and each figure is the median of --runs (min beside it). Prints:

- `signals --help` and every subcommand's `--help` against `python -c "import pandas, pyarrow"`
  (target: within 1.5x);
- `signals check DIR --no-cache` against `python -c "import signals; signals.load_corpus(DIR,
  use_cache=False)"`, import + load with nothing else (target: within 1.5x).

The corpus (10,000 synthetic documents by default) is written with `signals synth --seed 1` when
the folder does not exist.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.5


def _env() -> dict[str, str]:
    """This checkout's `signals` first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _subcommands() -> list[list[str]]:
    """Every subcommand of the checkout's parser, nested ones (`merges add`) too."""
    sys.path.insert(0, str(ROOT))
    from signals.cli import build_parser

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> list[list[str]]:
        found = []
        for action in parser._subparsers._group_actions if parser._subparsers else ():
            for name, child in action.choices.items():
                found += [[*prefix, name], *walk(child, [*prefix, name])]
        return found

    return walk(build_parser(), [])


def _seconds(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # check exits 1 when the corpus has problems
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="/tmp/synth10k", help="folder of documents for `signals check`")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    python, corpus = sys.executable, str(Path(args.corpus).resolve())
    cli = [python, "-m", "signals.cli"]
    if not Path(corpus).exists():
        subprocess.run([*cli, "synth", "--docs", "10000", "--out", corpus, "--seed", "1"], cwd=ROOT, env=_env(),
                       check=True)

    commands: dict[str, list[str]] = {
        "import pandas, pyarrow": [python, "-c", "import pandas, pyarrow"],
        "signals --help": [*cli, "--help"],
    }
    for subcommand in _subcommands():
        commands[f"signals {' '.join(subcommand)} --help"] = [*cli, *subcommand, "--help"]
    commands["import + load_corpus (no cache)"] = [
        python, "-c", f"import signals; signals.load_corpus({corpus!r}, use_cache=False)"]
    commands["signals check DIR --no-cache"] = [*cli, "check", corpus, "--no-cache"]

    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(args.runs):
        for label, argv in commands.items():
            times[label].append(_seconds(argv))
    median = {label: statistics.median(values) for label, values in times.items()}

    print(f"median of {args.runs} whole-process runs (min), python {sys.version.split()[0]}, {os.cpu_count()} cores")
    width = max(map(len, commands))
    for label in commands:
        print(f"  {label:<{width}}  {median[label]:6.3f} s  ({min(times[label]):.3f})")
    baseline = median["import pandas, pyarrow"]
    helps = {label: value for label, value in median.items() if label.endswith("--help")}
    slowest = max(helps, key=helps.get)
    help_ratio = helps[slowest] / baseline
    check_ratio = median["signals check DIR --no-cache"] / median["import + load_corpus (no cache)"]
    print(f"help: slowest `{slowest}` / `import pandas, pyarrow` = {help_ratio:.2f}x "
          f"({'within' if help_ratio <= TARGET else 'OVER'} {TARGET}x)")
    print(f"check: `signals check DIR --no-cache` / import + load = {check_ratio:.2f}x "
          f"({'within' if check_ratio <= TARGET else 'OVER'} {TARGET}x)")


if __name__ == "__main__":
    main()

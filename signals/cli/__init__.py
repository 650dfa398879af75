"""The `signals` command: the loader, filters, exports and insights of the dashboard, from a terminal.

    signals check PATH [--format text|json]                               signals.cli.check
    signals export PATH --out OUT [--format csv|parquet] [filters]        signals.cli.export
    signals synth --docs N --out DIR [--seed S] [--planted]               signals.cli.synth
    signals emerging|clusters|themes|radar PATH [filters] ...             signals.cli.insights
    signals search PATH "query" [--top N] [filters]                       signals.cli.search
    signals merges list|add|remove|split|undo|history|import PATH ...     signals.cli.merges
    signals annotate PATH --doc DOC_ID [--section S --row N | --name T] ...  signals.cli.notes
    signals notes list|export|import|orphans|history|undo PATH ...       signals.cli.notes
    signals views list|save|rename|delete PATH ...                        signals.cli.views
    signals brief PATH --out brief.md|.html|.pptx [filters] ...          signals.cli.brief
    signals compare PATH --before A..B --after C..D | OLD_DIR NEW_DIR     signals.cli.compare
    signals distinctive PATH [filters]                                    signals.cli.compare

One module per group of subcommands, each with a `register(subparsers)`; what they share (loading
with the theme merges, the filter flags made from signals.facets, printing a table) is in
signals.cli.common. Building the parser imports only argparse, the facets and the analyses'
parameters: each command imports pandas, the loader and its analysis when it runs, so `signals
--help` does not pay for them and `signals check` never loads scikit-learn (benchmarks/bench_cli.py).

Every command that reads a corpus applies the theme merges kept in the folder's workspace
(signals.workspace; `--workspace FILE` or $SIGNALS_WORKSPACE to use another file) and those of
`--aliases FILE`.

Exit codes: 0 fine, 1 problems found (check), 2 usage errors (bad arguments, missing folder).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from signals.cli import brief, check, compare, export, insights, merges, notes, search, synth, views
from signals.cli.common import EXIT_USAGE, UsageError

#: The groups of subcommands, in the order `signals --help` lists them.
GROUPS = (check, export, synth, insights, search, merges, notes, views, brief, compare)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `signals` command (every subcommand, every flag)."""
    parser = argparse.ArgumentParser(prog="signals", description="Load, check, filter, export and analyse "
                                                                 "signal documents.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `signals` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, ValueError) as error:
        print(f"signals: error: {error}", file=sys.stderr)
        return EXIT_USAGE

"""`signals export PATH --out OUT [--format csv|parquet] [--aliases FILE] [filters]`: every table,
filtered, to one xlsx / zip / json file or a folder of csv / parquet files (signals.export), each
row with its annotation from the folder's workspace (signals.cli.notes.workspace_annotations)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from signals.cli.common import EXIT_OK, UsageError, add_corpus_arguments, load_filtered

#: File suffixes that name a whole export; anything else is a folder and needs --format.
SUFFIXES = (".xlsx", ".zip", ".json", ".csv", ".parquet")


def _export(args: argparse.Namespace) -> int:
    from signals import export

    out = Path(args.out)
    if out.suffix.lower() not in SUFFIXES and not args.format:
        raise UsageError(f"--out {args.out}: use a .xlsx, .zip or .json file, or a folder with --format csv|parquet")
    corpus, filtered, filters = load_filtered(args)
    from signals.cli.notes import workspace_annotations

    frames = export.tables_for_export(filtered, corpus, workspace_annotations(args.path, args.workspace))
    export.export_file(frames, out, filters=filters.describe(), fmt=args.format)
    print(f"wrote {out} ({len(filtered.documents)} documents, {len(filtered.items)} rows)", file=sys.stderr)
    if not filters.is_empty and len(corpus.problems):
        print(export.PROBLEMS_SCOPE, file=sys.stderr)
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `signals export` to the `signals` parser."""
    export = subparsers.add_parser("export", help="write every table, filtered, to xlsx / zip / json / csv / parquet")
    export.add_argument("--out", required=True, help="file.xlsx, file.zip, file.json, or a folder with --format")
    export.add_argument("--format", choices=("csv", "parquet"), help="write a folder with a file per table")
    add_corpus_arguments(export)
    export.set_defaults(run=_export)

"""What changed, and what sets a selection apart:

    signals compare PATH --before START..END --after START..END [--by theme|keyword|category] [filters]
    signals compare OLD_DIR NEW_DIR [--by ...] [--table terms|documents|rows] [filters]
    signals distinctive PATH [filters] [--kind theme|keyword|word ...] [--min-docs N] [--top N]

`compare` prints, per theme (keyword, category), the documents in each period (run), their shares
of that period's documents, the change, and a label (new, gone, rising, falling, steady: the rule is
in docs/insights.md); items under the support minimum (label "few") are left out unless --all.
Two folders also list the documents added, removed and changed, and the rows whose relevancy
moved. `distinctive` prints the terms over-represented in the filtered view against the rest.
Analyses are imported when a command runs, never to build the parser.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys

from signals.analysis import parameters
from signals.cli.common import (
    FORMATS,
    UsageError,
    add_corpus_arguments,
    load,
    load_filtered,
    positive_int,
    write_table,
)

TERM_COLUMNS = ("before", "after", "before_share", "after_share", "change", "ratio", "z", "label")
TABLES = ("terms", "documents", "rows")
PLURALS = {"category": "categories"}


def _period(text: str):
    from signals.analysis.compare import Period

    try:
        return Period.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error



def _compared(args: argparse.Namespace):
    """The Comparison (and RunChanges for two folders, else None) the arguments ask for."""
    from signals.analysis.compare import Period, compare_periods, compare_runs, run_changes
    from signals.filters import apply

    if args.new_path:
        if args.before or args.after:
            raise UsageError("two folders are compared as two runs: drop --before / --after")
        _, old, filters = load_filtered(args)
        new_args = copy.copy(args)
        new_args.path = args.new_path
        new = apply(load(new_args), filters)
        comparison = compare_runs(old, new, args.by, min_documents=args.min_docs, ratio=args.ratio,
                                  old_name=str(args.path), new_name=str(args.new_path))
        return comparison, run_changes(old, new)
    if not (args.before and args.after):
        raise UsageError("give --before START..END and --after START..END, or two folders (OLD_DIR NEW_DIR)")
    _, view, _ = load_filtered(args)
    before, after = Period.parse(str(args.before)), Period.parse(str(args.after))
    return compare_periods(view, before, after, args.by, min_documents=args.min_docs, ratio=args.ratio), None


def _compare(args: argparse.Namespace) -> int:
    from signals.analysis.compare import supported
    from signals.wording import counted

    comparison, changes = _compared(args)
    terms = comparison.terms
    shown = terms if args.all else supported(terms)
    print(f"before {comparison.before_name}: {counted(comparison.before_documents, 'document')}; "
          f"after {comparison.after_name}: {counted(comparison.after_documents, 'document')}", file=sys.stderr)
    left_out = len(terms) - len(supported(terms))
    if left_out and not args.all:
        print(f"{counted(len(shown), args.by, PLURALS.get(args.by))} with at least {args.min_docs} documents in the two labelled; "
              f"{left_out:,} with fewer left out (--all lists them, labelled 'few')", file=sys.stderr)
    if args.top:
        shown = shown.head(args.top)
    terms_table = shown[[args.by, *TERM_COLUMNS]]
    if changes is None:
        write_table(terms_table, args.format)
        return 0
    if args.format == "json":
        _write_json({"terms": terms_table, "documents": changes.documents, "rows": changes.rows})
    elif args.format == "csv":
        write_table({"terms": terms_table, "documents": changes.documents, "rows": changes.rows}[args.table], "csv")
    else:
        write_table(terms_table, "text")
        added = (changes.documents["change"] == "added").sum()
        removed = (changes.documents["change"] == "removed").sum()
        changed = (changes.documents["change"] == "changed").sum()
        print(f"\nDocuments: {added:,} added, {removed:,} removed, {changed:,} changed (by content)")
        write_table(changes.documents, "text")
        print(f"\nRows whose relevancy moved: {len(changes.rows):,} (rows of documents in both runs: "
              f"{changes.rows_added:,} added, {changes.rows_removed:,} removed)")
        write_table(changes.rows, "text")
    return 0


def _write_json(tables: dict) -> None:
    import io

    records = {}
    for name, frame in tables.items():
        out = io.StringIO()
        write_table(frame, "json", out)
        records[name] = json.loads(out.getvalue())
    json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _distinctive(args: argparse.Namespace) -> int:
    from signals.analysis.distinctive import distinctive_terms, excluded_by_filters

    corpus, view, filters = load_filtered(args)
    if filters.is_empty:
        print("no filter given: the whole corpus has no rest to set it apart from (add --theme, --category, "
              "--since ...)", file=sys.stderr)
    table = distinctive_terms(view, corpus, tuple(args.kinds or parameters.DISTINCTIVE_KINDS),
                              min_documents=args.min_docs, top=args.top,
                              exclude=excluded_by_filters(filters))
    print(f"{len(view.documents):,} documents in view, {len(corpus.documents) - len(view.documents):,} in the rest",
          file=sys.stderr)
    write_table(table, args.format)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the compare and distinctive subcommands to the `signals` parser."""
    compare = subparsers.add_parser(
        "compare", help="what changed between two periods, or two runs (folders), per theme, keyword or category",
        description="Per item: documents before and after, their shares of each period's documents, the change "
                    "and a label: new, gone, rising, falling, steady (share ratio and a two-proportion test; "
                    "items with too few documents are labelled 'few' and left out). With two folders: also the "
                    "documents added, removed and changed, and the rows whose relevancy moved.")
    compare.add_argument("--format", choices=FORMATS, default="text")
    add_corpus_arguments(compare)
    compare.add_argument("new_path", nargs="?", metavar="NEW_DIR",
                         help="a second folder: compare the two runs (PATH is the old one)")
    compare.add_argument("--before", type=_period, metavar="START..END", help="the earlier period, days included")
    compare.add_argument("--after", type=_period, metavar="START..END", help="the later period")
    compare.add_argument("--by", choices=parameters.COMPARE_BY, default=parameters.COMPARE_BY[0])
    compare.add_argument("--min-docs", "--min-documents", dest="min_docs", type=positive_int,
                         default=parameters.COMPARE_MIN_DOCUMENTS,
                         help="documents in the two together an item needs for a label "
                              f"(default {parameters.COMPARE_MIN_DOCUMENTS})")
    compare.add_argument("--ratio", type=float, default=parameters.COMPARE_RATIO,
                         help=f"share ratio for rising / falling (default {parameters.COMPARE_RATIO})")
    compare.add_argument("--all", action="store_true", help="also list the items with too few documents")
    compare.add_argument("--top", type=positive_int, help="print only the first N items")
    compare.add_argument("--table", choices=TABLES, default="terms",
                         help="two folders, --format csv: which table to print")
    compare.set_defaults(run=_compare)

    distinctive = subparsers.add_parser(
        "distinctive", help="themes, keywords and words over-represented in the filtered view against the rest",
        description="Weighted log-odds with the corpus as an informative Dirichlet prior (Monroe et al. 2008); "
                    "listed when z >= 1.96 and in at least --min-docs documents of the view.")
    distinctive.add_argument("--format", choices=FORMATS, default="text")
    add_corpus_arguments(distinctive)
    distinctive.add_argument("--kind", dest="kinds", action="append", choices=parameters.DISTINCTIVE_KINDS,
                             help="theme, keyword or word (repeatable; default all three)")
    distinctive.add_argument("--min-docs", "--min-documents", dest="min_docs", type=positive_int,
                             default=parameters.DISTINCTIVE_MIN_DOCUMENTS,
                             help=f"documents of the view a term needs (default {parameters.DISTINCTIVE_MIN_DOCUMENTS})")
    distinctive.add_argument("--top", type=positive_int, default=15, help="at most N per kind (default 15)")
    distinctive.set_defaults(run=_distinctive)

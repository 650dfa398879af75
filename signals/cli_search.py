"""`signals search PATH "query" [--top N] [--format text|csv|json]`: documents ranked by words and
meaning together (signals.semantic.search), with the filter flags of the other commands."""

from __future__ import annotations

import argparse
import sys

from signals.cli_insights import _common, _positive, _progress_bar, write_table

DEFAULT_TOP = 10


def _search(args: argparse.Namespace) -> int:
    from signals import cli
    from signals.filters import apply
    from signals.semantic import search

    corpus = cli._load(args.path, args.no_cache, args.workspace, args.aliases)
    filters = cli.filters_from_args(args)
    index = search.open_index(corpus, progress=_progress_bar("embedding documents"))
    within = None if filters.is_empty else set(apply(corpus, filters).documents["doc_id"].astype("str"))
    results = search.search(index, args.query, top=args.top, within=within)
    print(f"{len(results)} documents for {args.query!r} (words: BM25; meaning: embeddings; fused by rank)",
          file=sys.stderr)
    marks = ("[", "]") if args.format == "text" else ("**", "**")
    results["snippet"] = results["snippet"].map(lambda s: search.plain_snippet(s, *marks))
    write_table(results, args.format)
    return 0


def register(subparsers) -> None:
    """Add the `search` subcommand to the `signals` parser."""
    parser = subparsers.add_parser(
        "search", help="documents ranked by words and meaning together, with highlighted snippets",
        description="Ranks documents by the query's words (BM25 over titles, summaries and table rows; "
                    "accents ignored) and by meaning (sentence embeddings of title + summary), fused by "
                    "reciprocal rank. Snippets show the matched words in [brackets] (** in CSV/JSON).")
    _common(parser)
    parser.add_argument("query", help="words or a sentence")
    parser.add_argument("--top", type=_positive, default=DEFAULT_TOP, help=f"documents listed (default {DEFAULT_TOP})")
    parser.set_defaults(run=_search)

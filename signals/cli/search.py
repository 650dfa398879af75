"""`signals search PATH "query" [--top N] [--format text|csv|json]`: documents ranked by words and
meaning together (signals.semantic.search), within the filter flags of the other commands."""

from __future__ import annotations

import argparse
import sys

from signals.cli.common import (
    FORMATS,
    add_corpus_arguments,
    embedding_progress,
    load_filtered,
    positive_int,
    write_table,
)

DEFAULT_TOP = 10


def _search(args: argparse.Namespace) -> int:
    from signals.semantic import search

    corpus, filtered, filters = load_filtered(args)
    index = search.open_index(corpus, progress=embedding_progress("embedding documents"))
    within = None if filters.is_empty else set(filtered.documents["doc_id"].astype("str"))
    results = search.search(index, args.query, top=args.top, within=within)
    print(f"{len(results)} documents for {args.query!r} (words: BM25; meaning: embeddings; fused by rank)",
          file=sys.stderr)
    marks = ("[", "]") if args.format == "text" else ("**", "**")
    results["snippet"] = results["snippet"].map(lambda s: search.plain_snippet(s, *marks))
    write_table(results, args.format)
    return 0



def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `search` subcommand to the `signals` parser."""
    parser = subparsers.add_parser(
        "search", help="documents ranked by words and meaning together, with highlighted snippets",
        description="Ranks documents by the query's words (BM25 over titles, summaries and table rows; "
                    "accents ignored) and by meaning (sentence embeddings of title + summary), fused by "
                    "reciprocal rank. Snippets show the matched words in [brackets] (** in CSV/JSON).")
    parser.add_argument("--format", choices=FORMATS, default="text")
    add_corpus_arguments(parser)
    parser.add_argument("query", help="words or a sentence")
    parser.add_argument("--top", type=positive_int, default=DEFAULT_TOP, help=f"documents listed (default {DEFAULT_TOP})")
    parser.set_defaults(run=_search)

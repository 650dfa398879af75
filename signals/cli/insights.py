"""The analyst-insight subcommands of `signals`:

    signals emerging PATH [--by theme|keyword] [--period month|quarter] [--window N] [--min-docs N] [--top N]
    signals clusters PATH [--section S] [--threshold T] [--method meaning|tfidf|rapidfuzz] [--top N]
    signals themes   PATH [--suggest]
    signals radar    PATH [--out FILE.csv] [--from signals|clusters] [--ring-by relevancy|strength]
                          [--quadrant-by category|type|domain|theme|section] [--top N]

Every one takes the filter flags of `signals export`, `--aliases FILE` (a CSV `alias,theme`, see
signals.aliases; applied with the workspace's theme merges, the file winning), `--workspace FILE`
and `--format text|csv|json` (radar: always CSV, to --out or stdout). `--section` is the usual row
filter; for clusters and radar it also names the section(s) analysed (signals by default). Output
goes to stdout; progress and notes to stderr.

The parsers' choices and defaults come from signals.analysis.parameters; each analysis (and
pandas, scikit-learn...) is imported by the command that runs it, never to build the parser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from signals.analysis import parameters
from signals.cli.common import (
    FORMATS,
    add_corpus_arguments,
    embedding_progress,
    load_filtered,
    positive_int,
    write_table,
)

PERIOD_NAMES = {"month": "M", "quarter": "Q"}
#: The support (documents in the recent window, in the one before) printed beside every score.
EMERGING_COLUMNS = ("score", "recent", "before", "growth", "label", "documents", "first_seen", "last_seen")
CLUSTER_COLUMNS = ("cluster_id", "label", "size", "documents", "domains", "mean_relevancy", "strength", "first_seen",
                   "last_seen", "doc_ids")


def _corpus(args: argparse.Namespace):
    """Load PATH with its theme merges and --aliases, then the filter flags -> the filtered corpus."""
    return load_filtered(args)[1]


def _sections(args: argparse.Namespace) -> tuple[str, ...]:
    return tuple(args.sections) or ("signals",)


def _emerging(args: argparse.Namespace) -> int:
    from signals.analysis.emerging import emerging, supported

    corpus = _corpus(args)
    everything = emerging(corpus, args.by, period=PERIOD_NAMES[args.period], window=args.window, min_documents=0)
    table = supported(everything, args.min_docs)
    left_out = len(everything) - len(table)
    if left_out:
        ranked_plural = "" if len(table) == 1 else "s"
        documents = "document" if args.min_docs == 1 else "documents"
        print(f"{len(table):,} {args.by}{ranked_plural} with at least {args.min_docs} {documents} in the two "
              f"windows ranked; {left_out:,} with fewer left out (--min-docs)", file=sys.stderr)
    if args.top:
        table = table.head(args.top)
    write_table(table[[args.by, *EMERGING_COLUMNS]], args.format)
    return 0


def _clusters(args: argparse.Namespace) -> int:
    import time

    from signals.analysis.clusters import find_clusters

    corpus = _corpus(args)
    started = time.perf_counter()
    found = find_clusters(corpus, _sections(args), args.threshold, method=args.method,
                          min_documents=args.min_documents, progress=embedding_progress("embedding rows"))
    seconds = time.perf_counter() - started
    print(f"{len(found.summary)} clusters among {found.rows:,} rows ({seconds:.1f} s)", file=sys.stderr)
    table = found.summary.head(args.top) if args.top else found.summary
    columns = list(CLUSTER_COLUMNS)
    if len(_sections(args)) > 1:
        columns.insert(1, "section")
    write_table(table[columns], args.format)
    return 0


def _themes(args: argparse.Namespace) -> int:
    from signals.aliases import suggest_synonyms
    from signals.analysis.incidence import encode

    corpus = _corpus(args)
    if args.suggest:
        table = suggest_synonyms(corpus, limit=args.top or None)
        if args.format == "text" and not table.empty:
            print("Likely synonyms; keep the lines you agree with as an aliases file (--format csv writes one):",
                  file=sys.stderr)
    else:
        table = encode(corpus).theme_ranking[["theme", "documents"]]
        if args.top:
            table = table.head(args.top)
    write_table(table, args.format)
    return 0


def _radar(args: argparse.Namespace) -> int:
    from signals.radar import build_radar, quadrant_warning, radar_csv

    corpus = _corpus(args)
    radar = build_radar(
        corpus, args.source, section=_sections(args)[0], ring_by=args.ring_by, quadrant_by=args.quadrant_by,
        top=args.top, threshold=args.threshold, period=PERIOD_NAMES[args.period], window=args.window,
    )
    data = radar_csv(radar)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"wrote {args.out} ({len(radar)} blips)", file=sys.stderr)
    else:
        sys.stdout.write(data.decode("utf-8"))
    warning = quadrant_warning(radar)
    if warning:
        print(f"note: {warning}", file=sys.stderr)
    return 0


def _common(parser: argparse.ArgumentParser, *, formats: bool = True) -> None:
    """PATH, the corpus flags, the filters and (unless `formats` is False) --format."""
    if formats:
        parser.add_argument("--format", choices=FORMATS, default="text")
    add_corpus_arguments(parser)


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from error
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError("threshold is a similarity in (0, 1]")
    return value



def _windows(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", choices=tuple(PERIOD_NAMES), default="month")
    parser.add_argument("--window", type=positive_int,
                        help="periods in the recent window (and in the one before); default 6 months / 2 quarters")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the emerging, clusters, themes and radar subcommands to the `signals` parser."""
    by, min_documents = parameters.EMERGING_BY, parameters.EMERGING_MIN_DOCUMENTS
    threshold, methods = parameters.CLUSTER_THRESHOLD, parameters.CLUSTER_METHODS

    emerging = subparsers.add_parser(
        "emerging", help="themes (or keywords) ranked by how much they are emerging now",
        description="Per theme with enough support: a score (how far its share of documents in the recent "
                    "window is above the corpus's, shrunk towards it for themes with few documents), the "
                    "documents in the recent window and the one before, growth, a label (new, returning, "
                    "growing, steady, fading), all documents, first and last seen. Best score first; ties by "
                    "documents, then name.")
    _common(emerging)
    emerging.add_argument("--by", choices=by, default=by[0])
    _windows(emerging)
    emerging.add_argument("--min-docs", "--min-documents", dest="min_docs", type=positive_int,
                          default=min_documents,
                          help="documents in the two windows a theme needs to be ranked "
                               f"(default {min_documents}; 1 lists every theme seen in them)")
    emerging.add_argument("--top", type=positive_int, help="print only the first N")
    emerging.set_defaults(run=_emerging)

    clusters = subparsers.add_parser(
        "clusters", help="the same signal seen across articles: near-duplicate rows grouped",
        description="Groups rows of a section (--section, signals by default) that say the same thing, "
                    "in whatever words, across documents. Strongest clusters first. The first run embeds "
                    "the rows (cached for the next).")
    _common(clusters)
    clusters.add_argument("--threshold", type=_threshold, default=None,
                          help=f"similarity (0-1) two rows need to link; default {threshold} "
                               f"(meaning: moved by up to -{parameters.CLUSTER_NEEDED_BELOW:g} / "
                               f"+{parameters.CLUSTER_NEEDED_ABOVE:g} with how crowded the rows' "
                               "neighbourhood is), 0.5 (tfidf, rapidfuzz)")
    clusters.add_argument("--method", choices=methods, default=methods[0],
                          help="meaning: sentence embeddings (default); tfidf, rapidfuzz: shared words")
    clusters.add_argument("--min-documents", type=positive_int, default=2, help="documents a cluster spans, at least")
    clusters.add_argument("--top", type=positive_int, help="print only the N strongest")
    clusters.set_defaults(run=_clusters)

    themes = subparsers.add_parser(
        "themes", help="themes with their document counts, or --suggest likely synonyms",
        description="Lists themes (after --aliases). With --suggest: pairs that probably mean the same "
                    "(plural, acronym, near-identical spelling, shared words); `--format csv` prints them "
                    "as an aliases file.")
    _common(themes)
    themes.add_argument("--suggest", action="store_true", help="list likely synonyms instead")
    themes.add_argument("--top", type=positive_int, help="print only the first N")
    themes.set_defaults(run=_themes)

    radar = subparsers.add_parser(
        "radar", help="a Build Your Own Radar CSV of the top signals or clusters",
        description="Writes name,ring,quadrant,isNew,description for Thoughtworks' Build Your Own Radar.")
    _common(radar, formats=False)
    radar.add_argument("--out", metavar="FILE.csv", help="write here (default: stdout)")
    radar.add_argument("--from", dest="source", choices=parameters.RADAR_SOURCES, default="signals",
                       help="blips from table rows (signals) or from clusters of them")
    radar.add_argument("--ring-by", choices=parameters.RADAR_RING_BY,
                       help="default: relevancy for rows, strength for clusters")
    radar.add_argument("--quadrant-by", choices=parameters.RADAR_QUADRANT_BY, default="category")
    radar.add_argument("--top", type=positive_int, default=parameters.RADAR_TOP,
                       help=f"blips, at most (default {parameters.RADAR_TOP})")
    radar.add_argument("--threshold", type=_threshold, default=threshold, help="for --from clusters")
    _windows(radar)
    radar.set_defaults(run=_radar)

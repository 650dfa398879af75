"""The `signals` command: the loader, filters and exports of the dashboard, from a terminal.

    signals check PATH [--format text|json]
    signals export PATH --out OUT [--format csv|parquet] [filters]
    signals synth --docs N --out DIR [--seed S] [--planted]
    signals merges list|add|remove|split|undo|history|import PATH ...   (theme merges, signals.cli_merges)

Every command that reads a corpus applies the theme merges kept in the folder's workspace
(signals.workspace; `--workspace FILE` or $SIGNALS_WORKSPACE to use another file).

Exit codes: 0 fine, 1 problems found (check), 2 usage errors (bad arguments, missing folder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


def _progress_bar(description: str):
    """A tqdm progress callback for load_corpus (shown on a terminal, silent in pipes)."""
    from tqdm import tqdm

    bar = tqdm(total=0, desc=description, unit="file", file=sys.stderr, disable=None, leave=False)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def _load(path: str, no_cache: bool = False, workspace: str | None = None, aliases_file: str | None = None):
    """PATH -> its Corpus with the theme merges of its workspace (and of `aliases_file`, which wins) applied.

    Every command that reads a corpus loads it here, so merges made in the app or with `signals
    merges` show in every output. Notes about the merges (an unreadable workspace) go to stderr.
    """
    from signals.aliases import apply_aliases, read_aliases
    from signals.corpus import load_corpus
    from signals.workspace import WorkspaceLocationError, theme_aliases

    if not Path(path).exists():
        raise _UsageError(f"no such folder or file: {path}")
    file_aliases = {}
    if aliases_file:
        if not Path(aliases_file).is_file():
            raise _UsageError(f"--aliases: no such file: {aliases_file}")
        file_aliases = read_aliases(aliases_file)
    try:
        merges = theme_aliases(path, workspace, file_aliases)
    except WorkspaceLocationError as error:
        raise _UsageError(str(error)) from error
    for note in merges.notes:
        print(f"signals: warning: {note}", file=sys.stderr)
    bar, update = _progress_bar("parsing")
    try:
        corpus = load_corpus(path, use_cache=not no_cache, progress=update)
    finally:
        bar.close()
    return apply_aliases(corpus, merges.mapping)


def add_workspace_argument(parser: argparse.ArgumentParser) -> None:
    """--workspace FILE, for every subcommand that reads a corpus."""
    parser.add_argument("--workspace", metavar="FILE",
                        help="workspace file holding the theme merges (default: one per folder under the user's "
                             "data directory; or $SIGNALS_WORKSPACE)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


def _relevancy(text: str) -> int:
    try:
        value = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from error
    if not 1 <= value <= 5:
        raise argparse.ArgumentTypeError("relevancy is 1-5")
    return value


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The filter flags shared by every subcommand that reads a corpus."""
    group = parser.add_argument_group("filters (repeat a flag for several values)")
    group.add_argument("--theme", action="append", default=[], help="keep documents with this theme")
    group.add_argument("--all-themes", action="store_true", help="documents must have every --theme")
    group.add_argument("--category", action="append", default=[])
    group.add_argument("--type", action="append", default=[], dest="type_")
    group.add_argument("--keyword", action="append", default=[])
    group.add_argument("--domain", action="append", default=[], help="source domain of the article")
    group.add_argument("--section", action="append", default=[], help="signals, concerns, ...")
    group.add_argument("--min-relevancy", type=_relevancy)
    group.add_argument("--max-relevancy", type=_relevancy)
    group.add_argument("--since", type=_date, help="first date, YYYY-MM-DD")
    group.add_argument("--until", type=_date, help="last date, YYYY-MM-DD (inclusive)")
    group.add_argument("--text", default="", help="free text, searched where --text-scope says")
    group.add_argument("--text-scope", choices=("rows", "documents"), default="rows",
                       help="rows: each table row's own text (default); documents: a document's title, "
                            "summary, keywords and themes, keeping all its rows")


def filters_from_args(args: argparse.Namespace):
    """Parsed arguments -> a Filters value."""
    from signals.filters import Filters

    return Filters(
        themes=tuple(args.theme),
        theme_mode="all" if args.all_themes else "any",
        categories=tuple(args.category),
        types=tuple(args.type_),
        keywords=tuple(args.keyword),
        domains=tuple(args.domain),
        sections=tuple(args.section),
        since=args.since,
        until=args.until,
        min_relevancy=args.min_relevancy,
        max_relevancy=args.max_relevancy,
        text=args.text,
        text_scope=args.text_scope,
    )


def _check(args: argparse.Namespace) -> int:
    corpus = _load(args.path, args.no_cache, args.workspace)
    problems = corpus.problems
    rows = corpus.row_counts()
    if args.format == "json":
        report = {
            "documents": len(corpus.documents),
            "rows": rows,
            "problems": [
                {
                    "path": p.path,
                    "line": None if p.line is None or p.line != p.line else int(p.line),
                    "section": None if not isinstance(p.section, str) else p.section,
                    "severity": p.severity,
                    "message": p.message,
                }
                for p in problems.astype(object).where(problems.notna(), None).itertuples(index=False)
            ],
        }
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        out = sys.stdout
        out.write(f"{len(corpus.documents)} documents loaded from {args.path}\n")
        for section, count in rows.items():
            out.write(f"  {section:<16} {count:>8} rows\n")
        if len(problems):
            counts = problems["severity"].value_counts()
            summary = ", ".join(f"{int(counts.get(s, 0))} {s}" for s in counts.index if counts.get(s, 0))
            out.write(f"{len(problems)} problems ({summary}):\n")
            for p in problems.itertuples(index=False):
                line = "" if p.line is None or p.line != p.line else f":{int(p.line)}"
                section = f" [{p.section}]" if isinstance(p.section, str) else ""
                out.write(f"  {p.path}{line}: {p.severity}{section}: {p.message}\n")
        else:
            out.write("no problems\n")
    return EXIT_PROBLEMS if len(problems) else EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from signals import export
    from signals.filters import apply

    corpus = _load(args.path, args.no_cache, args.workspace)
    filters = filters_from_args(args)
    filtered = apply(corpus, filters)
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".zip", ".json", ".csv", ".parquet") and not args.format:
        raise _UsageError(f"--out {args.out}: use a .xlsx, .zip or .json file, or a folder with --format csv|parquet")
    frames = export.tables_for_export(filtered, corpus)
    export.export_file(frames, out, filters=filters.describe(), fmt=args.format)
    print(f"wrote {out} ({len(filtered.documents)} documents, {len(filtered.items)} rows)", file=sys.stderr)
    if not filters.is_empty and len(corpus.problems):
        print(export.PROBLEMS_SCOPE, file=sys.stderr)
    return EXIT_OK


def _synth(args: argparse.Namespace) -> int:
    from signals.synth import write_corpus

    if args.docs < 1:
        raise _UsageError("--docs must be at least 1")
    summary = write_corpus(Path(args.out), args.docs, seed=args.seed, planted=args.planted)
    print(f"wrote {summary['docs']} documents ({summary['bytes'] / 1e6:.1f} MB) to {args.out}", file=sys.stderr)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `signals` command."""
    parser = argparse.ArgumentParser(prog="signals", description="Load, check and export signal documents.")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="load a folder and list every problem with file and line")
    check.add_argument("path")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--no-cache", action="store_true", help="parse every file, ignoring the cache")
    add_workspace_argument(check)
    check.set_defaults(run=_check)

    export_ = commands.add_parser("export", help="write every table, filtered, to xlsx / zip / json / csv / parquet")
    export_.add_argument("path")
    export_.add_argument("--out", required=True, help="file.xlsx, file.zip, file.json, or a folder with --format")
    export_.add_argument("--format", choices=("csv", "parquet"), help="write a folder with a file per table")
    export_.add_argument("--no-cache", action="store_true")
    add_workspace_argument(export_)
    add_filter_arguments(export_)
    export_.set_defaults(run=_export)

    synth = commands.add_parser("synth", help="write a deterministic synthetic corpus")
    synth.add_argument("--docs", type=int, required=True)
    synth.add_argument("--out", required=True)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--planted", action="store_true", help="plant emerging themes and paraphrased signals")
    synth.set_defaults(run=_synth)

    from signals import cli_insights  # emerging, clusters, themes, radar

    cli_insights.register(commands)
    from signals import cli_search  # search

    cli_search.register(commands)
    from signals import cli_merges  # merges list|add|remove|split|undo|history|import

    cli_merges.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `signals` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except _UsageError as error:
        print(f"signals: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as error:
        print(f"signals: error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

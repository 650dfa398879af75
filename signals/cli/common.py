"""What the `signals` subcommands share: exit codes, the corpus arguments (PATH, `--no-cache`,
`--workspace`, `--aliases`), the filter flags (generated from signals.facets), loading a corpus
with its theme merges, and printing a result table.

Imports stay inside functions: every group's `register` imports this module to build the parser,
and `signals --help` must not pay for pandas or the loader.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from signals import facets

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from signals.corpus_type import Corpus
    from signals.filters import Filters

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
#: What the table-printing subcommands write: aligned text, CSV, or a JSON list of records.
FORMATS = ("text", "csv", "json")


class UsageError(Exception):
    """A mistake in the command line that the parser cannot see (a missing folder): exit 2."""


def add_workspace_argument(parser: argparse.ArgumentParser) -> None:
    """--workspace FILE, for every subcommand that reads a corpus."""
    parser.add_argument("--workspace", metavar="FILE",
                        help="workspace file holding the theme merges, annotations and saved views (default: one per folder under the user's "
                             "data directory; or $SIGNALS_WORKSPACE)")


def workspace_store(args: argparse.Namespace):
    """The workspace of args.path (or args.workspace): what `signals merges` and `signals notes` edit."""
    from signals.workspace import open_store

    if not Path(args.path).exists():
        raise ValueError(f"no such folder or file: {args.path}")
    return open_store(args.path, args.workspace)


def reporting_workspace_errors(run):
    """A subcommand whose workspace problems (misplaced, damaged, read-only) end as usage errors
    (exit 2, the message on stderr; refused values are ValueErrors already)."""

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        from signals.workspace import WorkspaceError

        try:
            return run(args)
        except WorkspaceError as error:
            raise ValueError(str(error)) from error

    return wrapped


def add_corpus_arguments(parser: argparse.ArgumentParser, *, filters: bool = True) -> None:
    """PATH, --aliases, --no-cache, --workspace and (unless `filters` is False) the filter flags:
    what every subcommand that reads a corpus takes."""
    parser.add_argument("path", help="folder (or file) of documents")
    parser.add_argument("--aliases", metavar="FILE", help="CSV `alias,theme`: merge these theme spellings first")
    parser.add_argument("--no-cache", action="store_true", help="parse every file, ignoring the cache")
    add_workspace_argument(parser)
    if filters:
        facets.add_arguments(parser)


def _progress_bar(description: str):
    """A tqdm progress callback for load_corpus (shown on a terminal, silent in pipes)."""
    from tqdm import tqdm

    bar = tqdm(total=0, desc=description, unit="file", file=sys.stderr, disable=None, leave=False)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def embedding_progress(what: str):
    """A progress(done, total) callback drawing a tqdm bar on stderr (created at the first call, so
    nothing is drawn when everything is cached)."""
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            if done >= total:
                return
            from tqdm import tqdm

            bar = tqdm(total=total, desc=what, unit="row", file=sys.stderr, disable=None, leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return progress


def load(args: argparse.Namespace) -> Corpus:
    """The corpus at `args.path` with the theme merges of its workspace (`args.workspace`) and of
    `args.aliases` (which wins) applied; `args.no_cache` parses every file again.

    Every command that reads a corpus loads it here, so merges made in the app or with `signals
    merges` show in every output. Notes about the merges (an unreadable workspace) go to stderr.
    """
    from signals.aliases import apply_aliases, read_aliases
    from signals.ingest.load import load_corpus
    from signals.workspace import WorkspaceLocationError, theme_aliases

    path, aliases_file = args.path, getattr(args, "aliases", None)
    if not Path(path).exists():
        raise UsageError(f"no such folder or file: {path}")
    file_aliases = {}
    if aliases_file:
        if not Path(aliases_file).is_file():
            raise UsageError(f"--aliases: no such file: {aliases_file}")
        file_aliases = read_aliases(aliases_file)
    try:
        merges = theme_aliases(path, args.workspace, file_aliases)
    except WorkspaceLocationError as error:
        raise UsageError(str(error)) from error
    for note in merges.notes:
        print(f"signals: warning: {note}", file=sys.stderr)
    bar, update = _progress_bar("parsing")
    try:
        corpus = load_corpus(path, use_cache=not args.no_cache, progress=update)
    finally:
        bar.close()
    return apply_aliases(corpus, merges.mapping)


def filters_from_args(args: argparse.Namespace) -> Filters:
    """The filter flags (facets.add_arguments: their `dest` are the Filters fields) -> a Filters value."""
    from signals.filters import Filters

    given = vars(args)
    values = {name: given[name] for name in facets.field_defaults() if name in given}
    return Filters(**{name: tuple(value) if isinstance(value, list) else value for name, value in values.items()})


def annotation_tables(args: argparse.Namespace, corpus: Corpus, filters: Filters) -> dict | None:
    """What the annotation filter flags (`--starred`, `--status`...) read: the annotations of
    PATH's workspace joined to the corpus's rows (`tables=` of signals.filters.apply); None when no
    such flag is given. A workspace that cannot be read is a usage error: the filter cannot be honoured."""
    from signals.workspace import WorkspaceError, annotations, keys, open_store

    if not any(facet.is_set(filters) for facet in facets.annotation_facets()):
        return None
    try:
        frame = annotations.read(open_store(args.path, getattr(args, "workspace", None)))
    except WorkspaceError as error:
        raise UsageError(f"{error}; the annotation filters cannot be applied") from error
    items = corpus.items if "row_key" in corpus.items.columns else keys.with_row_keys(corpus.items)
    return {facets.ANNOTATIONS: annotations.join_rows(items, frame)}


def load_filtered(args: argparse.Namespace) -> tuple[Corpus, Corpus, Filters]:
    """Load PATH (see `load`), then apply the filter flags (the annotation ones with the folder's
    workspace) -> (whole corpus, filtered corpus, filters)."""
    from signals.filters import apply

    corpus = load(args)
    filters = filters_from_args(args)
    return corpus, apply(corpus, filters, annotation_tables(args, corpus, filters)), filters


def _for_output(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as YYYY-MM-DD, floats to 3 decimals: what text, CSV and JSON print."""
    import pandas as pd

    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].round(3)
    return shown


def write_table(frame: pd.DataFrame, fmt: str, out: TextIO | None = None) -> None:
    """A result frame -> stdout (or `out`) as aligned text, escaped CSV or a JSON list of records
    (nulls for gaps); `fmt` is one of FORMATS."""
    from signals import export

    out = out or sys.stdout
    shown = _for_output(frame)
    if fmt == "csv":
        out.write(export.to_csv_bytes(shown).decode("utf-8"))
    elif fmt == "json":
        records = json.loads(shown.to_json(orient="records", force_ascii=False))
        json.dump(records, out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif shown.empty:
        out.write("(nothing matches)\n")
    else:
        out.write(shown.astype(object).where(shown.notna(), "—").to_string(index=False) + "\n")


def positive_int(text: str) -> int:
    """argparse type for counts and limits (`--top`, `--min-docs`): a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from error
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value

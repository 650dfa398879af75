"""`signals annotate` and `signals notes`: the analyst's annotations, from a terminal (registered by
signals.cli.build_parser). The same workspace as the app, so either sees the other's work:

    signals annotate PATH --doc DOC_ID [--section S --row N | --name TEXT]
                          [--star|--unstar] [--status S] [--impact N] [--likelihood N] [--horizon H]
                          [--tag T ...] [--untag T ...] [--note TEXT|-] [--clear] [--by NAME]
                                         annotate a document, or one of its table rows; with no
                                         change given, print what is kept for it
    signals notes list    PATH [--format text|csv|json]    every annotation, where it is, what it says
    signals notes export  PATH --out notes.csv|notes.json  a notes file to pass around
    signals notes import  PATH FILE [--dry-run]            merge one in: the newest change wins,
                                                           conflicts listed
    signals notes orphans PATH [--format ...]              annotations whose row or document is gone
    signals notes history PATH [--top N] [--format ...]    every annotation change: when, who, what
    signals notes undo    PATH                             revert the last annotation change

`--row N` is the row's number in its section as the Document page shows it (1 for the first);
it is turned into the row's content key when written, so the annotation follows the row when the
pipeline rewrites the document. Each command takes `--workspace FILE` (else $SIGNALS_WORKSPACE,
else the folder's own file). Imports stay inside functions: `signals --help` must not pay for pandas.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signals.cli.common import reporting_workspace_errors, workspace_store

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from signals import Corpus
    from signals.workspace.annotations import Target



def _corpus(args: argparse.Namespace) -> Corpus:
    """PATH's corpus, with its workspace's theme merges (signals.cli.common.load)."""
    from signals.cli.common import load

    return load(args)


def workspace_annotations(path: str, workspace: str | None) -> pd.DataFrame | None:
    """The annotations of PATH's workspace as a frame (signals.workspace.annotations.read), for
    commands that add them to their output (`signals export`). A workspace that cannot be read is
    a warning on stderr and None: the output goes on without annotation columns."""
    from signals.workspace import WorkspaceError, annotations, open_store

    try:
        return annotations.read(open_store(path, workspace))
    except WorkspaceError as error:
        print(f"signals: warning: {error}; the export has no annotation columns", file=sys.stderr)
        return None



# ---------------------------------------------------------------------------------------------
# signals annotate
# ---------------------------------------------------------------------------------------------
def _document_id(corpus: Corpus, given: str) -> str:
    """--doc as typed (the id, or the file's path with its suffix) -> the document's id."""
    from signals import schema

    ids = set(corpus.documents["doc_id"].astype("str"))
    if given in ids:
        return given
    stem = given
    for suffix in schema.DOCUMENT_SUFFIXES:
        stem = stem.removesuffix(suffix)
    if stem in ids:
        return stem
    by_path = corpus.documents.loc[corpus.documents["path"].astype("str") == given, "doc_id"]
    if len(by_path):
        return str(by_path.iloc[0])
    raise ValueError(f"no document {given!r} in {corpus.root or 'the folder'} (`signals export PATH --out "
                     "documents.csv` lists their ids)")


def _rows_listing(rows: pd.DataFrame, limit: int = 12) -> str:
    lines = [f"  {row.section} row {int(row.row) + 1}: {row.label}" for row in rows.head(limit).itertuples()]
    if len(rows) > limit:
        lines.append(f"  ... and {len(rows) - limit} more")
    return "\n".join(lines)


def _target(corpus: Corpus, args: argparse.Namespace) -> Target:
    """The document or row the flags name (--doc, --section, --row, --name), checked against the corpus."""
    from signals import schema
    from signals.workspace import annotations, keys

    doc_id = _document_id(corpus, args.doc)
    if args.row is None and args.name is None:
        if args.section:
            raise ValueError("--section needs --row N or --name TEXT (without them the whole document is annotated)")
        return annotations.document_target(doc_id)
    items = corpus.items
    in_document = items[items["doc_id"].astype("str") == doc_id]
    section = schema.section_slug(args.section) if args.section else None
    if section is not None and section not in set(in_document["section"].astype("str")):
        present = ", ".join(dict.fromkeys(in_document["section"].astype("str"))) or "none"
        raise ValueError(f"document {doc_id} has no {section} rows (its sections: {present})")
    candidates = in_document if section is None else in_document[in_document["section"].astype("str") == section]
    if args.row is not None:
        if section is None:
            raise ValueError("--row needs --section (signals, concerns, behaviors, technologies, issues)")
        chosen = candidates[candidates["row"] == args.row - 1]
        if chosen.empty:
            raise ValueError(f"{section} of document {doc_id} has rows 1-{int(candidates['row'].max()) + 1}, "
                             f"not {args.row}")
    else:
        wanted = keys.normalize(args.name)
        anchors = keys.anchor_columns(in_document).loc[candidates.index]
        chosen = candidates[(anchors["anchor"] == wanted).to_numpy()]
        if chosen.empty:
            raise ValueError(f"no row named {args.name!r} in document {doc_id}"
                             f"{' ' + section if section else ''}; its rows:\n{_rows_listing(candidates)}")
    if len(chosen) > 1:
        raise ValueError(f"{len(chosen)} rows match; give --section and --row:\n{_rows_listing(chosen)}")
    return annotations.row_targets(items, chosen.index)[0]


def _edits(args: argparse.Namespace) -> dict[str, Any]:
    edits: dict[str, Any] = {}
    if args.star is not None:
        edits["starred"] = args.star
    for name in ("status", "impact", "likelihood", "horizon"):
        if getattr(args, name) is not None:
            edits[name] = getattr(args, name)
    if args.tag:
        edits["add_tags"] = args.tag
    if args.untag:
        edits["remove_tags"] = args.untag
    if args.note is not None:
        edits["note"] = sys.stdin.read() if args.note == "-" else args.note
    return edits


def _show(target: Target, stored) -> None:
    print(target.describe())
    if stored is None:
        print("  no annotation (status new, not starred)")
        return
    values = stored.annotation
    lines = [("starred", "yes" if values.starred else "no"), ("status", values.status),
             ("impact", values.impact), ("likelihood", values.likelihood), ("horizon", values.horizon),
             ("tags", "; ".join(values.tags) or None)]
    for name, value in lines:
        print(f"  {name:<10} {'—' if value is None else value}")
    if values.note:
        print("  note")
        for line in values.note.splitlines() or [""]:
            print(f"    {line}")
    print(f"  changed by {stored.updated_by} at {stored.updated_at}")


@reporting_workspace_errors
def _annotate(args: argparse.Namespace) -> int:
    from signals.workspace import annotations

    store = workspace_store(args)
    corpus = _corpus(args)
    target = _target(corpus, args)
    edits = _edits(args)
    if args.clear:
        if edits:
            raise ValueError("--clear removes the annotation: give it alone")
        removed = annotations.clear(store, target, by=args.by)
        print(f"{target.describe()}: {'annotation removed' if removed else 'had no annotation'}", file=sys.stderr)
        return 0
    if not edits:
        _show(target, annotations.get(store, target))
        return 0
    annotations.annotate(store, target, edits, by=args.by)
    _show(target, annotations.get(store, target))
    return 0


# ---------------------------------------------------------------------------------------------
# signals notes ...
# ---------------------------------------------------------------------------------------------
def _write_table(frame: pd.DataFrame, fmt: str) -> None:
    from signals.cli.common import write_table

    write_table(frame, fmt)


def _titles(corpus: Corpus) -> dict[str, str]:
    documents = corpus.documents
    return dict(zip(documents["doc_id"].astype("str"), documents["title"].fillna("").astype("str")))


_LISTED = ["target", "doc_id", "section", "row", "anchor", "starred", "status", "impact", "likelihood",
           "horizon", "tags", "note", "updated_by", "updated_at"]


@reporting_workspace_errors
def _list(args: argparse.Namespace) -> int:
    from signals.workspace import annotations

    store = workspace_store(args)
    frame = annotations.read(store)
    frame = frame.sort_values(["doc_id", "section", "row"], kind="stable", na_position="first")
    print(f"{len(frame):,} annotations in {store.path}", file=sys.stderr)
    _write_table(frame[_LISTED].reset_index(drop=True), args.format)
    return 0


def _format_of(path: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in ("csv", "json"):
        raise ValueError(f"{path}: a notes file is .csv or .json")
    return suffix


@reporting_workspace_errors
def _export(args: argparse.Namespace) -> int:
    from signals.workspace import annotations, exchange

    fmt = _format_of(args.out)
    store = workspace_store(args)
    payload = exchange.export_notes(store, fmt, _titles(_corpus(args)))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target, then renamed: a failed export never leaves half a file.
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(payload)
    partial.replace(out)
    print(f"wrote {out} ({len(annotations.stored(store)):,} annotations)", file=sys.stderr)
    return 0


@reporting_workspace_errors
def _import(args: argparse.Namespace) -> int:
    from signals.workspace import annotations, exchange

    path = Path(args.file)
    if not path.is_file():
        raise ValueError(f"no such file: {args.file}")
    incoming = exchange.read_notes(path.read_bytes(), _format_of(args.file))
    store = workspace_store(args)
    report = exchange.merge(store, incoming, by=args.by, source=path.name, dry_run=args.dry_run)
    if report.conflicts:
        _write_table(report.conflicts_frame(), args.format)
    verb = "would import" if args.dry_run else "imported"
    print(f"{verb} {path.name}: {report.summary}", file=sys.stderr)
    if not args.dry_run:
        corpus = _corpus(args)
        orphaned = annotations.orphans(corpus.items, corpus.documents, annotations.read(store))
        if len(orphaned):
            print(f"{len(orphaned):,} annotations match no document or row of {args.path} "
                  "(`signals notes orphans` lists them)", file=sys.stderr)
    return 0


@reporting_workspace_errors
def _orphans(args: argparse.Namespace) -> int:
    from signals.workspace import annotations

    store = workspace_store(args)
    corpus = _corpus(args)
    found = annotations.orphans(corpus.items, corpus.documents, annotations.read(store))
    found.insert(0, "reason", [annotations.orphan_reason(row) for row in found.to_dict("records")])
    shown = found.drop(columns=["document_present", "anchor_kind", "occurrence"])
    print(f"{len(found):,} orphaned annotations (kept; their row or document is not in {args.path})", file=sys.stderr)
    _write_table(shown, args.format)
    return 0


@reporting_workspace_errors
def _history(args: argparse.Namespace) -> int:
    import pandas as pd

    from signals.workspace import annotations

    entries = annotations.history(workspace_store(args), limit=args.top)
    table = pd.DataFrame(
        [(e.change_id, e.at, e.by, e.target.describe(),
          "(none)" if e.before is None else e.before.describe(),
          "(none)" if e.after is None else e.after.describe(), e.undone_by) for e in entries],
        columns=["change", "at", "by", "target", "before", "after", "undone_by"],
    ).astype({"undone_by": "Int64"})
    _write_table(table, args.format)
    return 0


@reporting_workspace_errors
def _undo(args: argparse.Namespace) -> int:
    from signals.workspace import annotations

    undone = annotations.undo_last(workspace_store(args), by=args.by)
    if undone is None:
        print("no annotation change to undo", file=sys.stderr)
        return 1
    print(f"undid change {undone.id} ({undone.at}, {undone.by}): {undone.summary}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------
def _checked(check):
    """A check of signals.workspace.annotations -> an argparse type (its error in argparse's words)."""

    def parse(text: str) -> str:
        from signals.workspace.annotations import AnnotationError

        try:
            check(text)
        except AnnotationError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return text

    return parse


def _rating(name: str):
    """--impact / --likelihood: 1-5, or `none` to clear."""
    def check(text: str) -> None:
        from signals.workspace.annotations import check_rating

        check_rating(name, text)

    return _checked(check)


def _status(text: str) -> str:
    from signals.workspace.annotations import check_status

    return _checked(check_status)(text)


def _horizon(text: str) -> str:
    from signals.workspace.annotations import check_horizon

    return _checked(check_horizon)(text)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("rows count from 1")
    return value


def _add_common(parser: argparse.ArgumentParser, *, writes: bool, reads_corpus: bool) -> None:
    parser.add_argument("path", help="folder (or file) of documents")
    parser.add_argument("--workspace", metavar="FILE", help="workspace file (default: the folder's own)")
    if writes:
        parser.add_argument("--by", metavar="NAME", help="who made the change (default: the OS user)")
    if reads_corpus:
        parser.add_argument("--no-cache", action="store_true", help="parse every file, ignoring the cache")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `signals annotate` and `signals notes` (with its subcommands) to the `signals` parser."""
    annotate = subparsers.add_parser(
        "annotate", help="star, triage, rate, tag or note a document or one of its table rows",
        description="Annotate a document (--doc alone) or one of its table rows (--section and --row, or "
                    "--name). With no change given, print the annotation kept for it. Rows are found again "
                    "by their content after the pipeline rewrites the document.")
    _add_common(annotate, writes=True, reads_corpus=True)
    where = annotate.add_argument_group("what to annotate")
    where.add_argument("--doc", required=True, metavar="DOC_ID", help="the document's id (or its file's path)")
    where.add_argument("--section", metavar="S", help="signals, concerns, behaviors, technologies, issues")
    where.add_argument("--row", type=_positive, metavar="N", help="the row's number in its section (1 = first), "
                                                                   "as the Document page shows it")
    where.add_argument("--name", metavar="TEXT", help="the row's name (or description, for rows without one); "
                                                      "case, spacing and punctuation do not matter")
    values = annotate.add_argument_group("what to set (fields not given keep their value)")
    star = values.add_mutually_exclusive_group()
    star.add_argument("--star", dest="star", action="store_const", const=True, default=None)
    star.add_argument("--unstar", dest="star", action="store_const", const=False)
    values.add_argument("--status", type=_status, help="new, watch, escalate or dismissed")
    values.add_argument("--impact", type=_rating("impact"), metavar="N", help="1-5, or `none` to clear")
    values.add_argument("--likelihood", type=_rating("likelihood"), metavar="N", help="1-5, or `none` to clear")
    values.add_argument("--horizon", type=_horizon, metavar="H", help="time to impact: <1y, 1-3y, 3-10y, >10y, "
                                                                      "or `none` to clear")
    values.add_argument("--tag", action="append", default=[], metavar="T", help="add a tag (repeat for several)")
    values.add_argument("--untag", action="append", default=[], metavar="T", help="remove a tag")
    values.add_argument("--note", metavar="TEXT", help="the note (replaces it; '' clears; - reads it from stdin)")
    values.add_argument("--clear", action="store_true", help="remove the whole annotation (kept in the history)")
    annotate.set_defaults(run=_annotate)

    group = subparsers.add_parser(
        "notes", help="annotations kept in the folder's workspace: list, export, import, orphans, history, undo",
        description="The analyst's annotations (made here with `signals annotate` or in the app).")
    commands = group.add_subparsers(dest="notes_command", required=True)

    def command(name: str, help_text: str, run, *, writes: bool = False, reads_corpus: bool = False,
                formats: bool = False) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text, description=help_text)
        _add_common(parser, writes=writes, reads_corpus=reads_corpus)
        if formats:
            parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
        parser.set_defaults(run=run)
        return parser

    command("list", "every annotation: where it is, what it says, who changed it when", _list, formats=True)
    exported = command("export", "write every annotation to a notes file (.csv or .json) to pass around", _export,
                       reads_corpus=True)
    exported.add_argument("--out", required=True, metavar="FILE", help="notes.csv or notes.json")
    imported = command("import", "merge a notes file in: the newest change wins; conflicts are listed", _import,
                       writes=True, reads_corpus=True, formats=True)
    imported.add_argument("file", metavar="FILE", help="a notes file (.csv or .json) from `signals notes export`")
    imported.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    command("orphans", "annotations whose row or document is no longer in the folder (kept, never dropped)",
            _orphans, reads_corpus=True, formats=True)
    history = command("history", "every annotation change: when, who, before and after; newest first", _history,
                      formats=True)
    history.add_argument("--top", type=int, help="only the newest N")
    command("undo", "revert the last annotation change (repeat to go further back)", _undo, writes=True)

"""`signals views`: the saved views of a folder's workspace, the same ones the app's sidebar lists
(registered by signals.cli.build_parser):

    signals views list   PATH [--format text|csv|json]   name, filters in words, documents now,
                                                        new since saved, who saved it and when
    signals views save   PATH NAME [filters]            keep the filter flags under NAME
    signals views rename PATH NAME NEW_NAME
    signals views delete PATH NAME

Each takes `--workspace FILE` (else $SIGNALS_WORKSPACE, else the folder's own file). Imports stay
inside functions: `signals --help` must not pay for pandas.
"""

from __future__ import annotations

import argparse
import sys

from signals.cli.common import (
    EXIT_OK,
    FORMATS,
    add_corpus_arguments,
    add_workspace_argument,
    annotation_tables,
    load,
    reporting_workspace_errors,
    workspace_store,
    write_table,
)


def _documents_now(args: argparse.Namespace, corpus, filters) -> list[str]:
    from signals.filters import apply

    return apply(corpus, filters, annotation_tables(args, corpus, filters)).documents["doc_id"].astype("str").tolist()


@reporting_workspace_errors
def _list(args: argparse.Namespace) -> int:
    import pandas as pd

    from signals.workspace import views

    store = workspace_store(args)
    found = views.saved(store)
    if not found:
        print("No saved views (save one in the app's sidebar, or with `signals views save PATH NAME [filters]`).",
              file=sys.stderr)
        return EXIT_OK
    corpus = load(args)
    rows = []
    for view in found:
        now = _documents_now(args, corpus, view.filters)
        rows.append({"name": view.name, "filters": view.filters.summary() or "(none)", "documents": len(now),
                     "new since saved": view.new_since(now), "saved": view.saved_at[:16].replace("T", " "),
                     "by": view.saved_by})
    write_table(pd.DataFrame(rows), args.format)
    return EXIT_OK


@reporting_workspace_errors
def _save(args: argparse.Namespace) -> int:
    from signals.cli.common import filters_from_args
    from signals.workspace import views

    store = workspace_store(args)
    corpus = load(args)
    filters = filters_from_args(args)
    now = _documents_now(args, corpus, filters)
    view = views.save(store, args.name, filters, now, by=args.by)
    print(f"saved view “{view.name}”: {filters.summary() or 'no filters'} ({len(now):,} documents) in {store.path}",
          file=sys.stderr)
    return EXIT_OK


@reporting_workspace_errors
def _rename(args: argparse.Namespace) -> int:
    from signals.workspace import views

    view = views.rename(workspace_store(args), args.name, args.new_name, by=args.by)
    print(f"renamed view “{args.name}” to “{view.name}”", file=sys.stderr)
    return EXIT_OK


@reporting_workspace_errors
def _delete(args: argparse.Namespace) -> int:
    from signals.workspace import views

    view = views.delete(workspace_store(args), args.name, by=args.by)
    print(f"deleted view “{view.name}”", file=sys.stderr)
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `signals views` to the `signals` parser."""
    group = subparsers.add_parser("views", help="saved views: named filters kept in the workspace")
    commands = group.add_subparsers(dest="views_command", required=True)
    listing = commands.add_parser("list", help="every saved view with its documents now and how many are new")
    add_corpus_arguments(listing, filters=False)
    listing.add_argument("--format", choices=FORMATS, default="text")
    listing.set_defaults(run=_list)
    saving = commands.add_parser("save", help="keep the filter flags given under a name")
    add_corpus_arguments(saving)  # PATH first, then NAME
    saving.add_argument("name", metavar="NAME")
    saving.add_argument("--by", help="your name in the history (default: your user name)")
    saving.set_defaults(run=_save)
    for name, run, help_text in (("rename", _rename, "give a saved view another name"),
                                 ("delete", _delete, "remove a saved view")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("path", help="folder (or file) of documents")
        command.add_argument("name", metavar="NAME")
        if name == "rename":
            command.add_argument("new_name", metavar="NEW_NAME")
        add_workspace_argument(command)
        command.add_argument("--by", help="your name in the history (default: your user name)")
        command.set_defaults(run=run)

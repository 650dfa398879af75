"""`signals merges`: the theme merges kept in a folder's workspace, from a terminal. The same store
as the app's Themes page, so either sees the other's work:

    signals merges list    PATH [--format text|csv|json]       current merges (csv: an aliases file)
    signals merges add     PATH THEME [THEME ...] --into NAME   count these themes as NAME
    signals merges remove  PATH ALIAS [ALIAS ...]               an alias counts as itself again
    signals merges split   PATH THEME                           every alias of THEME counts as itself again
    signals merges undo    PATH                                 revert the last change (again: the one before)
    signals merges history PATH [--top N] [--format ...]        every change: when, who, what
    signals merges import  PATH FILE.csv                        an aliases file's pairs become stored merges

Each takes `--workspace FILE` (else $SIGNALS_WORKSPACE, else the folder's default file); the ones
that change something take `--by NAME` (default: the OS user), kept in the history. Every other
command reading PATH applies these merges. Imports stay inside functions: `signals --help` must
not pay for pandas.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from signals.cli.common import FORMATS, reporting_workspace_errors, workspace_store, write_table


@reporting_workspace_errors
def _list(args: argparse.Namespace) -> int:
    import pandas as pd

    from signals.workspace import merges

    store = workspace_store(args)
    found = merges.theme_merges(store)
    table = pd.DataFrame([(m.alias, m.theme, m.created_by, m.created_at) for m in found],
                         columns=["alias", "theme", "merged_by", "merged_at"])
    print(f"{len(found)} theme merges in {store.path}", file=sys.stderr)
    write_table(table, args.format)
    return 0


def _documents_of(corpus, keys: set[str]) -> int:
    themes = corpus.themes
    return int(themes.loc[themes["theme_key"].astype("str").isin(keys), "doc_id"].nunique())


@reporting_workspace_errors
def _add(args: argparse.Namespace) -> int:
    from signals import schema
    from signals.aliases import apply_aliases
    from signals.ingest.load import load_corpus
    from signals.workspace import merges, theme_aliases

    store = workspace_store(args)
    corpus = load_corpus(args.path)
    known = set(corpus.themes["theme_key"].astype("str")) | {schema.theme_key(t) for t in merges.mapping(store).values()}
    for theme in args.themes:
        if schema.theme_key(theme) not in known:
            print(f"note: no document has the theme {theme!r}", file=sys.stderr)
    summary = merges.merge_themes(store, args.themes, args.into, by=args.by)
    merged = apply_aliases(corpus, theme_aliases(args.path, args.workspace).mapping)
    documents = _documents_of(merged, {schema.theme_key(args.into)})
    print(f"{summary}: {documents:,} documents", file=sys.stderr)
    return 0


@reporting_workspace_errors
def _remove(args: argparse.Namespace) -> int:
    from signals.workspace import merges

    print(merges.unmerge(workspace_store(args), args.aliases, by=args.by), file=sys.stderr)
    return 0


@reporting_workspace_errors
def _split(args: argparse.Namespace) -> int:
    from signals.workspace import merges

    print(merges.split(workspace_store(args), args.theme, by=args.by), file=sys.stderr)
    return 0


@reporting_workspace_errors
def _undo(args: argparse.Namespace) -> int:
    undone = workspace_store(args).undo_last(by=args.by)
    if undone is None:
        print("nothing to undo", file=sys.stderr)
        return 1
    print(f"undid change {undone.id} ({undone.at}, {undone.by}): {undone.summary}", file=sys.stderr)
    return 0


@reporting_workspace_errors
def _history(args: argparse.Namespace) -> int:
    import pandas as pd


    changes = workspace_store(args).changes(limit=args.top)
    table = pd.DataFrame(
        [(c.id, c.at, c.by, c.action, c.summary, c.undone_by) for c in changes],
        columns=["change", "at", "by", "action", "summary", "undone_by"],
    ).astype({"undone_by": "Int64"})
    write_table(table, args.format)
    return 0


@reporting_workspace_errors
def _import(args: argparse.Namespace) -> int:
    from signals.aliases import read_aliases
    from signals.workspace import merges

    if not Path(args.file).is_file():
        raise ValueError(f"no such file: {args.file}")
    print(merges.import_aliases(workspace_store(args), read_aliases(args.file), by=args.by), file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `signals merges` and its subcommands to the `signals` parser."""
    group = subparsers.add_parser(
        "merges", help="theme merges kept in the folder's workspace: list, add, remove, split, undo, history",
        description="Theme spellings an analyst merged (here or in the app). Every command reading the "
                    "folder applies them.")
    commands = group.add_subparsers(dest="merges_command", required=True)

    def command(name: str, help_text: str, run, *, writes: bool = True, formats: bool = False):
        parser = commands.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("path", help="folder (or file) of documents")
        parser.add_argument("--workspace", metavar="FILE", help="workspace file (default: the folder's own)")
        if writes:
            parser.add_argument("--by", metavar="NAME", help="who made the change (default: the OS user)")
        if formats:
            parser.add_argument("--format", choices=FORMATS, default="text")
        parser.set_defaults(run=run)
        return parser

    command("list", "the current merges (`--format csv` is an aliases file)", _list, writes=False, formats=True)
    add = command("add", "count several themes as one", _add)
    add.add_argument("themes", nargs="+", metavar="THEME", help="spellings to merge (as listed by `signals themes`)")
    add.add_argument("--into", required=True, metavar="NAME", help="the merged theme's name (may be one of THEME)")
    remove = command("remove", "an alias counts as itself again", _remove)
    remove.add_argument("aliases", nargs="+", metavar="ALIAS")
    split = command("split", "every alias of a theme counts as itself again", _split)
    split.add_argument("theme", metavar="THEME")
    command("undo", "revert the last change (repeat to go further back)", _undo)
    history = command("history", "every change: when, who, what; newest first", _history, writes=False, formats=True)
    history.add_argument("--top", type=int, help="only the newest N")
    imported = command("import", "store an aliases file's pairs as merges (one change)", _import)
    imported.add_argument("file", metavar="FILE.csv", help="CSV `alias,theme` (see `signals themes --suggest`)")

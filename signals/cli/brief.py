"""`signals brief PATH --out brief.md|brief.html|brief.pptx [--format md|html|pptx] [filters]`: a brief
of the filtered view (signals.brief), with the analyst's ratings and notes from the folder's workspace.

    --select top|view|starred|escalated   which signals (default: starred when some are, else top)
    --group theme|cluster                 under their theme, or their same-signal cluster
    --max-signals N                       how many (default 40)
    --themes THEME                        (repeatable) the themes that get a section, in that order
    --title TEXT                          the brief's title
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from signals.brief.options import DEFAULT_MAX_SIGNALS, FORMATS, GROUPINGS, SELECTIONS, format_of
from signals.cli.common import EXIT_OK, UsageError, add_corpus_arguments, load_filtered


def _brief(args: argparse.Namespace) -> int:
    try:
        fmt = format_of(args.out, args.format)
    except ValueError as error:
        raise UsageError(str(error)) from error
    if args.max_signals < 1:
        raise UsageError("--max-signals must be at least 1")
    corpus, view, filters = load_filtered(args)
    from signals.brief.content import build_brief, distinctive_terms_of
    from signals.brief.files import brief_bytes
    from signals.brief.options import BriefOptions
    from signals.cli.notes import workspace_annotations

    options = BriefOptions(select=args.select, group=args.group, max_signals=args.max_signals,
                           themes=tuple(args.themes), title=args.title)
    started = time.perf_counter()
    apart, apart_rule = distinctive_terms_of(filters)
    brief = build_brief(view, corpus, filters, workspace_annotations(args.path, args.workspace), options,
                        what_sets_apart=apart, apart_rule=apart_rule)
    payload = brief_bytes(brief, fmt)
    out = Path(args.out)
    out.write_bytes(payload)
    print(f"wrote {out} ({FORMATS[fmt][2]}; {len(brief.signals)} signals from {len(brief.sources)} documents, "
          f"{time.perf_counter() - started:.1f} s)", file=sys.stderr)
    for note in brief.notes:
        print(f"signals: note: {note}", file=sys.stderr)
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `signals brief` to the `signals` parser."""
    brief = subparsers.add_parser("brief", help="write a brief of the filtered view: Markdown, HTML or PowerPoint")
    brief.add_argument("--out", required=True, help="brief.md, brief.html or brief.pptx")
    brief.add_argument("--format", choices=tuple(FORMATS), help="the format, when --out's suffix does not say it")
    brief.add_argument("--select", choices=SELECTIONS,
                       help="which signals: top (relevancy x documents), view (every row), starred, escalated "
                            "(default: starred when the workspace has starred rows in view, else top)")
    brief.add_argument("--group", choices=GROUPINGS, default="theme", help="group signals by theme or same-signal cluster")
    brief.add_argument("--max-signals", type=int, default=DEFAULT_MAX_SIGNALS, metavar="N",
                       help=f"at most N signals (default {DEFAULT_MAX_SIGNALS})")
    brief.add_argument("--themes", action="append", default=[], metavar="THEME",
                       help="(repeatable) only signals of documents with these themes, a section each, in this order")
    brief.add_argument("--title", help="the brief's title (default: Signals brief)")
    add_corpus_arguments(brief)
    brief.set_defaults(run=_brief)

"""`signals check PATH [--format text|json]`: what loaded, and every problem with file and line.

Exit 0 when nothing is wrong, 1 when there are problems (signals.cli.common.EXIT_PROBLEMS).
"""

from __future__ import annotations

import argparse
import json
import sys

from signals.cli.common import EXIT_OK, EXIT_PROBLEMS, add_workspace_argument, load


def _check(args: argparse.Namespace) -> int:
    corpus = load(args)
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


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `signals check` to the `signals` parser."""
    check = subparsers.add_parser("check", help="load a folder and list every problem with file and line")
    check.add_argument("path")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--no-cache", action="store_true", help="parse every file, ignoring the cache")
    add_workspace_argument(check)
    check.set_defaults(run=_check)

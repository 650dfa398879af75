"""`signals synth --docs N --out DIR [--seed S] [--planted]`: a deterministic synthetic corpus
(signals.synth), for demos, tests and benchmarks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from signals.cli.common import EXIT_OK, UsageError


def _synth(args: argparse.Namespace) -> int:
    from signals.synth import write_corpus

    if args.docs < 1:
        raise UsageError("--docs must be at least 1")
    summary = write_corpus(Path(args.out), args.docs, seed=args.seed, planted=args.planted)
    print(f"wrote {summary['docs']} documents ({summary['bytes'] / 1e6:.1f} MB) to {args.out}", file=sys.stderr)
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `signals synth` to the `signals` parser."""
    synth = subparsers.add_parser("synth", help="write a deterministic synthetic corpus")
    synth.add_argument("--docs", type=int, required=True)
    synth.add_argument("--out", required=True)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--planted", action="store_true", help="plant emerging themes and paraphrased signals")
    synth.set_defaults(run=_synth)

"""`python -m signals.cli ...`: the `signals` command run from a checkout (benchmarks/bench_cli.py)."""

import sys

from signals.cli import main

sys.exit(main())

"""Brief benchmark: a brief of 200 signals at 10,000 documents, in each format, with its charts.

    python benchmarks/bench_brief.py [--corpus DIR | --docs 10000] [--signals 200] [--repeat 3] [--kaleido]

Loads the corpus (signals.synth's, written to a temporary folder unless --corpus names one), then
prints for this machine, each the median of --repeat runs:
  - the reference: a warm load of the same folder (the cache), so that figures taken on a busy
    machine can be compared as ratios;
  - build_brief (the content model) with --select top, grouped by theme and by cluster;
  - the charts rendered by vl-convert (the first render, which starts its engine, apart);
  - each format written from the content and the charts: Markdown, HTML, PowerPoint, and its size;
  - with --kaleido, plotly's static export of one bar chart (kaleido drives a Chrome; here Debian's
    Chromium) for comparison with vl-convert.
Figures go to docs/performance.md by hand; this script is never run as a unit test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signals.brief.charts import brief_charts, chart_specs, render_png
from signals.brief.content import build_brief
from signals.brief.files import brief_bytes
from signals.brief.options import FORMATS, BriefOptions
from signals.filters import Filters
from signals.ingest.load import load_corpus
from signals.synth import write_corpus


def _timed(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="a folder of documents (default: a synthetic corpus of --docs)")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--signals", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kaleido", action="store_true", help="also time plotly + kaleido's static export")
    args = parser.parse_args()

    folder = Path(args.corpus) if args.corpus else Path(tempfile.mkdtemp(prefix="bench-brief-"))
    if not args.corpus:
        write_corpus(folder, args.docs, seed=1)
    corpus = load_corpus(folder)
    _, reference = _timed(lambda: load_corpus(folder), args.repeat)
    print(f"corpus: {folder} ({len(corpus.documents):,} documents, {len(corpus.items):,} rows); "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"reference, warm load:        {reference:7.3f} s")

    options = BriefOptions(select="top", max_signals=args.signals)
    brief, content = _timed(lambda: build_brief(corpus, corpus, Filters(), None, options), args.repeat)
    print(f"content, top by theme:       {content:7.3f} s  ({content / reference:.2f}x the load; "
          f"{len(brief.signals)} signals, {len(brief.groups)} themes, {len(brief.sources)} sources)")
    clustered, by_cluster = _timed(lambda: build_brief(corpus, corpus, Filters(), None,
                                                       BriefOptions(select="top", group="cluster",
                                                                    max_signals=args.signals)), 1)
    print(f"content, top by cluster:     {by_cluster:7.3f} s  ({by_cluster / reference:.2f}x; "
          f"{len(clustered.groups)} groups; once)")

    specs = chart_specs(brief)
    started = time.perf_counter()
    render_png(next(iter(specs.values()))[2])
    print(f"first chart (engine start):  {time.perf_counter() - started:7.3f} s")
    charts, rendering = _timed(lambda: brief_charts(brief), args.repeat)
    print(f"charts ({len(charts)}), vl-convert:     {rendering:7.3f} s  "
          + ", ".join(f"{name} {chart.seconds:.3f} s" for name, chart in charts.items()))
    for fmt in FORMATS:
        payload, seconds = _timed(lambda fmt=fmt: brief_bytes(brief, fmt, charts), args.repeat)
        print(f"{FORMATS[fmt][2].split(' (')[0]:<28} {seconds:7.3f} s  ({seconds / reference:.2f}x; "
              f"{len(payload) / 1024:,.0f} KB)")
    if args.kaleido:
        import plotly.graph_objects as go

        figure = go.Figure(go.Bar(x=[t.documents for t in brief.top_themes], y=[t.theme for t in brief.top_themes],
                                  orientation="h"))
        started = time.perf_counter()
        try:
            figure.to_image(format="png")
            first = time.perf_counter() - started
            _, again = _timed(lambda: figure.to_image(format="png"), args.repeat)
            print(f"plotly + kaleido, one chart: first {first:.3f} s, then {again:.3f} s")
        except Exception as error:  # noqa: BLE001 (kaleido's Chrome failing is a finding, not a crash of the benchmark)
            print(f"plotly + kaleido failed after {time.perf_counter() - started:.3f} s: "
                  f"{type(error).__name__}: {str(error)[:160]}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

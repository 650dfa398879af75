"""Time what the Assessment page computes on a rerun, at scale.

    signals synth --docs 10000 --out /tmp/synth10k --seed 1
    python benchmarks/bench_assessment.py --corpus /tmp/synth10k --annotations 5000

Writes the annotations into a fresh workspace file (bench_annotations' mix: nine in ten on rows,
about 40% of them with both ratings), then times, as the median and minimum of --repeat runs after
one warm-up:

- rated rows: the workspace's revision (every rerun), then, after an annotation change only (the
  page keeps them per view and revision), reading the annotations and joining them to the rows in
  view (`for_rows`, inherited) and `rated_rows`; on every rerun `rated_points` and the figure
  (`charts.assessment_grid`);
- themes: `emerging` (the Emerging page's own cost: the reference) and `theme_points`, kept per
  view by the page, then the figure, on every rerun.

Timings are noisy on a shared machine: compare the ratios to the reference measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench_annotations import _fill

from signals import charts, load_corpus
from signals.analysis import assessment
from signals.analysis import emerging as emergence
from signals.workspace import annotations
from signals.workspace.store import Store


def _time(function, repeat: int) -> tuple[float, float, object]:
    result = function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, min(times) * 1000, result


def _figure(points, names, **axes):
    return charts.assessment_grid(points, zone_names=names, x_title="x", y_title="y", colour_title="c",
                                  hover=[""] * len(points), title="t", **axes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--annotations", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    corpus = load_corpus(args.corpus)
    store = Store.open(Path(tempfile.mkdtemp(prefix="bench-assessment-")) / "workspace.sqlite")
    _fill(store, corpus, args.annotations, args.seed)
    names = assessment.zone_names()
    print(f"{len(corpus.documents):,} documents, {len(corpus.items):,} rows, {args.annotations:,} annotations; "
          f"load average {os.getloadavg()[0]:.1f}")

    rows = []
    revision_ms, revision_min, _ = _time(store.revision, args.repeat)
    rows.append(("store.revision", revision_ms, revision_min))
    read_ms, read_min, frame = _time(lambda: annotations.read(store), args.repeat)
    rows.append(("annotations.read", read_ms, read_min))
    join_ms, join_min, values = _time(lambda: annotations.for_rows(corpus.items, frame, inherit=True), args.repeat)
    rows.append(("for_rows (inherit)", join_ms, join_min))
    rated_ms, rated_min, rated = _time(lambda: assessment.rated_rows(corpus.items, values), args.repeat)
    rows.append(("rated_rows", rated_ms, rated_min))
    points_ms, points_min, points = _time(lambda: assessment.rated_points(rated), args.repeat)
    rows.append(("rated_points", points_ms, points_min))
    rated_axes = {"x_cut": 3.5, "y_cut": 3.5, "x_range": (0.5, 5.5), "y_range": (0.5, 5.5),
                  "colours": charts.HORIZON_COLOURS}
    figure_ms, figure_min, _ = _time(lambda: _figure(points, names, **rated_axes), args.repeat)
    rows.append(("figure (rated)", figure_ms, figure_min))

    reference_ms, reference_min, ranked = _time(lambda: emergence.emerging(corpus, "theme", min_documents=0),
                                                args.repeat)
    rows.append(("emerging (reference, cached per view)", reference_ms, reference_min))
    themes_ms, themes_min, grid = _time(lambda: assessment.theme_points(corpus, ranked), args.repeat)
    rows.append(("theme_points", themes_ms, themes_min))
    theme_axes = {"x_cut": 0.0, "y_cut": grid.relevancy_cut, "x_range": (-3, 3), "y_range": (1, 5),
                  "colours": charts.EMERGING_LABEL_COLOURS}
    theme_figure_ms, theme_figure_min, _ = _time(lambda: _figure(grid.points, names, **theme_axes), args.repeat)
    rows.append(("figure (themes)", theme_figure_ms, theme_figure_min))

    print(f"{len(rated):,} rated rows as {len(points):,} points; {len(grid.points):,} themes placed")
    for name, median, least in rows:
        print(f"  {name:40s} median {median:8.1f} ms   min {least:8.1f} ms")
    changed = read_ms + join_ms + rated_ms
    print(f"rated rows, a rerun (a click): {revision_ms + points_ms + figure_ms:.1f} ms "
          f"({(revision_ms + points_ms + figure_ms) / reference_ms:.2f}x emerging); after an annotation "
          f"change, {changed:.1f} ms more ({changed / reference_ms:.2f}x)")
    print(f"themes, a rerun: {theme_figure_ms:.1f} ms; once per view {reference_ms + themes_ms:.1f} ms "
          f"({(reference_ms + themes_ms) / reference_ms:.2f}x emerging)")

if __name__ == "__main__":
    main()

"""DuckDB over the exported Parquet dataset (docs/scale.md), and DuckDB against pandas in memory.

    signals export CORPUS --out DATASET --format parquet
    python benchmarks/bench_duckdb.py --dataset DATASET [--corpus CORPUS] [--memory-limit 500MB]

1. Out of core: each of the dashboard's heaviest questions asked of the dataset's folders by DuckDB
   in a fresh process with `memory_limit` set: theme x section mean relevancy, theme co-occurrence
   (pairs of themes on one document), and a filtered export (signals rated 4-5 since 2024 of the most
   common theme, written to a Parquet file). Prints the seconds and the process's peak memory.
2. In memory (with --corpus, its cache warm): the app's theme x section aggregate
   (`heatmaps.relevancy_by_theme_section`) and theme co-occurrence (`cooccurrence.theme_cooccurrence`)
   with pandas/numpy, against the same answer from DuckDB reading the loaded frames (no copy), best
   of 3 each.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = {
    "theme x section mean relevancy": """
        SELECT t.theme, i.section, avg(i.relevancy) AS mean_relevancy, count(i.relevancy) AS rated_rows
        FROM read_parquet('{d}/items/**/*.parquet', hive_partitioning = true) i
        JOIN read_parquet('{d}/themes/**/*.parquet', hive_partitioning = true) t USING (doc_id)
        GROUP BY ALL ORDER BY rated_rows DESC""",
    "theme co-occurrence": """
        WITH t AS (SELECT DISTINCT doc_id, theme FROM read_parquet('{d}/themes/**/*.parquet', hive_partitioning = true))
        SELECT a.theme AS theme_a, b.theme AS theme_b, count(*) AS documents
        FROM t a JOIN t b ON a.doc_id = b.doc_id AND a.theme < b.theme
        GROUP BY ALL ORDER BY documents DESC""",
    "filtered export": """
        COPY (
          SELECT i.* FROM read_parquet('{d}/items/**/*.parquet', hive_partitioning = true) i
          WHERE i.section = 'signals' AND i.year >= 2024 AND i.relevancy >= 4
            AND i.doc_id IN (SELECT doc_id FROM read_parquet('{d}/themes/**/*.parquet', hive_partitioning = true)
                             WHERE theme = (SELECT theme FROM read_parquet('{d}/themes/**/*.parquet',
                                            hive_partitioning = true) GROUP BY theme ORDER BY count(*) DESC LIMIT 1))
        ) TO '{out}' (FORMAT parquet)""",
}

_QUERY_CHILD = r"""
import json, resource, sys, time
import duckdb
connection = duckdb.connect()
connection.execute(f"SET memory_limit = '{sys.argv[2]}'")
connection.execute(f"SET temp_directory = '{sys.argv[3]}'")
connection.execute("SET threads = 2")
started = time.perf_counter()
result = connection.sql(sys.argv[1])
rows = len(result.fetchall()) if result is not None else 0
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def out_of_core(dataset: Path, memory_limit: str) -> None:
    """Each query in a fresh process: seconds, result rows, peak memory of the whole process."""
    scratch = Path(tempfile.mkdtemp(prefix="signals-duckdb-"))
    for name, sql in QUERIES.items():
        text = sql.format(d=dataset.as_posix(), out=(scratch / "export.parquet").as_posix())
        result = subprocess.run([sys.executable, "-c", _QUERY_CHILD, text, memory_limit, str(scratch / "spill")],
                                capture_output=True, text=True, check=True)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        rows = figures["rows"] if name != "filtered export" else f"{_parquet_rows(scratch / 'export.parquet'):,} rows written"
        print(f"  {name:<32} {figures['seconds']:6.2f} s  peak {figures['peak_mb']:6.0f} MB  ({rows})")


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def _best(action, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def in_memory(corpus_dir: Path) -> None:
    """The app's aggregates with pandas/numpy against DuckDB over the same loaded frames."""
    import duckdb

    from signals.analysis.cooccurrence import theme_cooccurrence
    from signals.analysis.heatmaps import relevancy_by_theme_section
    from signals.analysis.incidence import encode
    from signals.ingest.load import load_corpus

    corpus = load_corpus(corpus_dir)
    items, themes = corpus.items[["doc_id", "section", "relevancy"]], corpus.themes[["doc_id", "theme"]]
    connection = duckdb.connect()
    connection.execute("SET threads = 2")
    connection.register("items", items)
    connection.register("themes", themes)

    def pandas_grid() -> None:
        encode.__globals__["_ENCODINGS"].clear()  # the app's encoding, made again as on a new view
        relevancy_by_theme_section(corpus, top_n=20)

    def pandas_pairs() -> None:
        encode.__globals__["_ENCODINGS"].clear()
        theme_cooccurrence(corpus, top_n=30)

    grid_sql = """SELECT t.theme, i.section, avg(i.relevancy), count(i.relevancy)
                  FROM items i JOIN themes t USING (doc_id) GROUP BY ALL"""
    pairs_sql = """WITH t AS (SELECT DISTINCT doc_id, theme FROM themes)
                   SELECT a.theme, b.theme, count(*) FROM t a JOIN t b ON a.doc_id = b.doc_id AND a.theme < b.theme
                   GROUP BY ALL"""
    for name, with_pandas, sql in (("theme x section mean relevancy", pandas_grid, grid_sql),
                                   ("theme co-occurrence", pandas_pairs, pairs_sql)):
        pandas_s = _best(with_pandas)
        duck_s = _best(lambda sql=sql: connection.sql(sql).fetchall())
        faster = "pandas" if pandas_s <= duck_s else "DuckDB"
        print(f"  {name:<32} pandas/numpy {pandas_s:6.3f} s   DuckDB {duck_s:6.3f} s   faster: {faster} "
              f"({max(pandas_s, duck_s) / min(pandas_s, duck_s):.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True, help="a folder written by signals export --format parquet")
    parser.add_argument("--corpus", type=Path, help="the corpus folder, for the in-memory comparison")
    parser.add_argument("--memory-limit", default="500MB")
    args = parser.parse_args()
    import os

    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"out of core, DuckDB over {args.dataset} (memory_limit {args.memory_limit}, 2 threads):")
    out_of_core(args.dataset, args.memory_limit)
    if args.corpus:
        print(f"in memory, the app's aggregates on {args.corpus} (best of 3):")
        in_memory(args.corpus)


if __name__ == "__main__":
    main()

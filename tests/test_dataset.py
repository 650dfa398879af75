"""signals.dataset: the exported tables as a Hive-partitioned Parquet dataset, read back by pyarrow and
DuckDB as an engine beyond one machine would read it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds

from signals.dataset import write_dataset
from signals.export import tables_for_export
from signals.ingest.load import load_corpus


def test_items_are_partitioned_by_section_and_year_and_read_back_whole(synthetic_dir: Path, tmp_path: Path) -> None:
    corpus = load_corpus(synthetic_dir, use_cache=False)
    tables = tables_for_export(corpus)
    write_dataset(tables, tmp_path / "out")

    items = tables["items"]
    years = pd.to_datetime(items["document_date"]).dt.year.fillna(0).astype(int)
    expected = {f"section={s}/year={y}" for s, y in zip(items["section"].astype("str"), years, strict=True)}
    folders = {str(p.parent.relative_to(tmp_path / "out" / "items")) for p in (tmp_path / "out" / "items").rglob("*.parquet")}
    assert folders == expected

    back = ds.dataset(tmp_path / "out" / "items", format="parquet", partitioning="hive").to_table().to_pandas()
    assert len(back) == len(items)
    per_cell = back.groupby(["section", "year"], observed=True).size().sort_index()
    wanted = pd.DataFrame({"section": items["section"].astype("str"), "year": years}).groupby(
        ["section", "year"]).size().sort_index()
    assert per_cell.to_dict() == wanted.to_dict()
    # Every table has its folder, the empty ones too (with their columns).
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(tables)


def test_duckdb_answers_theme_by_section_mean_relevancy_over_the_folders(synthetic_dir: Path, tmp_path: Path) -> None:
    corpus = load_corpus(synthetic_dir, use_cache=False)
    write_dataset(tables_for_export(corpus), tmp_path / "out")
    out = (tmp_path / "out").as_posix()
    answer = duckdb.sql(f"""
        SELECT t.theme, i.section, avg(i.relevancy) AS mean, count(i.relevancy) AS rated
        FROM read_parquet('{out}/items/**/*.parquet', hive_partitioning = true) i
        JOIN read_parquet('{out}/themes/**/*.parquet', hive_partitioning = true) t USING (doc_id)
        WHERE i.relevancy IS NOT NULL GROUP BY ALL""").df()
    # The same question asked of the loaded frames with pandas.
    pairs = corpus.items.merge(corpus.themes[["doc_id", "theme"]], on="doc_id").dropna(subset=["relevancy"])
    pairs = pairs.assign(theme=pairs["theme"].astype("str"), section=pairs["section"].astype("str"),
                         relevancy=pairs["relevancy"].astype(float))
    wanted = pairs.groupby(["theme", "section"])["relevancy"].agg(["mean", "count"])
    got = answer.set_index(["theme", "section"]).sort_index()
    assert len(got) == len(wanted)
    pd.testing.assert_series_equal(got["mean"], wanted["mean"].sort_index(), check_names=False)
    assert got["rated"].tolist() == wanted["count"].sort_index().tolist()

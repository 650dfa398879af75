"""Exported tables -> a Hive-partitioned Parquet dataset: a folder per table that engines built for
data beyond one machine's memory (DuckDB, Spark, Polars, Trino) read as it is.

    out/items/section=signals/year=2024/part-0.parquet
    out/documents/year=2024/part-0.parquet
    out/problems/part-0.parquet

Partitions follow the questions the dashboard asks most (a section's rows, a span of years): an
engine reading `section = 'signals' AND year >= 2024` opens only those folders. `year` is the
document's year, `year=0` for an undated document (Hive's null folder, `__HIVE_DEFAULT_PARTITION__`,
made `pd.read_parquet` of the folder fail: "Cannot yet unify dictionaries with nulls", pyarrow 26); the
partition columns live in the folder names, not in the files, and readers put them back. The schema
of every table is in docs/scale.md. pandas and pyarrow only.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

#: The column the year partition is taken from, first found wins: the document's own date, else
#: the date the export puts beside each row of a document.
YEAR_SOURCES = ("date", "document_date")
YEAR = "year"
#: The year folder of undated documents.
UNDATED = 0
#: Column partitioned on before the year, when a table has it (the items: one folder per section).
SECTION = "section"


def partition_columns(frame: pd.DataFrame) -> list[str]:
    """The partition columns a table gets: section (when it has one), then year (when it has a date)."""
    columns = [SECTION] if SECTION in frame.columns else []
    if any(source in frame.columns for source in YEAR_SOURCES):
        columns.append(YEAR)
    return columns


def _partitioned_table(frame: pd.DataFrame) -> tuple[pa.Table, list[str]]:
    """A frame -> (its Arrow table with the partition columns as plain values; their names)."""
    columns = partition_columns(frame)
    frame = frame.copy(deep=False)
    if YEAR in columns:
        source = next(s for s in YEAR_SOURCES if s in frame.columns)
        frame[YEAR] = pd.to_datetime(frame[source], errors="coerce").dt.year.fillna(UNDATED).astype("int16")
    if SECTION in columns:
        # A folder name, not a dictionary code; a row without a section (none from the loader) in
        # `section=`, since a null folder name would fail pandas' reading as the null year did.
        frame[SECTION] = frame[SECTION].astype("str").fillna("")
    return pa.Table.from_pandas(frame, preserve_index=False), columns


def write_dataset(frames: Mapping[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Named tables -> `out_dir/<name>/[section=…/][year=…/]part-N.parquet` each; returns the table folders.

    Each table is written under a temporary name beside its folder, then renamed into place (a
    previous export of the same table is replaced only once the new one is whole).
    """
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in frames.items():
        table, columns = _partitioned_table(frame)
        target = directory / name
        partial = directory / f".{name}.{uuid.uuid4().hex[:8]}.part"
        partitioning = ds.partitioning(pa.schema([table.schema.field(c) for c in columns]), flavor="hive") \
            if columns else None
        if table.num_rows:
            ds.write_dataset(table, partial, format="parquet", partitioning=partitioning,
                             basename_template="part-{i}.parquet", existing_data_behavior="error",
                             max_rows_per_file=1_000_000, max_rows_per_group=256 * 1024)
        else:  # no folder would be made: one empty file keeps the table and its columns
            partial.mkdir()
            pq.write_table(table.drop_columns(columns), partial / "part-0.parquet")
        if target.exists():
            shutil.rmtree(target)
        partial.rename(target)
        written.append(target)
    return written

"""On-disk cache of parsed raw tables, keyed by every file's path, size and modification time.

Layout, in a cache folder of its own (never inside the data folder, which may be read-only):

    <cache root>/<sha of the corpus folder's real path>/
        manifest.json                 {"version", "generation", "rows": {table: n}, "crc32": {table: crc},
                                       "frames": {"day", "rows", "crc32", "categorical", "section_columns"}}
        <table>-<generation>.parquet  one per raw table, plus files-<generation>.parquet
        frames.<frame>.<day>-<generation>.arrow
                                      the Corpus's finished frames as of one day (see below), as
                                      Arrow IPC files (zstd): read back without decoding

The finished frames (what `frames.finalize` derives from the raw tables) are kept too, for the
day they were derived on (future dates are flagged against today): a load that finds every file
unchanged reads them and skips both the raw tables and `finalize`. On the 10k benchmark corpus
that is the difference between 0.40 s and about 0.2 s for a warm load.

A generation is written completely under a fresh name before `manifest.json` is atomically
replaced to point at it, so a reader sees a whole old generation or a whole new one, and two
processes writing at once each leave a consistent set. Anything unreadable or inconsistent is a
miss: the caller re-parses rather than trusting it. Each file's CRC-32 is in the manifest and
checked on every read: Parquet does not notice a flipped bit in compressed data, and one in two
single-bit flips used to load as different text, silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from signals.ingest.raw import RAW_TABLES

CACHE_VERSION = 10  # 4: raw documents carry their own section columns; 5: CRC-32 per file; 6: frames;
# 7: xxh3 content digests; 8: raw text columns as large_string; 9: finished frames as Arrow IPC;
# 10: the same article flagged by its link (duplicate_of, a warning)
CACHE_ENV = "SIGNALS_CACHE_DIR"
_KEEP_GENERATIONS = 2
#: Files younger than this may belong to another process still writing them (a generation, or a
#: temporary manifest about to be renamed): cleaning never removes them.
_IN_FLIGHT_NS = 120 * 10**9


def default_cache_root() -> Path:
    """$SIGNALS_CACHE_DIR, else $XDG_CACHE_HOME/signals-explorer, else ~/.cache/signals-explorer."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "signals-explorer"


def corpus_cache_dir(root: Path, cache_root: Path | None = None) -> Path:
    """The cache folder of one corpus folder."""
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]
    return (cache_root or default_cache_root()) / key


@dataclass
class CachedCorpus:
    """What a cache holds: the fingerprints it was built from and the raw tables."""

    fingerprints: dict[str, tuple[int, int]]  # doc_id -> (size, mtime_ns)
    raw: dict[str, pa.Table]


@dataclass
class CacheEntry:
    """An opened cache: its manifest and the fingerprints of the files it was built from.
    The tables themselves are read on demand (`raw_tables`, `frames`)."""

    cache_dir: Path
    manifest: dict
    fingerprints: dict[str, tuple[int, int]]

    @property
    def generation(self) -> str:
        return self.manifest["generation"]

    def raw_tables(self) -> dict[str, pa.Table] | None:
        """The raw tables, or None when any is missing, truncated or corrupt."""
        try:
            raw = {}
            for name in RAW_TABLES:
                table = _read_checked(self.cache_dir / f"{name}-{self.generation}.parquet", self.manifest["crc32"][name])
                if table is None or table.num_rows != self.manifest["rows"][name]:
                    return None
                raw[name] = table
        except Exception:  # noqa: BLE001 - any damage means "not cached"; the loader re-parses
            return None
        return raw

    def has_frames(self, day: str) -> bool:
        """Whether finished frames derived on `day` are recorded (not yet whether they are intact)."""
        entry = self.manifest.get("frames")
        return bool(entry) and entry.get("day") == day

    def frames(self, day: str, stop: threading.Event | None = None
               ) -> tuple[dict[str, pd.DataFrame], dict[str, list[str]]] | None:
        """(the finished frames, section columns) derived on `day` (YYYYMMDD), or None. `stop`: set,
        the read gives up before its next file (it was started before knowing it would be used)."""
        entry = self.manifest.get("frames")
        if not entry or entry.get("day") != day or self.manifest.get("frames_crc32") != _entry_crc(entry):
            return None
        try:
            frames = {}
            for name, crc in entry["crc32"].items():
                if stop is not None and stop.is_set():
                    return None
                table = _read_checked_frame(self.cache_dir / _frame_file(name, day, self.generation), crc)
                if table is None or table.num_rows != entry["rows"][name]:
                    return None
                frames[name] = table.to_pandas()
            _restore_categories(frames, entry["categorical"])
            return frames, entry["section_columns"]
        except Exception:  # noqa: BLE001 - any damage means "not cached"; the loader derives them again
            return None


def _restore_categories(frames: dict[str, pd.DataFrame], categorical: dict[str, dict[str, dict | None]]) -> None:
    """Give every categorical column back the categories it was written with.

    The row frames' doc_id must share the documents' ids as categories (filters compare codes), and
    the categories are not left to the file format: Parquet, which held these frames before Arrow
    IPC, brought an empty column back as object and a dictionary over 1 MB in order of appearance.
    """
    doc_ids = pd.CategoricalDtype(pd.Index(frames["documents"]["doc_id"].astype("str")).rename(None))
    for name, columns in categorical.items():
        frame = frames[name]
        for column, categories in columns.items():
            dtype = doc_ids if categories is None else pd.CategoricalDtype(
                pd.Index(categories["values"], dtype=categories["dtype"]))
            values = frame[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                frame[column] = values.cat.set_categories(dtype.categories)
            else:
                frame[column] = values.astype(dtype)


def _categories(frame: pd.DataFrame, name: str) -> dict[str, dict | None]:
    """Categorical column -> its categories and their dtype (None for a row frame's doc_id: the
    documents' ids)."""
    kept: dict[str, dict | None] = {}
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            categories = frame[column].cat.categories
            kept[column] = None if column == "doc_id" and name != "documents" else {
                "values": categories.tolist(), "dtype": str(categories.dtype)}
    return kept


def open_entry(cache_dir: Path) -> CacheEntry | None:
    """The cache's manifest and file fingerprints, or None when missing, of another version or damaged."""
    try:
        manifest = json.loads((cache_dir / "manifest.json").read_text())
        if manifest.get("version") != CACHE_VERSION:
            return None
        files_table = _read_checked(cache_dir / f"files-{manifest['generation']}.parquet", manifest["crc32"]["files"])
        if files_table is None:
            return None
        files = files_table.to_pydict()
        if len(files["doc_id"]) != manifest["rows"]["files"]:
            return None
        fingerprints = dict(zip(files["doc_id"], zip(files["size"], files["mtime_ns"])))
    except Exception:  # noqa: BLE001 - any damage means "not cached"; the loader re-parses
        return None
    return CacheEntry(cache_dir, manifest, fingerprints)


def read(cache_dir: Path) -> CachedCorpus | None:
    """The cached corpus, or None when missing, of another version, truncated or corrupt."""
    entry = open_entry(cache_dir)
    raw = entry.raw_tables() if entry is not None else None
    return CachedCorpus(entry.fingerprints, raw) if raw is not None else None


def _entry_crc(entry: dict) -> int:
    return zlib.crc32(json.dumps(entry, sort_keys=True).encode())


def _frame_file(name: str, day: str, generation: str) -> str:
    return f"frames.{name}.{day}-{generation}.arrow"


def add_frames(
    cache_dir: Path, generation: str, day: str, frames: dict[str, pd.DataFrame], section_columns: dict[str, list[str]]
) -> bool:
    """Store the finished frames of `generation` as derived on `day`; False (no exception) if it cannot.

    Written only while the manifest still names `generation` (another process may have written a
    newer one meanwhile); the manifest is replaced atomically, as by `write`.
    """
    try:
        crc32, rows, categorical = {}, {}, {}
        for name, frame in frames.items():
            # One thread: pyarrow's pool of converters refuses work once the interpreter is exiting,
            # and this runs behind a load whose process may be exiting (background_write).
            table = pa.Table.from_pandas(frame, preserve_index=False, nthreads=1)
            crc32[name] = _write_checked_frame(table, cache_dir / _frame_file(name, day, generation))
            rows[name] = table.num_rows
            categorical[name] = _categories(frame, name)
        manifest = json.loads((cache_dir / "manifest.json").read_text())
        if manifest.get("generation") != generation:
            return False
        manifest["frames"] = {"day": day, "rows": rows, "crc32": crc32, "categorical": categorical,
                              "section_columns": section_columns}
        # The entry holds data (categories, section columns): checked like the files are.
        manifest["frames_crc32"] = _entry_crc(manifest["frames"])
        _replace_manifest(cache_dir, manifest)
    except (OSError, ValueError, TypeError, pa.ArrowException):
        return False
    for path in cache_dir.glob(f"frames.*-{generation}.arrow"):
        if f".{day}-" not in path.name:
            path.unlink(missing_ok=True)  # another day's frames of this generation
    return True


def _replace_manifest(cache_dir: Path, manifest: dict) -> None:
    handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix="manifest-", suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        json.dump(manifest, out)
    os.replace(temporary, cache_dir / "manifest.json")


_CRC_PIECE = 8 << 20


def _crc_matches(path: Path, crc: int) -> bool:
    """Whether a file's bytes have the CRC-32 the manifest recorded."""
    # The CRC by pieces, then the file read again from the page cache: holding its bytes while
    # they were decoded added the compressed file (157 MB for the items at 100k) to the peak.
    # Generations are written under new names and never changed in place, so both reads see the same.
    found = 0
    with open(path, "rb") as source:
        while piece := source.read(_CRC_PIECE):
            found = zlib.crc32(piece, found)
    return found == crc


def _read_checked(path: Path, crc: int) -> pa.Table | None:
    """A Parquet file's table when its bytes have the CRC-32 the manifest recorded, else None."""
    if not _crc_matches(path, crc):
        return None
    # ParquetFile.read, not read_table: read_table's scanner hands each column back in pieces of
    # 128 Ki rows (17 for the 2.1 million items at 100k), and pyarrow's take over a column in
    # pieces joins them first: picking one document's 20 rows took 1.4 s a text column, 0.0 s from
    # one piece (issue 15).
    # A column at a time: decoding every column at once held each one's pages and growing buffers
    # together, 290 MB above the items' own 650 MB at 100k (the warm load's peak); one at a time
    # adds about 10 MB and takes as long.
    with pa.OSFile(str(path)) as source:
        parquet = pq.ParquetFile(source)
        names = parquet.schema_arrow.names
        columns = [parquet.read(columns=[name]).column(0) for name in names]
        return pa.Table.from_arrays(columns, schema=parquet.schema_arrow)


def _read_checked_frame(path: Path, crc: int) -> pa.Table | None:
    """A finished frame's Arrow IPC file as a table when its bytes have the recorded CRC-32, else None.

    Why IPC and not Parquet for the finished frames: Parquet's reader decodes every string into
    buffers that grow as they fill, and on a fresh process each new page of them is a page fault:
    at 100,000 documents reading the items took 1.3 s, 440,000 faults for 650 MB of columns. An IPC
    file holds the columns' own buffers, compressed: each is decompressed once into a buffer of its
    final size (0.40 s, 210,000 faults; benchmarks/bench_scale.py, "warm load"). Parquet stays the
    format of the raw tables and of exports, which other engines read."""
    if not _crc_matches(path, crc):
        return None
    with pa.OSFile(str(path)) as source:
        return pa.ipc.open_file(source).read_all()


def _write_checked(table: pa.Table, path: Path) -> int:
    """Write a table as Parquet; return the CRC-32 of the bytes written."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="lz4")
    return _save(sink.getvalue(), path)


def _write_checked_frame(table: pa.Table, path: Path) -> int:
    """Write a finished frame as an Arrow IPC file, zstd-compressed, each column in one piece (a
    column in pieces is joined by every take over it: see _read_checked); return its CRC-32."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table.combine_chunks(), max_chunksize=max(table.num_rows, 1))
    return _save(sink.getvalue(), path)


def _save(data: pa.Buffer, path: Path) -> int:
    with open(path, "wb") as out:
        out.write(data)
    return zlib.crc32(data)


def write(cache_dir: Path, fingerprints: dict[str, tuple[int, int]], raw: dict[str, pa.Table]) -> str | None:
    """Write a new generation and point the manifest at it: its name, or None (and no exception)
    if it cannot."""
    generation = uuid.uuid4().hex[:12]
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # parsed documents: the owner's only
        rows, crc32 = {}, {}
        for name in RAW_TABLES:
            crc32[name] = _write_checked(raw[name], cache_dir / f"{name}-{generation}.parquet")
            rows[name] = raw[name].num_rows
        doc_ids = list(fingerprints)
        files = pa.table({
            "doc_id": pa.array(doc_ids, type=pa.string()),
            "size": pa.array([fingerprints[d][0] for d in doc_ids], type=pa.int64()),
            "mtime_ns": pa.array([fingerprints[d][1] for d in doc_ids], type=pa.int64()),
        })
        crc32["files"] = _write_checked(files, cache_dir / f"files-{generation}.parquet")
        rows["files"] = files.num_rows
        manifest = {"version": CACHE_VERSION, "generation": generation, "rows": rows, "crc32": crc32}
        _replace_manifest(cache_dir, manifest)
    except OSError:
        return None
    _remove_old_generations(cache_dir, generation)
    return generation


def _remove_old_generations(cache_dir: Path, current: str) -> None:
    """Delete all but the newest generations (a reader of an older one may still be reading).

    Recent files are spared: a concurrent writer's half-written generation or temporary manifest
    looks exactly like litter, and deleting it would make that writer's cache update fail.
    """
    settled = time.time_ns() - _IN_FLIGHT_NS
    try:
        by_generation: dict[str, list[Path]] = {}
        for path in cache_dir.iterdir():
            if path.suffix in (".parquet", ".arrow") and "-" in path.stem:
                by_generation.setdefault(path.stem.rsplit("-", 1)[1], []).append(path)
        stale = sorted(
            (g for g in by_generation if g != current),
            key=lambda g: max(p.stat().st_mtime_ns for p in by_generation[g]),
            reverse=True,
        )[_KEEP_GENERATIONS - 1:]
        for generation in stale:
            if max(p.stat().st_mtime_ns for p in by_generation[generation]) > settled:
                continue
            for path in by_generation[generation]:
                path.unlink(missing_ok=True)
        for path in cache_dir.glob("manifest-*.tmp"):
            if path.stat().st_mtime_ns <= settled:
                path.unlink(missing_ok=True)
    except OSError:
        pass

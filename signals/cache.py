"""On-disk cache of parsed raw tables, keyed by every file's path, size and modification time.

Layout, in a cache folder of its own (never inside the data folder, which may be read-only):

    <cache root>/<sha of the corpus folder's real path>/
        manifest.json                 {"version", "generation", "rows": {table: n}, "crc32": {table: crc}}
        <table>-<generation>.parquet  one per raw table, plus files-<generation>.parquet

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
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from signals.rawtables import RAW_TABLES

CACHE_VERSION = 5  # 4: raw documents carry their own section columns; 5: CRC-32 per file
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


def read(cache_dir: Path) -> CachedCorpus | None:
    """The cached corpus, or None when missing, of another version, truncated or corrupt."""
    try:
        manifest = json.loads((cache_dir / "manifest.json").read_text())
        if manifest.get("version") != CACHE_VERSION:
            return None
        generation = manifest["generation"]
        raw = {}
        for name in RAW_TABLES:
            table = _read_checked(cache_dir / f"{name}-{generation}.parquet", manifest["crc32"][name])
            if table is None or table.num_rows != manifest["rows"][name]:
                return None
            raw[name] = table
        files_table = _read_checked(cache_dir / f"files-{generation}.parquet", manifest["crc32"]["files"])
        if files_table is None:
            return None
        files = files_table.to_pydict()
        if len(files["doc_id"]) != manifest["rows"]["files"]:
            return None
        fingerprints = dict(zip(files["doc_id"], zip(files["size"], files["mtime_ns"])))
    except Exception:  # noqa: BLE001 - any damage means "not cached"; the loader re-parses
        return None
    return CachedCorpus(fingerprints, raw)


def _read_checked(path: Path, crc: int) -> pa.Table | None:
    """A Parquet file's table when its bytes have the CRC-32 the manifest recorded, else None."""
    data = path.read_bytes()
    if zlib.crc32(data) != crc:
        return None
    return pq.read_table(pa.BufferReader(data))


def _write_checked(table: pa.Table, path: Path) -> int:
    """Write a table as Parquet; return the CRC-32 of the bytes written."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="lz4")
    data = sink.getvalue()
    with open(path, "wb") as out:
        out.write(data)
    return zlib.crc32(data)


def write(cache_dir: Path, fingerprints: dict[str, tuple[int, int]], raw: dict[str, pa.Table]) -> bool:
    """Write a new generation and point the manifest at it. False (and no exception) if it cannot."""
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
        handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix="manifest-", suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            json.dump(manifest, out)
        os.replace(temporary, cache_dir / "manifest.json")
    except OSError:
        return False
    _remove_old_generations(cache_dir, generation)
    return True


def _remove_old_generations(cache_dir: Path, current: str) -> None:
    """Delete all but the newest generations (a reader of an older one may still be reading).

    Recent files are spared: a concurrent writer's half-written generation or temporary manifest
    looks exactly like litter, and deleting it would make that writer's cache update fail.
    """
    settled = time.time_ns() - _IN_FLIGHT_NS
    try:
        by_generation: dict[str, list[Path]] = {}
        for path in cache_dir.iterdir():
            if path.suffix == ".parquet" and "-" in path.stem:
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

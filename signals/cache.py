"""On-disk cache of parsed raw tables, keyed by every file's path, size and modification time.

Layout, in a cache folder of its own (never inside the data folder, which may be read-only):

    <cache root>/<sha of the corpus folder's real path>/
        manifest.json                 {"version", "generation", "root", "rows": {table: n}}
        <table>-<generation>.parquet  one per raw table, plus files-<generation>.parquet

A generation is written completely under a fresh name before `manifest.json` is atomically
replaced to point at it, so a reader sees a whole old generation or a whole new one, and two
processes writing at once each leave a consistent set. Anything unreadable or inconsistent is a
miss: the caller re-parses rather than trusting it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from signals.rawtables import RAW_TABLES

CACHE_VERSION = 4  # 4: raw documents carry their own section columns
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
            table = pq.read_table(cache_dir / f"{name}-{generation}.parquet")
            if table.num_rows != manifest["rows"][name]:
                return None
            raw[name] = table
        files = pq.read_table(cache_dir / f"files-{generation}.parquet").to_pydict()
        if len(files["doc_id"]) != manifest["rows"]["files"]:
            return None
        fingerprints = dict(zip(files["doc_id"], zip(files["size"], files["mtime_ns"])))
    except Exception:  # noqa: BLE001 - any damage means "not cached"; the loader re-parses
        return None
    return CachedCorpus(fingerprints, raw)


def write(cache_dir: Path, fingerprints: dict[str, tuple[int, int]], raw: dict[str, pa.Table]) -> bool:
    """Write a new generation and point the manifest at it. False (and no exception) if it cannot."""
    generation = uuid.uuid4().hex[:12]
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        rows = {}
        for name in RAW_TABLES:
            pq.write_table(raw[name], cache_dir / f"{name}-{generation}.parquet", compression="lz4")
            rows[name] = raw[name].num_rows
        doc_ids = list(fingerprints)
        files = pa.table({
            "doc_id": pa.array(doc_ids, type=pa.string()),
            "size": pa.array([fingerprints[d][0] for d in doc_ids], type=pa.int64()),
            "mtime_ns": pa.array([fingerprints[d][1] for d in doc_ids], type=pa.int64()),
        })
        pq.write_table(files, cache_dir / f"files-{generation}.parquet", compression="lz4")
        rows["files"] = files.num_rows
        manifest = {"version": CACHE_VERSION, "generation": generation, "rows": rows}
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

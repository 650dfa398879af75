"""Embeddings cached on disk, keyed by the text embedded: only new or changed texts are embedded.

A row's vector depends on its text alone, so the cache is keyed by each text's 64-bit xxh3 digest
rather than by the file it came from: an edited file costs only the rows whose wording changed, a
renamed or copied file costs nothing, and no bookkeeping ties this cache to the loader's tables.
(Hashing is cheap: 0.02 s for the 214,000 rows of the 10k synthetic corpus.)

Layout, inside the corpus's own cache folder (signals.ingest.cache.corpus_cache_dir; never the data folder):

    <corpus cache dir>/semantic/<model>/<name>.npz    digests (uint64, sorted) and vectors (float16, same order)

<model> is signals.semantic.model.FULL or TOKENS (the corpus's, `model.for_corpus`); every function
here takes it (FULL by default), so one model's vectors are never compared with the other's.

`name` is what the texts are ("rows.signals", "documents"). A file is replaced atomically (written
under a temporary name, then renamed), so readers see a whole old file or a whole new one; an
unreadable file is a miss. Vectors are kept as float16: half the memory of float32, and cosine
similarities change by less than 0.002 (measured on the 10k corpus's signal rows).

The file holds every text embedded under that name so far: a filtered view finds its rows there and
adds nothing; an edited row adds its new wording (old wordings stay until the cache folder is
cleared: pruning to the texts of one request would throw away the rest of the corpus whenever a
filtered view asked first).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from signals import memory
from signals.semantic.model import DIMENSIONS, FULL, Progress, embed

SUBFOLDER = "semantic"
#: Texts embedded at a time: each slice's float32 vectors become float16 before the next.
EMBED_SLICE = 65_536
#: Texts embedded at once from which the C allocator's free pages are handed back after
#: (memory.give_back_now). Not after a search's query: a trim walks every arena, and searching took
#: 170 / 854 ms (median / worst of 20) at 100,000 documents with one after each query, 80 / 185 without.
TRIM_AFTER = 10_000


def row_text_array(items: pd.DataFrame, start: int = 0, stop: int | None = None) -> pa.Array:
    """Rows start..stop of a table -> the text embedded per row, as Arrow strings: "name. description",
    either alone where the other is empty, else the label; stripped ("" for a row with none).

    Arrow's kernels, a slice at a time if the caller wants: the search index makes the texts of all
    2.1 million rows of 100,000 documents this way, 131,072 at a time, with no Python string."""
    stop = len(items) if stop is None else min(stop, len(items))

    def column(name: str) -> pa.Array:
        if name not in items.columns:
            return pa.array([""] * (stop - start), type=pa.large_string())
        values = pa.array(items[name].iloc[start:stop].astype("str"), type=pa.large_string(), from_pandas=True)
        return pc.fill_null(values, "")

    name, description = pc.utf8_trim_whitespace(column("name")), pc.utf8_trim_whitespace(column("description"))
    both = pc.and_(pc.not_equal(name, ""), pc.not_equal(description, ""))
    separator = pc.if_else(both, pa.scalar(". ", pa.large_string()), pa.scalar("", pa.large_string()))
    text = pc.binary_join_element_wise(name, description, separator)
    return pc.utf8_trim_whitespace(pc.if_else(pc.equal(text, ""), column("label"), text))


def row_texts(items: pd.DataFrame) -> pd.Series:
    """Table rows -> the text embedded per row (row_text_array), indexed like the rows."""
    return pd.Series(row_text_array(items).to_pylist(), index=items.index, dtype="str")


def document_texts(documents: pd.DataFrame) -> pd.Series:
    """Documents -> the text embedded per document: "title. summary" (either alone when the other
    is missing)."""
    def column(name: str) -> pd.Series:
        if name not in documents.columns:
            return pd.Series("", index=documents.index, dtype="object")
        return documents[name].astype("object").where(documents[name].notna(), "").astype("str").str.strip()

    title, summary = column("title"), column("summary")
    return (title + ". " + summary).where((title != "") & (summary != ""), title + summary)


def digests(texts: Sequence[str]) -> np.ndarray:
    """Texts -> their 64-bit xxh3 digests (uint64), in order."""
    digest = xxhash.xxh3_64_intdigest
    return np.fromiter((digest(t.encode("utf-8", "surrogatepass")) for t in texts), dtype=np.uint64,
                       count=len(texts))


def store_path(cache_dir: Path, name: str, model: str = FULL) -> Path:
    """The store file of `name` texts in a corpus's cache folder (one folder per model)."""
    return cache_dir / SUBFOLDER / model / f"{name}.npz"


def _read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(sorted digests, float16 vectors) of a store file; empty arrays when missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            keys, vectors = stored["digests"], stored["vectors"]
        if keys.dtype == np.uint64 and vectors.shape == (len(keys), DIMENSIONS) and vectors.dtype == np.float16:
            return keys, vectors
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        pass
    return np.empty(0, np.uint64), np.empty((0, DIMENSIONS), np.float16)


def _write(path: Path, keys: np.ndarray, vectors: np.ndarray) -> None:
    """Replace a store file atomically; a folder that cannot be written leaves things uncached."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem + "-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, digests=keys, vectors=vectors)
        os.replace(temporary, path)
    except OSError:
        pass


def stored_digests(cache_dir: Path, name: str, model: str = FULL) -> np.ndarray:
    """The digests (sorted uint64) of the texts stored under `name` (empty when none)."""
    return _read(store_path(cache_dir, name, model))[0]


def embeddings(
    texts: Sequence[str], cache_dir: Path | None, name: str, progress: Progress | None = None,
    model: str = FULL,
) -> np.ndarray:
    """Texts -> float16 array (len(texts) x DIMENSIONS) of unit vectors, in order.

    Texts found in the store (by digest) are read; the others, each distinct text once, are embedded
    (progress(done, total) while they are) and added to the store. cache_dir None: nothing is read
    or written (an uploaded corpus, which has no folder)."""
    texts = [str(t) for t in texts]
    keys = digests(texts)
    path = store_path(cache_dir, name, model) if cache_dir is not None else None
    stored_keys, stored_vectors = _read(path) if path is not None else (np.empty(0, np.uint64), None)
    at = np.searchsorted(stored_keys, keys)
    found = np.zeros(len(keys), dtype=bool)
    if len(stored_keys):
        at = np.minimum(at, len(stored_keys) - 1)
        found = stored_keys[at] == keys
    if found.all():  # one gathered copy (a masked assignment made a second: 450 MB at 100k)
        if progress is not None:
            progress(len(texts), len(texts))
        return stored_vectors[at] if len(texts) else np.empty((0, DIMENSIONS), dtype=np.float16)
    missing = np.flatnonzero(~found)
    new_keys, first = np.unique(keys[missing], return_index=True)
    todo = [texts[i] for i in missing[first]]
    del found, missing, at
    fresh = np.empty((len(todo), DIMENSIONS), dtype=np.float16)
    for start in range(0, len(todo), EMBED_SLICE):  # no float32 copy of every vector at once
        def step(done: int, total: int, start: int = start) -> None:
            progress(start + done, len(todo))

        fresh[start:start + EMBED_SLICE] = embed(todo[start:start + EMBED_SLICE],
                                                 step if progress is not None else None, model)
    stored_keys, stored_vectors = _merged(stored_keys, stored_vectors, new_keys, fresh)
    del fresh
    vectors = stored_vectors[np.searchsorted(stored_keys, keys)]
    if path is not None:
        _write(path, stored_keys, stored_vectors)
    del stored_keys, stored_vectors
    if len(todo) >= TRIM_AFTER:
        memory.give_back_now()  # what the embedding workers freed in their own arenas
    return vectors


def _merged(keys: np.ndarray, vectors: np.ndarray | None, new_keys: np.ndarray,
            new_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A store (sorted digests, vectors) and texts it lacks (sorted digests, vectors) -> one store,
    sorted, in one new copy: concatenating and then sorting made two (900 MB of copies when a day's
    rows joined the 437,000 of 100,000 documents)."""
    if not len(keys):
        return new_keys, new_vectors
    total = len(keys) + len(new_keys)
    is_new = np.zeros(total, dtype=bool)
    is_new[np.searchsorted(keys, new_keys) + np.arange(len(new_keys))] = True
    merged_keys = np.empty(total, dtype=np.uint64)
    merged_keys[is_new], merged_keys[~is_new] = new_keys, keys
    merged_vectors = np.empty((total, DIMENSIONS), dtype=np.float16)
    merged_vectors[is_new] = new_vectors
    merged_vectors[~is_new] = vectors
    return merged_keys, merged_vectors


def rows_key(texts: Sequence[str], documents: np.ndarray, *settings: object) -> str:
    """A key for a result computed from rows: their texts (in order), their documents, the settings."""
    hasher = xxhash.xxh3_128()
    hasher.update(digests(texts).tobytes())
    hasher.update(np.asarray(documents, dtype=np.int64).tobytes())
    hasher.update(repr(settings).encode())
    return hasher.hexdigest()


def cached_arrays(cache_dir: Path | None, name: str, key: str, model: str = FULL) -> dict[str, np.ndarray] | None:
    """Arrays stored under `name` (e.g. "rows.signals.neighbours") when stored for `key`, else None."""
    stored = stored_arrays(cache_dir, name, model)
    if stored is None or str(stored.pop("key", "")) != key:
        return None
    return stored


def stored_arrays(cache_dir: Path | None, name: str, model: str = FULL) -> dict[str, np.ndarray] | None:
    """Whatever arrays are stored under `name`, whichever key they were stored for ("key" among
    them); None when nothing readable is (signals.semantic.growing carries them over to new rows)."""
    if cache_dir is None:
        return None
    try:
        with np.load(store_path(cache_dir, name, model), allow_pickle=False) as stored:
            return {field: stored[field] for field in stored.files}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return None


def keep_arrays(cache_dir: Path | None, name: str, key: str, model: str = FULL, **arrays: np.ndarray) -> None:
    """Store arrays under `name` for `key` (one set per name: the last replaces it), atomically."""
    if cache_dir is None:
        return
    path = store_path(cache_dir, name, model)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem + "-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, key=np.asarray(key), **arrays)
        os.replace(temporary, path)
    except OSError:
        pass


#: Where a stored frame's key sits in its Parquet file's metadata.
_FRAME_KEY = b"signals_key"


def frame_path(cache_dir: Path, name: str, frame: str, model: str = FULL) -> Path:
    """The Parquet file of one frame of a result stored under `name` (beside the model's vectors)."""
    return cache_dir / SUBFOLDER / model / f"{name}.{frame}.parquet"


def cached_frames(cache_dir: Path | None, name: str, key: str, frames: Sequence[str],
                  model: str = FULL) -> dict[str, pd.DataFrame] | None:
    """The frames stored under `name` when every one of them was stored for `key`, else None."""
    if cache_dir is None:
        return None
    import pyarrow.parquet as pq

    found = {}
    for frame in frames:
        try:
            table = pq.read_table(frame_path(cache_dir, name, frame, model))
        except (OSError, ValueError):
            return None
        if (table.schema.metadata or {}).get(_FRAME_KEY) != key.encode():
            return None
        found[frame] = table.to_pandas()
    return found


def keep_frames(cache_dir: Path | None, name: str, key: str, model: str = FULL, **frames: pd.DataFrame) -> None:
    """Store frames under `name` for `key` (the last replaces the one before), each atomically; a
    reader mixing an old and a new file sees two keys and takes it as a miss."""
    if cache_dir is None:
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    for frame, data in frames.items():
        path = frame_path(cache_dir, name, frame, model)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            table = pa.Table.from_pandas(data, preserve_index=False)
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), _FRAME_KEY: key.encode()})
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem + "-", suffix=".tmp")
            os.close(handle)
            pq.write_table(table, temporary)
            os.replace(temporary, path)
        except OSError:
            return


def corpus_cache_dir(root: str) -> Path | None:
    """The cache folder of a corpus loaded from folder `root` (None for a corpus without one)."""
    if not root:
        return None
    from signals.ingest.cache import corpus_cache_dir as cache_dir_of

    return cache_dir_of(Path(root))

"""The data folder: list it, read each file once, fingerprint and decode what was read.

The only module of the loader that touches the data folder (the cache lives elsewhere, see
`cache`). No pandas and no pyarrow: it runs in the parser worker processes.

    discover(root)    -> [(absolute path, doc_id, display path, size, changed_ns)], sorted by doc_id
    read(location)    -> Read(data, stamp, error): the bytes, and (size, changed_ns) as opened
    decode(data)      -> (text, problem): what the line parser reads
    batch_text(data)  -> the UTF-8 bytes the batch parser reads, or None
    content_digest(data), changed_ns(stat)
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import xxhash

from signals import schema

#: How a file that could not be opened or read starts its problem message (the cache keys on it).
UNREADABLE = "cannot read file"

#: A file's fingerprint for the cache: (size, changed_ns); (-1, -1) when it could not be read.
Stamp = tuple[int, int]
NO_STAMP: Stamp = (-1, -1)

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def changed_ns(stat: os.stat_result) -> int:
    """When a file last changed, for the cache key: the later of its mtime and ctime.

    mtime alone can be set back (`touch -r`, `cp -p`, an editor or sync tool that keeps it): a
    same-size edit would then be served from the cache, stale. ctime cannot be set, and moves on
    every write (and on chmod or a new hard link, which cost a re-parse, never a stale row).
    """
    return max(stat.st_mtime_ns, stat.st_ctime_ns)


def content_digest(data: bytes) -> str:
    """A file's bytes -> the digest that tells two files with the same bytes (duplicates).

    xxHash's XXH3, 128 bits: 1.2 us for an 8 KB document where blake2b took 12 us (a tenth of
    the parse cost per document, measured on the 10k corpus). Not a defence against crafted
    collisions, which could at worst flag a document as a duplicate (both are kept).
    """
    return xxhash.xxh3_128_hexdigest(data)


# ---------------------------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------------------------
def discover(
    root: Path, within: Sequence[Path] | None = None, stat: bool = True,
) -> list[tuple[str, str, str, int, int]]:
    """A folder -> [(absolute path, doc_id, display path, size, changed_ns)] of its documents, sorted.

    Recursive; follows directory symlinks but never the same real directory twice (no loops);
    skips hidden folders. A single file is a corpus of one. With `within` (resolved folders, the
    app's allow-list), a symbolic link is followed only when its target lies inside one of them.
    `stat=False`: size and changed_ns are -1 (a load that parses every file takes them as it
    reads each one: a stat per file was half of listing 10k files).
    """
    if root.is_file():
        status = root.stat()
        return [(str(root), root.stem, root.name, status.st_size, changed_ns(status))]
    found = []
    seen_dirs: set[tuple[int, int]] = set()
    # (folder, its path relative to root with a trailing "/"): relative paths by concatenation, as
    # os.path.relpath per file took 40% of a warm load's discovery on 10k files.
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            folder_stat = folder.stat()
            key = (folder_stat.st_dev, folder_stat.st_ino)
            if key in seen_dirs:
                continue
            seen_dirs.add(key)
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if within is not None and entry.is_symlink() and not _inside(entry.path, within):
                    continue
                if entry.is_dir():
                    if not name.startswith("."):
                        stack.append((Path(entry.path), f"{prefix}{name}/"))
                    continue
                if not name.lower().endswith(schema.DOCUMENT_SUFFIXES) or not entry.is_file():
                    continue
                if stat:
                    status = entry.stat()
                    size, changed = status.st_size, changed_ns(status)
                else:
                    size = changed = -1
            except OSError:
                continue
            relative = prefix + name
            doc_id = relative.rsplit(".", 1)[0]
            found.append((entry.path, doc_id, relative, size, changed))
    found.sort(key=lambda f: f[1])
    # `a.md` beside `a.txt` would share the doc_id `a` (mixing their rows and their cache
    # fingerprint): such files keep their extension in the doc_id.
    uses = Counter(f[1] for f in found)
    if len(uses) < len(found):
        shared = {doc_id for doc_id, count in uses.items() if count > 1}
        found = [(loc, rel if doc_id in shared else doc_id, rel, size, mtime) for loc, doc_id, rel, size, mtime in found]
        found.sort(key=lambda f: f[1])
    return found


def _inside(path: str, folders: Sequence[Path]) -> bool:
    real = Path(os.path.realpath(path))
    return any(real == folder or folder in real.parents for folder in folders)


# ---------------------------------------------------------------------------------------------
# Reading: once per file
# ---------------------------------------------------------------------------------------------
class Read(NamedTuple):
    """One file as read: its bytes (None when it could not be read), its stamp as it was opened
    (the cache's key for exactly what was parsed), and why it could not be read."""

    data: bytes | None
    stamp: Stamp
    error: str | None = None


def read(location: str) -> Read:
    """A file's bytes and (size, changed_ns) from the open file, with os-level calls (a third
    cheaper than open().read() on small files). Never raises: an OSError is `error`."""
    try:
        handle = os.open(location, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError as error:
        return Read(None, NO_STAMP, str(error.strerror or error))
    try:
        status = os.fstat(handle)
        size = status.st_size
        data = os.read(handle, size + 1)
        if len(data) != size:  # short read, or the file changed size: read to the end
            chunks = [data]
            while chunk := os.read(handle, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
        return Read(data, (size, changed_ns(status)))
    except OSError as error:
        return Read(None, NO_STAMP, str(error.strerror or error))
    finally:
        os.close(handle)


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------
def decode(data: bytes) -> tuple[str | None, tuple[int, str, str] | None]:
    """File bytes -> (text or None, a problem (line, severity, message) or None).

    UTF-8 (with or without a byte-order mark) and UTF-16 with a BOM are read as such; other bytes
    fall back to cp1252, then latin-1, with a warning naming the line of the first bad byte.
    Binary content (NUL bytes in UTF-8/8-bit text) is refused.
    """
    utf8_bom = _BOMS[0][0]
    if data.startswith(utf8_bom):
        # UTF-8 with a BOM and a stray bad byte: the same cp1252 fallback as without the BOM,
        # not a skipped file.
        data = data[len(utf8_bom):]
    else:
        for bom, encoding in _BOMS[1:]:
            if data.startswith(bom):
                try:
                    return data[len(bom):].decode(encoding), None
                except UnicodeDecodeError as error:
                    return None, (1, "error",
                                  f"starts with a {encoding} byte-order mark but is not {encoding}: {error}")
    if b"\x00" in data[:65536]:
        return None, (1, "error", "binary file (contains NUL bytes), not a text document; skipped")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        for fallback in ("cp1252", "latin-1"):
            try:
                text = data.decode(fallback)
            except UnicodeDecodeError:
                continue
            return text, (line, "warning", f"not valid UTF-8 (first bad byte at line {line}); decoded as {fallback}")
    return None, (1, "error", "undecodable")  # pragma: no cover - latin-1 decodes any bytes


def batch_text(data: bytes) -> bytes | None:
    """A file's bytes -> the text the batch parser reads: UTF-8 bytes without the BOM, line breaks
    as LF (what `decode` then lineparse.normalize_newlines make of them), when the file may be a
    regular document (it starts with its title line); else None (it goes to the line parser)."""
    if data[:3] == _BOMS[0][0]:
        data = data[3:]  # decode drops it
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data if data[:1] == b"#" else None

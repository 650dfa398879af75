"""Uploaded files (single documents or .zip archives) -> a private folder of documents, safely.

No Streamlit here: the app hands over (name, bytes) pairs. Nothing is written outside the
temporary folder made for the upload; zip entries with absolute paths or `..` are refused, and
archives whose entries would expand past a limit (zip bombs) are refused before extraction.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from signals import schema

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_EXPANDED_BYTES = 500 * 1024 * 1024
MAX_FILES = 100_000
MAX_RATIO = 200  # uncompressed / compressed, per entry


@dataclass
class UploadResult:
    """Where the accepted documents were written, and a message per refused file."""

    folder: Path
    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _safe_relative(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        return None
    parts = [p for p in path.parts if p not in ("", ".")]
    return PurePosixPath(*parts) if parts else None


def _is_document(name: str) -> bool:
    return name.lower().endswith(schema.DOCUMENT_SUFFIXES)


def _archive_folder(name: str) -> str:
    """An uploaded archive's name -> the folder its entries go to: its stem, never a path.

    (`Path("...zip").stem` is `..`: an archive named so would have unpacked beside the upload folder.)
    """
    stem = PurePosixPath(name.replace("\\", "/")).name
    stem = stem[:-4] if stem.lower().endswith(".zip") else stem
    stem = stem.strip().strip(".")
    return stem if stem and "\x00" not in stem else "archive"


def _write(destination: Path, data: bytes, shown: str, result: UploadResult) -> bool:
    """Write one accepted file; a name the file system refuses (too long, a file where a folder
    should be) is a message, not an exception."""
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    except (OSError, ValueError) as error:
        result.refused.append(f"{shown}: cannot be saved ({getattr(error, 'strerror', None) or error}); skipped")
        return False
    return True


def save_uploads(files: list[tuple[str, bytes]], folder: Path | None = None) -> UploadResult:
    """[(file name, content)] -> documents written under a fresh temporary folder (or `folder`)."""
    target = folder or Path(tempfile.mkdtemp(prefix="signals-upload-"))
    result = UploadResult(target)
    total = 0
    for name, data in files:
        if len(data) > MAX_FILE_BYTES and not name.lower().endswith(".zip"):
            result.refused.append(f"{name}: {len(data) / 1e6:.1f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit")
            continue
        if name.lower().endswith(".zip"):
            total += _extract_zip(name, data, target, result, MAX_EXPANDED_BYTES - total)
            continue
        relative = _safe_relative(name)
        if relative is None or not _is_document(name):
            result.refused.append(f"{name}: not a .md, .markdown or .txt document")
            continue
        if b"\x00" in data[:8192]:
            result.refused.append(f"{name}: binary content, not a text document")
            continue
        total += len(data)
        if total > MAX_EXPANDED_BYTES:
            result.refused.append(f"{name}: uploads exceed {MAX_EXPANDED_BYTES // 2**20} MB in all")
            continue
        if _write(target / relative, data, name, result):
            result.accepted.append(str(relative))
    return result


def _extract_zip(name: str, data: bytes, target: Path, result: UploadResult, budget: int) -> int:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except Exception as error:  # noqa: BLE001 - BadZipFile, EOFError, NotImplementedError...: any of them
        result.refused.append(f"{name}: not a readable zip archive ({error})")
        return 0
    if len(entries) > MAX_FILES:
        result.refused.append(f"{name}: {len(entries):,} entries is over the {MAX_FILES:,} limit")
        return 0
    # Not ZipInfo.is_dir(): it raises IndexError on an entry with an empty name.
    entries = [e for e in entries if not e.filename.endswith("/")]
    declared = sum(e.file_size for e in entries)
    if declared > budget:
        result.refused.append(
            f"{name}: would expand to {declared / 1e6:.0f} MB, over the {MAX_EXPANDED_BYTES // 2**20} MB limit"
        )
        return 0
    written = 0
    for entry in entries:
        relative = _safe_relative(entry.filename)
        if relative is None:
            result.refused.append(f"{name}: entry {entry.filename!r} has an absolute or '..' path; skipped")
            continue
        if relative.name.startswith(".") or any(part.startswith(".") for part in relative.parts[:-1]):
            continue  # .DS_Store, __MACOSX/._x.md and the like: system litter, not the user's files
        if not _is_document(entry.filename):
            result.refused.append(f"{name}: entry {entry.filename!r} is not a .md, .markdown or .txt document; skipped")
            continue
        if entry.compress_size and entry.file_size / max(entry.compress_size, 1) > MAX_RATIO and entry.file_size > 2**20:
            result.refused.append(f"{name}: entry {entry.filename!r} expands {MAX_RATIO}x+ (zip bomb?); skipped")
            continue
        try:
            with archive.open(entry) as source:
                # Read at most the declared size + 1: a lying header cannot make us write more.
                content = source.read(entry.file_size + 1)
        except Exception as error:  # noqa: BLE001 - zlib.error, NotImplementedError, EOFError...: an
            # untrusted archive may fail in any way its decompressor can; each is a message.
            result.refused.append(f"{name}: entry {entry.filename!r} unreadable ({error}); skipped")
            continue
        if len(content) > entry.file_size or written + len(content) > budget:
            result.refused.append(f"{name}: entry {entry.filename!r} larger than declared; skipped")
            continue
        if b"\x00" in content[:8192]:
            result.refused.append(f"{name}: entry {entry.filename!r} has binary content, not a text document; skipped")
            continue
        folder = _archive_folder(name)
        if _write(target / folder / relative, content, f"{name}: entry {entry.filename!r}", result):
            written += len(content)
            result.accepted.append(str(PurePosixPath(folder) / relative))
    return written

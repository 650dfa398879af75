"""Mutations of real documents for fuzzing the loader (tests/ingest/test_fuzz.py, benchmarks/fuzz_loader.py).

Each mutation takes the document's bytes and a `random.Random` (hypothesis's `st.randoms()` in the
test, a seeded one in the benchmark) and returns new bytes: the damage that copying, syncing,
hand-editing and bad tools do to files.
"""

from __future__ import annotations

import random


def truncate(data: bytes, rng: random.Random) -> bytes:
    """Cut the file anywhere (a copy interrupted, a disk full)."""
    return data[: rng.randrange(len(data) + 1)]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    """Overwrite one to eight bytes with any byte values (bit rot, a bad editor)."""
    if not data:
        return data
    mutable = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        mutable[rng.randrange(len(mutable))] = rng.randrange(256)
    return bytes(mutable)


def flip_structure(data: bytes, rng: random.Random) -> bytes:
    """Overwrite bytes with the format's own characters (`|`, `-`, `#`, `:`, newline, `\\`, space)."""
    if not data:
        return data
    mutable = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        mutable[rng.randrange(len(mutable))] = rng.choice(b"|-#:\n\\ *\t\r`>")
    return bytes(mutable)


def shuffle_lines(data: bytes, rng: random.Random) -> bytes:
    """Shuffle all lines, a window of them, or swap two (a bad merge)."""
    lines = data.split(b"\n")
    choice = rng.randrange(3)
    if choice == 0:
        rng.shuffle(lines)
    elif choice == 1 and len(lines) > 2:
        start = rng.randrange(len(lines) - 1)
        end = rng.randrange(start + 1, min(len(lines), start + 12) + 1)
        window = lines[start:end]
        rng.shuffle(window)
        lines[start:end] = window
    elif len(lines) > 1:
        a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[a], lines[b] = lines[b], lines[a]
    return b"\n".join(lines)


def double_separators(data: bytes, rng: random.Random) -> bytes:
    """Double some of the separators: pipes, newlines, delimiter rows, heading hashes."""
    choice = rng.randrange(4)
    if choice == 0:
        return _double_some(data, b"|", rng)
    if choice == 1:
        return _double_some(data, b"\n", rng)
    if choice == 2:
        lines = data.split(b"\n")
        delimiters = [k for k, line in enumerate(lines) if line.startswith((b"|-", b"|:"))]
        for k in sorted(rng.sample(delimiters, min(len(delimiters), rng.randint(1, 3))), reverse=True):
            lines.insert(k, lines[k])
        return b"\n".join(lines)
    return _double_some(data, b"#", rng)


def _double_some(data: bytes, separator: bytes, rng: random.Random) -> bytes:
    parts = data.split(separator)
    if len(parts) < 2:
        return data
    rate = rng.choice((0.02, 0.1, 0.5, 1.0))
    out = [parts[0]]
    for part in parts[1:]:
        out.append(separator * 2 if rng.random() < rate else separator)
        out.append(part)
    return b"".join(out)


def edit_lines(data: bytes, rng: random.Random) -> bytes:
    """Delete, duplicate or blank a few lines; or switch line ends to CRLF or CR."""
    choice = rng.randrange(4)
    if choice == 3:
        return data.replace(b"\n", rng.choice((b"\r\n", b"\r")))
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        k = rng.randrange(len(lines))
        if choice == 0:
            del lines[k]
        elif choice == 1:
            lines.insert(k, lines[k])
        else:
            lines[k] = b""
    return b"\n".join(lines)


MUTATIONS = {
    "truncate": truncate,
    "flip_bytes": flip_bytes,
    "flip_structure": flip_structure,
    "shuffle_lines": shuffle_lines,
    "double_separators": double_separators,
    "edit_lines": edit_lines,
}


def mutate(data: bytes, names: list[str], rng: random.Random) -> bytes:
    """Apply the named mutations in order."""
    for name in names:
        data = MUTATIONS[name](data, rng)
    return data

"""Numbers in words for captions, labels and CLI messages: "1 row", "2 rows", "1,204 documents"."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`number` and its noun, singular for exactly one: counted(1, "row") -> "1 row",
    counted(1204, "document") -> "1,204 documents", counted(2, "blip", "blips")."""
    number = int(number)
    return f"{number:,} {noun if number == 1 else (plural or noun + 's')}"

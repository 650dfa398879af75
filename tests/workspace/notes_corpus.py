"""Small signal documents written by hand, for the annotation tests: a document's rows can be
rewritten (reordered, added, removed) the way a pipeline re-run rewrites them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

Row = tuple[str, str, int]  # name, description, relevancy


def document_text(title: str, signals: Sequence[Row], concerns: Sequence[Row] = (),
                  technologies: Sequence[tuple[str, int]] = ()) -> str:
    """A document in the pipeline's format; technologies have no name (description, relevancy)."""
    lines = [f"# __{title}__, (from page [20250105](https://example.org/p/20250105).)", "",
             "__[External link](https://www.example.com/article)__", "", "## Themes", "", "* energy", "",
             "## Summary", "", f"About {title}.", ""]
    for heading, rows in (("Signals", signals), ("Concerns", concerns)):
        if rows:
            lines += [f"## {heading}", "", "| name | description | relevancy |", "|:--|:--|--:|"]
            lines += [f"| {name} | {description} | {relevancy} |" for name, description, relevancy in rows]
            lines.append("")
    if technologies:
        lines += ["## Technologies", "", "| description | relevancy |", "|:--|--:|"]
        lines += [f"| {description} | {relevancy} |" for description, relevancy in technologies]
        lines.append("")
    return "\n".join(lines)


def write_document(folder: Path, doc_id: str, title: str, signals: Sequence[Row], concerns: Sequence[Row] = (),
                   technologies: Sequence[tuple[str, int]] = ()) -> Path:
    """Write `<folder>/<doc_id>.md`; returns its path."""
    path = folder / f"{doc_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document_text(title, signals, concerns, technologies), encoding="utf-8")
    return path


SIGNALS_BEFORE: list[Row] = [
    ("Heat pumps in flats", "Retrofits reach apartment blocks.", 4),
    ("Grid-scale batteries", "Storage bids undercut gas peakers.", 5),
    ("Community solar", "Neighbourhood co-ops share panels.", 3),
    ("Heat pumps in flats", "A second source reports the same retrofit wave.", 2),  # a duplicate name
    ("Hydrogen boilers", "Trials end early.", 2),
]
CONCERNS_BEFORE: list[Row] = [("Grid congestion", "Connection queues of ten years.", 5)]
TECHNOLOGIES_BEFORE: list[tuple[str, int]] = [("Solid-state transformers for the distribution grid.", 4)]

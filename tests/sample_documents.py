"""Documents for tests that hold on any realistic corpus, with or without ../shared beside the project.

The shared real corpus (`../shared/corpus/futures`) is there on the team's machines, not in a fresh
clone. Tests that need *real* documents (their quirks are what they check) skip without it; tests
that only need a corpus of realistic shape use it where present and otherwise synthetic documents
from `signals.synth` (same vocabulary of themes, categories and keywords), so a fresh clone runs
them too.
"""

from __future__ import annotations

from pathlib import Path

from signals import synth

ROOT = Path(__file__).resolve().parents[1]
SEED_FILE = ROOT / "seeds" / "000_19f67a480975dbd3.txt"
FUTURES = ROOT.parent / "shared" / "corpus" / "futures"
#: Seed of every synthetic stand-in for the real corpus (fixed: same documents on every run).
SYNTHETIC_SEED = 7

#: Hand-written documents with problems, so that a synthetic corpus (which has none) gives the Data
#: health page and the problem counts something to show, as the real corpus does.
DAMAGED = {
    "damaged/no-page-link.md": "# A title without its page link\n\n## Keywords\n\n* energy\n",
    "damaged/unreadable-relevancy.md": (
        "# Heat pumps in cold towns, (from page [20240302](https://example.test/p/20240302).)\n\n"
        "## Themes\n\n* energy transition\n\n## Signals\n\n"
        "| name | description | relevancy |\n|---|---|---:|\n"
        "| Heat pumps | Heat pumps spread to colder towns. | high |\n"
        "| District heat | Towns share one heat network. | 4 |\n"
    ),
}


def write_synthetic_corpus(folder: Path, documents: int = 300) -> Path:
    """`documents` synthetic documents (signals.synth, planted, seed SYNTHETIC_SEED) and the DAMAGED
    ones, written into folder; returns folder."""
    synth.write_corpus(folder, documents, seed=SYNTHETIC_SEED, planted=True)
    for name, text in DAMAGED.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def real_or_synthetic_files(count: int, scratch: Path) -> list[Path]:
    """The first `count` real documents by name, or where the real corpus is absent `count`
    synthetic ones (no damaged ones) written under scratch."""
    if FUTURES.is_dir():
        return sorted(FUTURES.glob("*.md"))[:count]
    synth.write_corpus(scratch, count, seed=SYNTHETIC_SEED)
    return sorted(scratch.rglob("*.md"))

"""The seed article written twice into a folder, the second time with other tracking parameters in its
link and another title: the loader flags the second as a copy of the first (`duplicate_of`)."""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_19f67a480975dbd3.txt"
#: The copy's title (its only visible difference): a search for it finds the copy alone.
COPY_TITLE = "Seoul Weighs"


def write_article_twice(folder: Path, original: str = "a", copy: str = "b") -> None:
    """`original`.md: the seed; `copy`.md: the same article, its link's tracking parameters changed."""
    seed = SEED.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{original}.md").write_text(seed, encoding="utf-8")
    (folder / f"{copy}.md").write_text(seed.replace("utm_medium=newsletter", "utm_medium=email&utm_source=x")
                                       .replace("South Korea Considers", COPY_TITLE), encoding="utf-8")

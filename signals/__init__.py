"""Signals Explorer: load a folder of signal documents into pandas DataFrames and explore them.

The public API is `load_corpus(path) -> Corpus`. Imports are lazy so that parser worker processes,
which import `signals.ingest.lineparse`, do not pay for pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Corpus", "load_corpus"]

if TYPE_CHECKING:  # pragma: no cover
    from signals.corpus_type import Corpus
    from signals.ingest.load import load_corpus


def __getattr__(name: str) -> Any:
    if name == "Corpus":
        from signals.corpus_type import Corpus

        return Corpus
    if name == "load_corpus":
        from signals.ingest.load import load_corpus

        return load_corpus
    raise AttributeError(name)

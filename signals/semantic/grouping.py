"""Embeddings made comparable: each language's mean vector removed before taking cosines.

A static embedding model gives every text a large shared component, and one per language (to this
English-trained model, French rows are all alike: before centring, a French planted paraphrase's
nearest rows were the other French groups). Subtracting the section's mean vector per language turns
"both are sentences" into a cosine near 0 and leaves what the texts are about. Measured on planted
paraphrase groups (docs/insights.md): it is what lets a similarity floor hold across corpora.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_FRENCH = frozenset((
    "le", "la", "les", "des", "du", "une", "et", "au", "aux", "pour", "par", "sur", "dans", "avec", "sans",
    "cette", "ces", "qui", "que", "leur", "leurs", "sont", "est", "plus", "ne", "pas", "il", "ils", "elle",
    "elles", "nous", "vous", "où", "comme", "d'", "l'", "qu'", "en", "un", "à",
))
_ENGLISH = frozenset((
    "the", "of", "and", "to", "in", "for", "with", "on", "by", "is", "are", "their", "from", "as", "at",
    "that", "this", "which", "a", "an",
))
_LETTERS = "a-zà-ÿœæ"
#: French function words as whole words (for search's stop words).
FRENCH_FUNCTION_WORDS = frozenset(w for w in _FRENCH if not w.endswith("'"))


def language(text: str) -> str:
    """'fr' when a text has more French than English function words, else 'en' (a heuristic good
    enough to centre each language on its own mean; it is not shown to users)."""
    return "fr" if french(pd.Series([text]))[0] else "en"


def french(texts: pd.Series) -> np.ndarray:
    """Texts -> True where `language` would say 'fr': the same counts, vectorised (pandas' str
    methods took 0.2 s where a Python loop over `language` took 1.1 s for 44,000 rows)."""
    lowered = texts.astype("str").str.lower()

    def counts(words: frozenset[str]) -> np.ndarray:
        whole = "|".join(re.escape(w) for w in sorted(words) if not w.endswith("'"))
        elided = "|".join(re.escape(w) for w in sorted(words) if w.endswith("'"))  # d'un, l'eau
        pattern = rf"(?<![{_LETTERS}])(?:(?:{whole})(?![{_LETTERS}])" + (f"|{elided})" if elided else ")")
        return lowered.str.count(pattern).to_numpy()

    return counts(_FRENCH) > counts(_ENGLISH)


def centred(vectors: np.ndarray, languages: np.ndarray | None = None) -> np.ndarray:
    """Unit vectors -> float32 unit vectors with their (per-language) mean removed."""
    data = np.asarray(vectors, dtype=np.float32).copy()
    keys = languages if languages is not None else np.zeros(len(data), dtype=np.int8)
    for key in np.unique(keys):
        chosen = keys == key
        data[chosen] -= data[chosen].mean(axis=0)
    norms = np.linalg.norm(data, axis=1, keepdims=True)
    return np.divide(data, norms, out=np.zeros_like(data), where=norms > 0)

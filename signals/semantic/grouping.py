"""Embeddings made comparable: the rows' mean vector removed before taking cosines; a language guess.

Every text of a corpus shares a component ("it is a headline about a trend"); subtracting the
section's mean vector turns that into a cosine near 0 for unrelated rows and leaves what the texts
are about, which lets one similarity threshold hold across corpora (docs/insights.md).

One mean for all languages: the model is multilingual and puts a French report next to its English
counterpart. Centring each language on its own mean (what the English-only model needed) now does
harm: in a mostly English corpus the few French rows' mean *is* their topics, and removing it took
French group-mates from a centred cosine of 0.33 to 0.21 (10k synthetic documents, planted groups;
each planted member had 2.0 of its 5 group-mates among its 10 nearest rows with one mean, 0.2 with
a mean per language). The language guess (`french`) stays for search's stop words.
"""

from __future__ import annotations

import os
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


#: Rows converted to float32 at a time (bounds the transient copy: 65,536 x 512 x 4 bytes = 128 MB).
SLICE = 65_536
#: Pairs scored at a time by CentredRows.cosines (two gathered float32 rows each: 64 MB).
PAIRS_SLICE = 16_384
#: Threads scoring pairs (CentredRows.cosines).
PAIR_WORKERS = max(1, min(2, os.cpu_count() or 1))



def _in_threads(work, starts) -> None:
    """work(start) for each start, in PAIR_WORKERS threads (each writes its own part of an output)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(PAIR_WORKERS) as workers:
        list(workers.map(work, starts))


class CentredRows:
    """Unit vectors (float16, as stored) and their mean: the centred unit vector of any row on demand.

    At 100,000 documents a section holds 437,000 rows: a float32 centred copy of all of them is 900 MB
    and took 4 s, which a cached run paid only to read the few thousand cluster members' vectors.
    """

    #: True when the stored vectors are the centred unit vectors themselves (`centre_in_place`).
    centred_in_place = False

    def __init__(self, vectors: np.ndarray, mean: np.ndarray | None = None) -> None:
        """mean: the vector to remove (None: the rows' own mean)."""
        self.vectors = vectors
        if mean is not None:
            self.mean = np.asarray(mean, dtype=np.float32)
            return
        total = np.zeros(vectors.shape[1], dtype=np.float64)
        for start in range(0, len(vectors), SLICE):
            total += vectors[start:start + SLICE].astype(np.float32).sum(axis=0, dtype=np.float64)
        self.mean = (total / max(len(vectors), 1)).astype(np.float32)

    def __len__(self) -> int:
        return len(self.vectors)

    @property
    def shape(self) -> tuple[int, int]:
        return self.vectors.shape

    def rows(self, positions: np.ndarray | slice) -> np.ndarray:
        """The centred unit vectors (float32) of the rows at `positions`."""
        data = self.vectors[positions].astype(np.float32) - self.mean
        norms = np.linalg.norm(data, axis=1, keepdims=True)
        return np.divide(data, norms, out=np.zeros_like(data), where=norms > 0)

    def pair_cosines(self, rows: slice, partners: np.ndarray) -> np.ndarray:
        """The centred cosine of each row of `rows` with each of its partners (positions, one row of
        them per row): `cosines` over the (row, partner) pairs, shaped like `partners`."""
        own = np.arange(len(self.vectors))[rows]
        return self.cosines(np.repeat(own, partners.shape[1]), partners.ravel()).reshape(partners.shape)

    def cosines(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The centred cosine of each pair (first[i], second[i]), from the stored vectors without
        centring them: with v and w unit vectors and m the mean, (v-m).(w-m) = v.w - v.m - w.m + m.m
        (centring every gathered partner cost 38 s of the neighbour search at 100,000 documents).
        PAIRS_SLICE pairs at a time, in PAIR_WORKERS threads (numpy's casts and products release the
        GIL: the 2.7 million mutual pairs of 100,000 documents' signals took 3.8 s in two threads,
        6.9 s in one)."""
        offsets, norms = self._offsets_and_norms()
        out = np.empty(len(first), dtype=np.float32)
        mean_square = float(self.mean @ self.mean)

        def score(start: int) -> None:
            i, j = first[start:start + PAIRS_SLICE], second[start:start + PAIRS_SLICE]
            dots = np.einsum("pd,pd->p", self.vectors[i].astype(np.float32), self.vectors[j].astype(np.float32))
            dots -= offsets[i] + offsets[j] - mean_square
            scale = norms[i] * norms[j]
            out[start:start + PAIRS_SLICE] = np.divide(dots, scale, out=np.zeros_like(dots), where=scale > 0)

        _in_threads(score, range(0, len(first), PAIRS_SLICE))
        return out

    def _offsets_and_norms(self) -> tuple[np.ndarray, np.ndarray]:
        """Per row: its vector's dot product with the mean, and the length of its centred vector."""
        if "_offsets" not in self.__dict__:
            offsets = np.empty(len(self.vectors), dtype=np.float32)
            norms = np.empty(len(self.vectors), dtype=np.float32)
            mean_square = float(self.mean @ self.mean)
            for start in range(0, len(self.vectors), SLICE):
                centred = self.vectors[start:start + SLICE].astype(np.float32) - self.mean
                norms[start:start + SLICE] = np.linalg.norm(centred, axis=1)
                offsets[start:start + SLICE] = centred @ self.mean + mean_square  # v.m = (v-m).m + m.m
            self._offsets, self._norms = offsets, norms
        return self._offsets, self._norms

    def half(self, positions: np.ndarray | None = None) -> np.ndarray:
        """The centred unit vectors of the rows at `positions` (None: every row) as float16 (half
        the memory of float32; cosines move by under 0.002), made in PAIR_WORKERS threads (the
        300,000 rows the linkage keeps at 100,000 documents: 3.3 s in one), SLICE rows at a time
        between them (each slice's float32 copies: a whole SLICE per thread raised the clustering's
        peak by 160 MB)."""
        count = len(self.vectors) if positions is None else len(positions)
        out = np.empty((count, self.vectors.shape[1]), dtype=np.float16)
        step = max(1, SLICE // PAIR_WORKERS)

        def make(start: int) -> None:
            chosen = slice(start, start + step) if positions is None else positions[start:start + step]
            out[start:start + step] = self.rows(chosen)

        _in_threads(make, range(0, count, step))
        return out

    def centre_in_place(self) -> CentredRows:
        """Write every row's centred unit vector over its stored vector (float16, SLICE rows at a time)
        -> rows that are their own centred vectors (mean zero, `centred_in_place`). For the steps
        after the pairs are scored, the linkage and the description: the linkage kept a float16
        centred copy of every row beside the stored vectors, 448 MB at 100,000 documents, the peak
        of `signals clusters` from scratch there. The stored array must be this object's own (the
        clustering's gathered copy), and this object is not to be used after."""
        step = SLICE // 8  # two float32 copies of a step at once: 16 MB each
        for start in range(0, len(self.vectors), step):
            self.vectors[start:start + step] = self.rows(slice(start, start + step))
        done = CentredRows(self.vectors, mean=np.zeros_like(self.mean))
        done.centred_in_place = True
        self.vectors = None  # this object's mean and cached offsets no longer fit them: fail loudly
        self.__dict__.pop("_offsets", None)
        self.__dict__.pop("_norms", None)
        return done

    def all(self) -> np.ndarray:
        """Every row's centred unit vector, as float16 (see `half`)."""
        return self.half()


def centred(vectors: np.ndarray, languages: np.ndarray | None = None) -> np.ndarray:
    """Unit vectors -> float32 unit vectors with their mean removed (one mean per value of
    `languages` when given; clusters use one mean for all, see the module docstring)."""
    data = np.asarray(vectors, dtype=np.float32).copy()
    keys = languages if languages is not None else np.zeros(len(data), dtype=np.int8)
    for key in np.unique(keys):
        chosen = keys == key
        data[chosen] -= data[chosen].mean(axis=0)
    norms = np.linalg.norm(data, axis=1, keepdims=True)
    return np.divide(data, norms, out=np.zeros_like(data), where=norms > 0)

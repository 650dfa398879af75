"""Neighbour lists carried over to a corpus that changed a little (signals.semantic.growing): the
pairs the clusters are made of are those a full search would give, with the new documents' rows
among them, and lists are searched afresh when too much changed."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signals.analysis.clusters import mutual_pairs
from signals.semantic import growing
from signals.semantic.grouping import CentredRows

K = 5


def _corpus(rng, documents: int, topics: np.ndarray, first_doc: int = 0):
    """Rows of `documents` documents, 3-5 each, each row near one of the topic directions (float16
    unit vectors, as stored) -> (vectors, document codes, texts)."""
    vectors, docs, texts = [], [], []
    for doc in range(first_doc, first_doc + documents):
        for row in range(int(rng.integers(3, 6))):
            topic = topics[rng.integers(len(topics))]
            vector = topic + rng.standard_normal(topics.shape[1]) / np.sqrt(topics.shape[1])
            vectors.append(vector / np.linalg.norm(vector))
            docs.append(doc)
            texts.append(f"text {doc}-{row}")
    return np.asarray(vectors, dtype=np.float16), np.asarray(docs), texts


def _mutual_by_brute_force(vectors: np.ndarray, docs: np.ndarray, mean: np.ndarray) -> set[tuple[int, int]]:
    """Mutual K-nearest pairs of other documents from the full similarity matrix (small n)."""
    rows = vectors.astype(np.float32) - mean
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    scores = rows @ rows.T
    scores[docs[:, None] == docs[None, :]] = -np.inf
    best = np.argsort(-scores, axis=1, kind="stable")[:, :K]
    listed = [set(b.tolist()) for b in best]
    return {(i, j) for i in range(len(rows)) for j in listed[i] if i < j and i in listed[j]}


def _pairs(lists: growing.Lists) -> set[tuple[int, int]]:
    first, second, _ = mutual_pairs(lists.indices, lists.similarities)
    return set(zip(first.tolist(), second.tolist()))


@pytest.fixture
def grown(monkeypatch):
    """A corpus of 120 documents, then the same with document 7 removed, document 8's first row
    edited, 4 new documents, and the rows in another order (24 of the 482 rows to search: allowed here)."""
    monkeypatch.setattr(growing, "SEARCH_SHARE", 0.25)
    rng = np.random.default_rng(4)
    topics = rng.standard_normal((30, 64))
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    vectors, docs, texts = _corpus(rng, 120, topics)
    before = growing.searched(CentredRows(vectors), growing.identities(texts, docs), docs, K)

    keep = docs != 7
    texts = [t for t, k in zip(texts, keep) if k]
    vectors, docs = vectors[keep], docs[keep]
    edited = int(np.flatnonzero(docs == 8)[0])
    texts[edited] = "an edited text"
    vectors[edited] = vectors[int(np.flatnonzero(docs == 9)[0])]  # now says what a row of document 9 says
    more_vectors, more_docs, more_texts = _corpus(rng, 4, topics, first_doc=500)
    vectors = np.concatenate([vectors, more_vectors])
    docs = np.concatenate([docs, more_docs])
    texts = texts + more_texts
    order = rng.permutation(len(docs))
    vectors, docs, texts = vectors[order], docs[order], [texts[i] for i in order]
    return before, vectors, docs, texts


def test_carried_over_lists_make_the_pairs_a_full_search_makes(grown):
    before, vectors, docs, texts = grown
    after = growing.carried_over(before, vectors, growing.identities(texts, docs), docs, K)
    assert after is not None
    truth = _mutual_by_brute_force(vectors, docs, before.mean)
    assert _pairs(after) == truth
    new_rows = set(np.flatnonzero(docs >= 500).tolist())
    assert any(i in new_rows or j in new_rows for i, j in truth)  # the new documents' rows are paired
    # Each row's list: K rows of other documents, none of them gone.
    assert (after.indices >= 0).all()
    assert (docs[after.indices] != docs[:, None]).all()
    was, now = set(before.identities.tolist()), set(growing.identities(texts, docs).tolist())
    assert len(now - was) == int((docs >= 500).sum()) + 1  # the new documents' rows and the edited row
    assert after.changed == len(now - was) + len(was - now)  # and document 7's rows, the edited row's former text


def test_rows_that_did_not_change_keep_their_lists_in_their_new_places(grown):
    before, vectors, docs, texts = grown
    identities = growing.identities(texts, docs)
    after = growing.carried_over(before, vectors, identities, docs, K)
    where_before = {int(identity): position for position, identity in enumerate(before.identities)}
    moved = [(position, where_before[int(identity)]) for position, identity in enumerate(identities)
             if int(identity) in where_before]
    assert len(moved) > 300
    same = sum(set(identities[after.indices[now]].tolist()) == set(before.identities[before.indices[was]].tolist())
               for now, was in moved)
    assert same > 0.8 * len(moved)  # most lists carried over as they were; the others took new rows in


def test_too_much_change_is_searched_afresh(grown, monkeypatch):
    before, vectors, docs, texts = grown
    identities = growing.identities(texts, docs)
    assert growing.carried_over(before, vectors, identities, docs, K + 1) is None  # another k
    assert growing.carried_over(None, vectors, identities, docs, K) is None
    strangers = growing.identities([t + " (rewritten)" for t in texts], docs)
    monkeypatch.setattr(growing, "DRIFT_SHARE", 100.0)  # the share to search alone declines it
    assert growing.carried_over(before, vectors, strangers, docs, K) is None  # every row new
    monkeypatch.setattr(growing, "DRIFT_SHARE", 0.2)
    monkeypatch.setattr(growing, "SEARCH_SHARE", 0.03)
    assert growing.carried_over(before, vectors, identities, docs, K) is None  # 24 of 482 rows to search


def test_the_space_drifts_too_far_after_many_small_additions(grown, monkeypatch):
    before, vectors, docs, texts = grown
    before.changed = int(growing.DRIFT_SHARE * before.base) - 5  # as if rows had come and gone before
    assert growing.carried_over(before, vectors, growing.identities(texts, docs), docs, K) is None


def test_lists_survive_the_store_and_older_files_are_not_carried_over(grown, tmp_path):
    from signals.semantic import store

    before = grown[0]
    store.keep_arrays(tmp_path, "rows.signals.neighbours", "a key", **before.arrays())
    read = growing.Lists.from_arrays(store.stored_arrays(tmp_path, "rows.signals.neighbours"))
    assert read is not None and read.base == before.base and read.projection is None
    assert np.array_equal(read.indices, before.indices) and np.array_equal(read.identities, before.identities)
    store.keep_arrays(tmp_path, "rows.signals.neighbours", "a key", indices=before.indices.astype(np.int32),
                      similarities=before.similarities)  # as stored before lists were carried over
    assert growing.Lists.from_arrays(store.stored_arrays(tmp_path, "rows.signals.neighbours")) is None


def test_identities_follow_the_document_and_the_text():
    ids = growing.identities(["a", "a", "b", "a"], ["d1", "d1", "d1", "d2"])
    assert len(set(ids.tolist())) == 4  # a repeated row of one document is a second row
    again = growing.identities(["a", "b", "a"], ["d2", "d1", "d1"])
    assert set(again.tolist()) <= set(ids.tolist())
    assert growing.identities(["a!"], ["d1"])[0] not in set(ids.tolist())


def test_a_corpus_that_grows_by_a_few_documents_is_clustered_from_its_stored_lists(tmp_path):
    """Same signal on a corpus, then on the same corpus with three more documents, two of them holding
    a member of a planted paraphrase group: the second run carries the lists over (only the new rows
    are searched) and the new members join their groups, as a run from scratch finds them."""
    from signals import load_corpus
    from signals.analysis import clusters as cl
    from signals.planted_paraphrases import DISTINCT, plant, recovered
    from signals.semantic import store
    from signals.semantic.model import for_corpus
    from signals.synth import write_corpus

    write_corpus(tmp_path / "corpus", 300, seed=3)
    whole, truth = plant(load_corpus(tmp_path / "corpus"), seed=1, groups=10, pool=DISTINCT)
    planted_docs = [member["doc_id"] for group in truth for member in group]
    later = {planted_docs[0], planted_docs[24], str(whole.documents["doc_id"].iloc[-1])}  # groups 0 and 4
    earlier = whole.with_frames(items=whole.items[~whole.items["doc_id"].astype("str").isin(later)],
                                documents=whole.documents[~whole.documents["doc_id"].astype("str").isin(later)])
    assert len(earlier.documents) == len(whole.documents) - len(later)

    cache_dir = store.corpus_cache_dir(whole.root)
    stored = lambda: store.stored_arrays(cache_dir, "rows.signals.neighbours", for_corpus(whole))
    cl.find_clusters(earlier)
    assert int(stored()["changed"]) == 0
    grown = cl.find_clusters(whole)
    new_rows = int(whole.items["doc_id"].astype("str").isin(later)[whole.items["section"] == "signals"].sum())
    assert int(stored()["changed"]) == new_rows > 0  # carried over: the new documents' rows searched

    report = recovered(grown.members, truth)
    assert report[0]["recovered"] and report[4]["recovered"]  # groups with a member in a new document
    assert sum(r["recovered"] for r in report) >= 8
    for name in ("rows.signals.neighbours", "rows.signals.groups"):
        store.store_path(cache_dir, name, for_corpus(whole)).unlink()
    for frame in (cache_dir / store.SUBFOLDER).rglob("clusters.*.parquet"):
        frame.unlink()
    afresh = cl.find_clusters(whole)
    assert int(stored()["changed"]) == 0
    assert [r["recovered"] for r in recovered(afresh.members, truth)] == [r["recovered"] for r in report]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), steps=st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=3))
def test_any_sequence_of_small_changes_keeps_the_pairs_of_a_full_search(seed, steps):
    """Documents added, removed and rows edited, several times over, the rows shuffled each time: the
    carried-over lists always make the pairs a brute-force search makes in their space."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((25, 32))
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    vectors, docs, texts = _corpus(rng, 150, topics)
    lists = growing.searched(CentredRows(vectors), growing.identities(texts, docs), docs, K)
    next_doc = 1_000
    for added_docs, removed_docs, edited_rows in steps:
        gone = rng.choice(np.unique(docs), size=removed_docs, replace=False)
        keep = ~np.isin(docs, gone)
        vectors, docs, texts = vectors[keep], docs[keep], [t for t, k in zip(texts, keep) if k]
        edited_vectors = _corpus(rng, 1, topics)[0]  # 3-5 rows near the topics (no ties with another row)
        for row, vector in zip(rng.choice(len(texts), size=edited_rows, replace=False), edited_vectors):
            texts[row] = f"edited {row} {next_doc}"
            vectors[row] = vector
        if added_docs:
            more_vectors, more_docs, more_texts = _corpus(rng, added_docs, topics, first_doc=next_doc)
            vectors, docs = np.concatenate([vectors, more_vectors]), np.concatenate([docs, more_docs])
            texts = texts + more_texts
        next_doc += added_docs + 1
        order = rng.permutation(len(docs))
        vectors, docs, texts = vectors[order], docs[order], [texts[i] for i in order]
        with patch.object(growing, "SEARCH_SHARE", 1.0):  # whatever the share of rows to search
            carried = growing.carried_over(lists, vectors, growing.identities(texts, docs), docs, K)
        assert carried is not None  # (the rows changed stay under DRIFT_SHARE of the 600-odd rows)
        assert _pairs(carried) == _mutual_by_brute_force(vectors, docs, carried.mean)
        lists = carried


def test_above_the_exact_limit_lists_live_in_the_graphs_projection(grown, monkeypatch, tmp_path):
    """Lists made by the graph (the limit lowered to this corpus's size): the projection is kept and
    stored, and each row searched when the corpus changed gets its exact nearest rows in that
    space: those a brute-force search over the projected rows finds."""
    from signals.semantic import neighbours, store

    monkeypatch.setattr(growing, "EXACT_LIMIT", 50)
    monkeypatch.setattr(neighbours, "EXACT_LIMIT", 50)
    monkeypatch.setattr(neighbours, "REDUCED_DIMENSIONS", 16)
    _, vectors, docs, texts = grown
    first = len(docs) - 40  # the last 40 rows arrive later
    before = growing.searched(CentredRows(vectors[:first]), growing.identities(texts[:first], docs[:first]),
                              docs[:first], K)
    assert before.projection is not None and before.projection.components.shape == (16, 64)
    identities = growing.identities(texts, docs)
    after = growing.carried_over(before, vectors, identities, docs, K)
    assert after is not None and after.projection is before.projection

    rows = vectors.astype(np.float32) - before.mean
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    projected = rows @ before.projection.components.T + before.projection.offset
    projected /= np.linalg.norm(projected, axis=1, keepdims=True)
    scores = projected @ projected.T
    scores[docs[:, None] == docs[None, :]] = -np.inf
    for row in range(first, len(docs)):
        assert set(after.indices[row].tolist()) == set(np.argsort(-scores[row])[:K].tolist()), row

    store.keep_arrays(tmp_path, "rows.signals.neighbours", "key", **after.arrays())
    read = growing.Lists.from_arrays(store.stored_arrays(tmp_path, "rows.signals.neighbours"))
    assert np.array_equal(read.projection.components, before.projection.components)
    assert np.array_equal(read.projection.offset, before.projection.offset)


def test_lists_made_by_another_search_are_searched_again_not_carried_over(grown, tmp_path, monkeypatch):
    """Lists stored by an earlier search (here: before the sparsest rows were searched again) are
    not carried over, even for the very same rows: the rows get today's search."""
    from signals.semantic import neighbours, store

    before = grown[0]
    assert before.search == neighbours.search_settings()
    arrays = before.arrays()
    store.keep_arrays(tmp_path, "rows.signals.neighbours", "a key", **arrays)
    assert growing.Lists.from_arrays(store.stored_arrays(tmp_path, "rows.signals.neighbours")) is not None
    today = neighbours.SPARSE_SHARE
    monkeypatch.setattr(neighbours, "SPARSE_SHARE", 0.0)  # another search than the one that made them
    assert growing.Lists.from_arrays(store.stored_arrays(tmp_path, "rows.signals.neighbours")) is None
    del arrays["search"]  # as stored before the search was named
    store.keep_arrays(tmp_path, "rows.signals.neighbours", "a key", **arrays)
    monkeypatch.setattr(neighbours, "SPARSE_SHARE", today)
    assert growing.Lists.from_arrays(store.stored_arrays(tmp_path, "rows.signals.neighbours")) is None

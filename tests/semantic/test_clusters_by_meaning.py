"""Same signal by meaning: planted paraphrase groups (signals.planted_paraphrases: one development told
six times in other words, in English, in French, or three times in each) among the rows of a
synthetic corpus are recovered as clusters."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from signals import load_corpus
from signals.analysis import clusters as cl
from signals.planted_paraphrases import (
    DISTINCT,
    GROUPS,
    MIXED_GROUPS,
    NEWSROOM_GROUPS,
    PIPELINE_GROUPS,
    language_of,
    plant,
    recovered,
)
from signals.synth import write_corpus


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paraphrases")
    write_corpus(folder, 300, seed=3)
    corpus, truth = plant(load_corpus(folder), seed=1, groups=10, pool=DISTINCT)
    return corpus, truth


def test_planted_groups_share_few_words():
    """The groups are paraphrases, not copies: two members share on average under two content words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    shared = []
    for group in GROUPS[:6]:  # English
        words = [{w.strip(".,:;?").lower() for w in (n + " " + d).split()} - ENGLISH_STOP_WORDS
                 for n, d in group]
        shared += [len(words[i] & words[j]) for i in range(6) for j in range(i + 1, 6)]
    assert sum(shared) / len(shared) < 2


def _english_words_shared(pool) -> float:
    """The content words two English members of a group share, on average over the pool's groups."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    shared = []
    for group in pool:
        english = [(n, d) for n, d in group if language_of([(n, d)]) == "English"]
        words = [{w.strip(".,:;?'").lower() for w in (n + " " + d).split()} - ENGLISH_STOP_WORDS for n, d in english]
        shared += [len(words[i] & words[j]) for i in range(len(words)) for j in range(i + 1, len(words))]
    return sum(shared) / len(shared)


def test_the_pipeline_style_set_shares_few_words_too():
    assert _english_words_shared(PIPELINE_GROUPS) < 1.5


def test_the_second_set_mixes_languages_within_each_group():
    assert {language_of(group) for group in MIXED_GROUPS} == {"English + French"}
    assert [language_of(group) for group in DISTINCT[:5]] == ["English", "French", "English", "French", "English"]


def test_paraphrase_groups_are_recovered_in_english_french_and_across(planted):
    """The issue's bar: at least 8 of 10 groups with precision and recall >= 0.8 each; French and
    mixed-language groups among them (the English-only model this replaced recovered no French)."""
    corpus, truth = planted
    found = cl.find_clusters(corpus)
    report = recovered(found.members, truth)
    assert sum(r["recovered"] for r in report) >= 8, report
    assert any(r["recovered"] for r in report[1:4:2]), report  # a French group
    assert sum(r["recovered"] for r in report[5:]) >= 4, report  # English + French groups



def test_a_set_in_the_pipelines_own_style_is_recovered_too(tmp_path_factory):
    """PIPELINE_GROUPS (written after the rule was settled, in the Signals tables' style: a
    title-case noun phrase and one sentence, six of ten groups with French members) on the same
    kind of corpus: the issue's bar holds for it as well (8 of 10 for three planting seeds)."""
    folder = tmp_path_factory.mktemp("pipeline-style")
    write_corpus(folder, 300, seed=3)
    corpus, truth = plant(load_corpus(folder), seed=2, groups=10, pool=PIPELINE_GROUPS)
    report = recovered(cl.find_clusters(corpus).members, truth)
    assert sum(r["recovered"] for r in report) >= 8, report
    mixed = [r for r, group in zip(report, PIPELINE_GROUPS) if language_of(group) == "English + French"]
    assert sum(r["recovered"] for r in mixed) >= 4, report

def test_the_newsroom_set_mixes_sizes_and_languages_and_shares_few_words():
    """NEWSROOM_GROUPS: groups of 3 to 8, all-French, and mixed English + French; English members
    share on average under two content words."""
    assert sorted(len(group) for group in NEWSROOM_GROUPS) == [3, 4, 4, 5, 5, 5, 6, 6, 7, 8]
    assert {language_of(group) for group in NEWSROOM_GROUPS} == {"French", "English + French"}
    assert _english_words_shared(NEWSROOM_GROUPS) < 2


def test_the_newsroom_set_keeps_what_it_measured(tmp_path_factory):
    """NEWSROOM_GROUPS, written in session 14 before anything was measured with it: 5 of 10 on these
    300 synthetic documents with the plain threshold, 7 once it follows the rows' density (the
    model places the members of some groups at a mean cosine of 0.30-0.32; docs/insights.md, "A
    fourth set"). Below the issue's bar of 8: a floor, so that a change that loses more of this
    style shows here."""
    folder = tmp_path_factory.mktemp("newsroom-style")
    write_corpus(folder, 300, seed=3)
    corpus, truth = plant(load_corpus(folder), seed=1, groups=10, pool=NEWSROOM_GROUPS)
    report = recovered(cl.find_clusters(corpus).members, truth)
    assert sum(r["recovered"] for r in report) >= 7, report
    assert all(r["precision"] >= 0.8 for r in report), report  # what it finds, it finds cleanly


def test_words_alone_miss_them(planted):
    """The former word-based method finds almost none of these groups (why the default changed)."""
    corpus, truth = planted
    report = recovered(cl.find_clusters(corpus, method="tfidf").members, truth)
    assert sum(r["recovered"] for r in report) <= 2


def test_cluster_counts_documents_and_domains(planted):
    corpus, _truth = planted
    found = cl.find_clusters(corpus)
    members = found.members.merge(corpus.documents[["doc_id", "domain"]].astype({"doc_id": "str"}), on="doc_id")
    first = found.summary.iloc[0]
    rows = members[members["cluster_id"] == first["cluster_id"]]
    assert first["documents"] == rows["doc_id"].nunique()
    assert first["domains"] == rows["domain"].nunique()
    assert first["label"] == rows.iloc[0]["label"]  # the representative is listed first, similarity 1
    assert rows.iloc[0]["similarity"] == 1.0 and (rows["similarity"] <= 1).all()


def test_cli_csv_lists_the_clusters_with_doc_ids(tmp_path, capsys):
    from signals.cli import main

    write_corpus(tmp_path / "c", 120, seed=4)
    assert main(["clusters", str(tmp_path / "c"), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = cl.find_clusters(load_corpus(tmp_path / "c"))
    assert [r["label"] for r in rows] == expected.summary["label"].tolist()
    assert [r["doc_ids"] for r in rows] == expected.summary["doc_ids"].tolist()
    assert [int(r["domains"]) for r in rows] == expected.summary["domains"].tolist()


def test_a_second_run_reads_the_whole_answer_and_an_edit_is_not_served_from_it(tmp_path):
    """The stored answer is the computed one, frame for frame; a changed row or title makes a new one."""
    folder = tmp_path / "corpus"
    write_corpus(folder, 120, seed=5)
    corpus, _ = plant(load_corpus(folder), seed=2, groups=4, pool=DISTINCT)
    computed = cl.find_clusters(corpus, ("signals",))
    stored = list((store_dir := cl_store_dir(corpus)).rglob("clusters.signals.*.parquet"))
    assert len(stored) == 2, stored
    calls = []
    original = cl._find
    cl._find = lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs)
    try:
        again = cl.find_clusters(corpus, ("signals",))
        assert not calls, "served from the stored answer"
        pd.testing.assert_frame_equal(computed.summary, again.summary)
        pd.testing.assert_frame_equal(computed.members, again.members)
        assert again.rows == computed.rows
        # A member's document retitled: the members show titles, so the answer is computed again.
        doc_id = computed.members["doc_id"].iloc[0]
        documents = corpus.documents.copy()
        documents.loc[documents["doc_id"].astype("str") == doc_id, "title"] = "A new title"
        retitled = cl.find_clusters(corpus.with_frames(documents=documents), ("signals",))
        assert calls == [1]
        assert set(retitled.members.loc[retitled.members["doc_id"] == doc_id, "title"]) == {"A new title"}
        cl.find_clusters(corpus, ("signals",), threshold=0.5)  # other settings: computed too
        assert calls == [1, 1]
    finally:
        cl._find = original
    assert store_dir.is_dir()


def cl_store_dir(corpus):
    from signals.semantic import store

    return store.corpus_cache_dir(corpus.root) / store.SUBFOLDER


def test_only_mutual_neighbours_make_pairs():
    """A pair links only when each row is among the other's nearest: row 2's nearest is row 0, but
    row 0's are rows 1 and 3 (a topic hub), so (0, 2) is no pair; missing neighbours (-1) are none."""
    from signals.analysis.clusters import mutual_pairs

    indices = np.array([[1, 3], [0, -1], [0, 1], [0, 2]])
    similarities = np.array([[0.9, 0.6], [0.9, -np.inf], [0.7, 0.2], [0.6, 0.5]], dtype=np.float32)
    first, second, similarity = mutual_pairs(indices, similarities)
    pairs = {(int(i), int(j)): round(float(s), 2) for i, j, s in zip(first, second, similarity)}
    assert pairs == {(0, 1): 0.9, (0, 3): 0.6}


def test_a_cluster_names_its_nearest_other_cluster(planted):
    """close_to / close_similarity: the mean centred cosine over all pairs of rows of the two clusters,
    recomputed here from the stored embeddings (the section's mean subtracted, rows normalised), at
    least CLOSE_SIMILARITY, and never the cluster itself."""
    from signals.semantic import store
    from signals.semantic.model import for_corpus

    corpus, _truth = planted
    found = cl.find_clusters(corpus)
    summary = found.summary.set_index("cluster_id")
    named = summary[summary["close_to"].notna()]
    assert len(named) >= 5
    assert set(named["close_to"].astype(int)) <= set(summary.index)
    assert (named["close_to"].astype(int) != named.index).all()
    assert (named["close_similarity"] >= cl.CLOSE_SIMILARITY).all()
    rows = cl._rows_to_cluster(corpus, ["signals"])
    vectors = store.embeddings(store.row_texts(rows).tolist(), store.corpus_cache_dir(corpus.root), "rows.signals",
                               None, for_corpus(corpus)).astype(np.float64)
    centred = vectors - vectors.mean(axis=0)
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    position = {(str(d), int(r)): i for i, (d, r) in enumerate(zip(rows["doc_id"].astype("str"), rows["row"]))}
    members = found.members

    def rows_of(cluster_id: int) -> np.ndarray:
        part = members[members["cluster_id"] == cluster_id]
        return centred[[position[(str(d), int(r))] for d, r in zip(part["doc_id"], part["row"])]]

    for cluster_id, row in named.head(5).iterrows():
        mean = float((rows_of(cluster_id) @ rows_of(int(row["close_to"])).T).mean())
        assert mean == pytest.approx(row["close_similarity"], abs=2e-3)

"""Clusters grouped in the background (signals.analysis.cluster_jobs): one job at a time, shared by
whoever asks for the same view, its answer stored where the page reads it, a failure reported."""

from __future__ import annotations

import threading

import pytest

from signals import load_corpus
from signals.analysis import cluster_jobs
from signals.analysis.clusters import DEFAULT_THRESHOLD, find_clusters, stored_clusters
from signals.synth import write_corpus


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cluster_jobs, "_latest", None)
    write_corpus(tmp_path / "corpus", 40, seed=5)
    return load_corpus(tmp_path / "corpus")


def test_a_job_stores_the_answer_the_page_then_reads(corpus, monkeypatch, tmp_path):
    assert stored_clusters(corpus, ("signals",), DEFAULT_THRESHOLD) is None
    job = cluster_jobs.start(("view", "signals", DEFAULT_THRESHOLD), corpus, "signals", DEFAULT_THRESHOLD, 170)
    assert job.finished.wait(120) and job.error is None
    stored = stored_clusters(corpus, ("signals",), DEFAULT_THRESHOLD)
    assert stored is not None
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path / "another cache"))  # computed afresh, not read back
    assert stored.summary["label"].tolist() == find_clusters(corpus, ("signals",)).summary["label"].tolist()
    assert job.found is None  # stored: not held twice
    assert job.to_embed and job.embedded == job.to_embed  # the rows' meaning was read, with progress
    assert cluster_jobs.job_for(("view", "signals", DEFAULT_THRESHOLD)) is job
    assert cluster_jobs.job_for(("another view", "signals", DEFAULT_THRESHOLD)) is None
    assert cluster_jobs.running() is None


def test_one_job_at_a_time_and_a_failure_is_reported(corpus, monkeypatch):
    release = threading.Event()

    def held(*args, **kwargs):
        release.wait(60)
        raise MemoryError("out of memory")

    monkeypatch.setattr(cluster_jobs, "find_clusters", held)
    first = cluster_jobs.start(("a",), corpus, "signals", DEFAULT_THRESHOLD, 10)
    second = cluster_jobs.start(("b",), corpus, "signals", DEFAULT_THRESHOLD, 10)
    assert second is first and cluster_jobs.running() is first  # b waits for a
    assert cluster_jobs.job_for(("b",)) is None
    release.set()
    assert first.finished.wait(10)
    assert first.error == "MemoryError: out of memory"
    assert cluster_jobs.running() is None
    third = cluster_jobs.start(("b",), corpus, "signals", DEFAULT_THRESHOLD, 10)
    assert third is not first  # now b can run
    assert third.finished.wait(10) and third.error == "MemoryError: out of memory"  # (no thread left behind)


def test_a_corpus_without_a_cache_folder_keeps_its_answer_in_the_job(corpus):
    uploaded = corpus.with_frames(root="")
    job = cluster_jobs.start(("upload",), uploaded, "signals", DEFAULT_THRESHOLD, 170)
    assert job.finished.wait(120) and job.error is None
    assert job.found is not None and len(job.found.summary) == len(find_clusters(uploaded, ("signals",)).summary)
    assert job.seconds == job.took > 0  # what it took, not the time since (the page shows it)


def test_an_answer_that_could_not_be_stored_is_kept_in_the_job(corpus, monkeypatch):
    """A cache folder that cannot be written: the page would otherwise offer the button again."""
    from signals.semantic import store

    monkeypatch.setattr(store, "keep_frames", lambda *args, **kwargs: None)  # writes fail silently
    job = cluster_jobs.start(("view",), corpus, "signals", DEFAULT_THRESHOLD, 170)
    assert job.finished.wait(120) and job.error is None
    assert stored_clusters(corpus, ("signals",), DEFAULT_THRESHOLD) is None
    assert job.found is not None and len(job.found.summary) > 0

"""Embeddings for the pages that need them: started in the background (signals.semantic.jobs), read
once ready; until then the page says so with a progress bar that fills in by itself."""

from __future__ import annotations

import numpy as np
import streamlit as st

from signals.semantic import jobs, store


def _vectors(corpus, texts: list[str], name: str, what: str) -> np.ndarray | None:
    """The texts' embeddings, or None (and a self-refreshing progress bar) while they are computed."""
    cache_dir = store.corpus_cache_dir(corpus.root)
    job = jobs.embedding_job(texts, cache_dir, name)
    if job.ready:
        return store.embeddings(texts, cache_dir, name)

    @st.fragment(run_every=1.0)
    def waiting() -> None:
        st.progress(job.done / max(job.total, 1),
                    text=f"Reading the meaning of {job.total:,} {what} (once per corpus): {job.done:,} done")
        if job.ready:
            st.rerun()

    waiting()
    return None


def document_vectors(corpus) -> np.ndarray | None:
    """Every document's embedding (title + summary), in corpus.documents order, or None while computed."""
    return _vectors(corpus, store.document_texts(corpus.documents).tolist(), "documents", "documents")


def section_vectors(corpus, section: str) -> np.ndarray | None:
    """The embeddings of every row of `section` (the rows in corpus.items order), or None while computed."""
    rows = corpus.items[corpus.items["section"].astype("str").to_numpy() == section]
    return _vectors(corpus, store.row_texts(rows).tolist(), f"rows.{section}", f"{section} rows")

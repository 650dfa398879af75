"""Embeddings for the pages that need them: started in the background (signals.semantic.jobs), read
once ready; until then the page says so with a progress bar that fills in by itself."""

from __future__ import annotations

import numpy as np
import streamlit as st

from signals.semantic import jobs, store
from signals.semantic.model import for_corpus


def _ready(corpus, texts: list[str], name: str, what: str) -> bool:
    """True when the texts are embedded and stored; else start (or join) their background job, draw
    its progress bar (refreshed every second; the page reruns when the job ends) and return False."""
    job = jobs.embedding_job(texts, store.corpus_cache_dir(corpus.root), name, for_corpus(corpus))
    if job.ready:
        return True

    @st.fragment(run_every=1.0)
    def waiting() -> None:
        st.progress(job.done / max(job.total, 1),
                    text=f"Reading the meaning of {job.total:,} {what} (once per corpus): {job.done:,} done")
        if job.ready:
            st.rerun()

    waiting()
    return False


def _vectors(corpus, texts: list[str], name: str, what: str) -> np.ndarray | None:
    """The texts' embeddings, or None (and a self-refreshing progress bar) while they are computed."""
    if not _ready(corpus, texts, name, what):
        return None
    return store.embeddings(texts, store.corpus_cache_dir(corpus.root), name, model=for_corpus(corpus))


def documents_embedded(corpus) -> bool:
    """True when every document is embedded (nothing drawn; the embedding starts if it has not)."""
    texts = store.document_texts(corpus.documents).tolist()
    return jobs.embedding_job(texts, store.corpus_cache_dir(corpus.root), "documents", for_corpus(corpus)).ready


def documents_ready(corpus) -> bool:
    """True when every document is embedded; else a progress bar (see `_ready`) and False."""
    return _ready(corpus, store.document_texts(corpus.documents).tolist(), "documents", "documents")


def document_vectors(corpus) -> np.ndarray | None:
    """Every document's embedding (title + summary), in corpus.documents order, or None while computed."""
    return _vectors(corpus, store.document_texts(corpus.documents).tolist(), "documents", "documents")


def _section_texts(corpus, section: str) -> list[str]:
    rows = corpus.items[corpus.items["section"].astype("str").to_numpy() == section]
    return store.row_texts(rows).tolist()


def section_ready(corpus, section: str) -> bool:
    """True when every row of `section` is embedded; else a progress bar (see `_ready`) and False.
    Pass the whole corpus: a filtered view's rows are then read from the store, whatever the filters."""
    return _ready(corpus, _section_texts(corpus, section), f"rows.{section}", f"{section} rows")


def section_vectors(corpus, section: str) -> np.ndarray | None:
    """The embeddings of every row of `section` (the rows in corpus.items order), or None while computed."""
    return _vectors(corpus, _section_texts(corpus, section), f"rows.{section}", f"{section} rows")

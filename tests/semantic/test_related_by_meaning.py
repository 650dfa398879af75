"""Related by meaning: similar documents and rows like this one, checked against a direct cosine."""

from __future__ import annotations

import numpy as np
import pandas as pd
from test_search import DOCUMENTS, corpus_of

from signals.analysis.document import document_view
from signals.planted_paraphrases import GROUPS
from signals.semantic import model, store
from signals.semantic.related import RELATED_FLOOR, rows_like, similar_documents

#: Two reports of hospital robots, two of farm drones (planted paraphrases), among the search tests' documents.
RELATED_DOCUMENTS = [("robots-1", *GROUPS[0][0]), ("robots-2", *GROUPS[0][2]), ("drones-1", *GROUPS[1][0]),
                     ("drones-2", *GROUPS[1][1]), *DOCUMENTS[2:]]


def test_similar_documents_match_a_direct_cosine():
    corpus = corpus_of(RELATED_DOCUMENTS)
    vectors = store.embeddings(store.document_texts(corpus.documents).tolist(), None, "documents")
    found = similar_documents(corpus.documents, vectors, "drones-1", n=3)
    as_float = vectors.astype(np.float32)
    cosines = as_float @ as_float[2]
    expected = [RELATED_DOCUMENTS[i][0] for i in np.argsort(-cosines) if i != 2 and cosines[i] >= RELATED_FLOOR][:3]
    assert found["doc_id"].tolist() == expected
    assert found["doc_id"].iloc[0] == "drones-2"  # the other report of farm drones
    view = document_view(corpus, "drones-1", document_vectors=vectors)
    assert view.similar["doc_id"].tolist() == found["doc_id"].tolist()
    assert document_view(corpus, "drones-1").similar is None


def test_rows_like_skip_the_own_document():
    rows = pd.DataFrame({
        "doc_id": ["a", "a", "b", "c", "d"],
        "label": ["Hospitals trial robot nurses", "Care robots tested on hospital wards",
                  "Robotic assistants join nursing staff", "Central bank raises interest rates",
                  "Wards welcome mechanical orderlies"],
    })
    vectors = model.embed(rows["label"].tolist())
    found = rows_like(rows, vectors, 0, n=3)
    assert "a" not in found["doc_id"].tolist()
    assert found["doc_id"].iloc[0] == "b"
    assert "c" not in found["doc_id"].tolist()  # the bank row is below the floor
    assert found["similarity"].iloc[0] == float(np.float32(vectors[0] @ vectors[2]))

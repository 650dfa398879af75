"""One document as the Document page shows it: its record, keywords, themes, its table rows as an
analyst reads them, the documents it lists as closest and those sharing most themes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from signals.analysis.incidence import encode
from signals.analysis.related import documents_sharing_themes
from signals.corpus_type import Corpus
from signals.semantic.related import similar_documents


@dataclass(frozen=True)
class DocumentView:
    """What the Document page draws for one document."""

    #: The document's row of corpus.documents (title, date, category, type, domain, urls, path, summary).
    record: pd.Series
    keywords: list[str]
    themes: list[str]
    #: Section -> its rows as read (as_read): numbered from 1, without bookkeeping columns.
    tables: dict[str, pd.DataFrame]
    #: The Closest list: target_id, title, in_corpus (whether that document is loaded).
    closest: pd.DataFrame
    #: Other documents sharing most themes (analysis.related.documents_sharing_themes).
    related: pd.DataFrame
    #: Other documents closest in meaning (signals.semantic.related.similar_documents): doc_id,
    #: title, date, similarity; None when the documents' embeddings were not given.
    similar: pd.DataFrame | None = None


def rows_of(frame: pd.DataFrame, doc_id: str) -> pd.DataFrame:
    """The rows of `frame` that belong to `doc_id`, in their order.

    On the loader's categorical doc_id one code comparison, not a string comparison per row (the
    items frame holds 2.5 million rows at 100,000 documents)."""
    column = frame["doc_id"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        code = column.cat.categories.get_indexer([doc_id])[0]
        return frame[column.cat.codes.to_numpy() == code] if code >= 0 else frame.iloc[:0]
    return frame[column.astype("str").to_numpy() == doc_id]


def as_read(rows: pd.DataFrame, doc_id: str) -> pd.DataFrame:
    """A section's rows of one document as an analyst reads them: numbered from 1 ("#") in the
    document's order, without the loader's bookkeeping (doc_id, line) or a `src` that only repeats
    this document's own id (the pipeline writes one on every Technologies row)."""
    shown = rows.drop(columns=["doc_id", "line"], errors="ignore")
    if "src" in shown.columns and (shown["src"].astype("str") == doc_id).all():
        shown = shown.drop(columns="src")
    if "row" in shown.columns:
        shown = shown.assign(row=pd.to_numeric(shown["row"], errors="coerce") + 1).rename(columns={"row": "#"})
    return shown.reset_index(drop=True)


def document_view(
    corpus: Corpus, doc_id: str, related: int = 8, document_vectors: np.ndarray | None = None
) -> DocumentView | None:
    """Corpus + doc_id -> its DocumentView, or None when the corpus has no such document.

    document_vectors: the documents' embeddings in corpus.documents order (signals.semantic.store);
    given, the view lists the documents closest in meaning too."""
    record = rows_of(corpus.documents, doc_id)
    if record.empty:
        return None
    # The document's rows first, then by section: building every section's table of the corpus
    # to read one document's rows took seconds at 100,000 documents (issue 15).
    items = rows_of(corpus.items, doc_id)
    by_section = dict(tuple(items.groupby(items["section"].astype("str"), sort=False))) if len(items) else {}
    tables = {}
    for section in corpus.table_names():
        if section in by_section:
            tables[section] = as_read(corpus.as_section_table(section, by_section[section]), doc_id)
    links = rows_of(corpus.links, doc_id)
    targets = links["target_id"].astype("str")
    closest = pd.DataFrame({
        "target_id": targets.to_numpy(),
        "title": links["title"].to_numpy(),
        # The encoding's index of the documents' ids (kept with the corpus): np.isin and
        # Series.isin each turned the 100,000 ids into Python strings first (0.6-0.8 s).
        "in_corpus": encode(corpus).document_ids.get_indexer(targets) >= 0,
    })
    return DocumentView(
        record=record.iloc[0],
        keywords=rows_of(corpus.keywords, doc_id)["keyword"].astype("str").tolist(),
        themes=rows_of(corpus.themes, doc_id)["theme"].astype("str").tolist(),
        tables=tables,
        closest=closest,
        related=documents_sharing_themes(corpus, doc_id, n=related),
        similar=None if document_vectors is None
        else similar_documents(corpus.documents, document_vectors, doc_id, n=related),
    )

"""What sets a selection apart: the themes, keywords and words over-represented in a filtered view
against the rest of the corpus.

Counting. A term's count on each side is the number of documents carrying it (a theme, a keyword,
or a word of the document's title, summary or table-row names, lower-cased, English and French stop
words, numbers and words under 3 letters left out): one long document cannot make a word look
common.

Score: the weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn
2008, "Fightin' Words", eq. 22), with the whole corpus as the prior: for a term w with counts y_v in
the view and y_r in the rest (n_v, n_r: the sums over every term of that kind), alpha_w = y_v + y_r
and alpha_0 = n_v + n_r,

    delta = log((y_v + alpha_w) / (n_v + alpha_0 - y_v - alpha_w))
          - log((y_r + alpha_w) / (n_r + alpha_0 - y_r - alpha_w))
    z     = delta / sqrt(1 / (y_v + alpha_w) + 1 / (y_r + alpha_w))

The prior pulls rare terms towards the corpus's own rates, so a term seen in two documents cannot
score like one seen in forty. A term is listed when z >= `z_threshold` (1.96 by default) and it is
in at least `min_documents` documents of the view (3 by default); most distinctive first.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import sparse

from signals import schema
from signals.analysis.emerging import memberships
from signals.analysis.parameters import DISTINCTIVE_KINDS as KINDS
from signals.analysis.parameters import DISTINCTIVE_MIN_DOCUMENTS as DEFAULT_MIN_DOCUMENTS
from signals.analysis.significance import Z_SIGNIFICANT
from signals.corpus_type import Corpus

COLUMNS = ("kind", "term", "in_view", "in_rest", "view_share", "rest_share", "z")
#: Letters only (accents included), at least three: numbers and "x2" say nothing on their own.
WORD_PATTERN = r"(?u)\b[^\W\d_]{3,}\b"


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"kind": pd.Series(dtype="str"), "term": pd.Series(dtype="str"),
                         "in_view": pd.Series(dtype="int64"), "in_rest": pd.Series(dtype="int64"),
                         "view_share": pd.Series(dtype="float64"), "rest_share": pd.Series(dtype="float64"),
                         "z": pd.Series(dtype="float64")})


def document_texts(corpus: Corpus) -> pd.Series:
    """doc_id -> the text words are read from: title, summary and the names of its table rows."""
    documents = corpus.documents
    doc_ids = documents["doc_id"].astype("str")
    text = pd.Series("", index=doc_ids.to_numpy(), dtype="str")
    for column in ("title", "summary"):
        if column in documents.columns:
            text = text + " " + documents[column].astype("str").fillna("").to_numpy()
    items = corpus.items
    if len(items) and "name" in items.columns:
        names = items["name"].astype("str").fillna("").groupby(items["doc_id"].astype("str"), observed=True).agg(" ".join)
        text = text + " " + names.reindex(text.index).fillna("").to_numpy()
    return text


#: Corpus -> its documents x words matrix and words, for as long as the Corpus object lives. Every
#: filtered view of one corpus compares against the same words: tokenizing the whole corpus was
#: 5.4 of distinctive_terms' 6.0 s at 10,000 documents (benchmarks/bench_compare.py), paid once now.
_WORDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _word_incidence(corpus: Corpus) -> tuple[sparse.csr_matrix, np.ndarray]:
    """documents x words 0/1 matrix (rows in corpus.documents order) and the words (kept per corpus)."""
    found = _WORDS.get(corpus)
    if found is None:
        found = _WORDS[corpus] = _count_words(corpus)
    return found


def _count_words(corpus: Corpus) -> tuple[sparse.csr_matrix, np.ndarray]:
    from sklearn.feature_extraction.text import CountVectorizer

    # Imported here: stop_words imports scikit-learn's list (0.64 s, on the app's first run when
    # imported with this module).
    from signals.analysis.stop_words import STOP_WORDS

    vectorizer = CountVectorizer(binary=True, lowercase=True, token_pattern=WORD_PATTERN,
                                 stop_words=sorted(STOP_WORDS), dtype=np.int64)
    try:
        matrix = vectorizer.fit_transform(document_texts(corpus).tolist())
    except ValueError:  # no words at all
        return sparse.csr_matrix((corpus.document_count, 0), dtype=np.int64), np.array([], dtype=object)
    return matrix.tocsr(), vectorizer.get_feature_names_out()


#: (Corpus, kind) -> its documents x themes (or keywords) matrix, terms and their keys, kept while the
#: Corpus lives: building them from the memberships was 0.14 of the 0.19 s each filter change spent
#: here at 10,000 documents (2 s at 100,000: benchmarks/bench_scale.py), for the same corpus every time.
_INCIDENCE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _incidence(corpus: Corpus, kind: str) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """documents x terms 0/1 matrix, the terms, and their keys (schema.theme_key), kept per corpus."""
    per_kind = _INCIDENCE.setdefault(corpus, {})
    if kind not in per_kind:
        matrix, terms = _word_incidence(corpus) if kind == "word" else _membership_incidence(corpus, kind)
        keys = pd.Series(terms.astype("str")).map(schema.theme_key).to_numpy()
        per_kind[kind] = (matrix, terms, keys)
    return per_kind[kind]


def _membership_incidence(corpus: Corpus, kind: str) -> tuple[sparse.csr_matrix, np.ndarray]:
    pairs = memberships(corpus, kind)
    doc_ids = corpus.document_facts["doc_id"].astype("str")
    rows = pd.Index(doc_ids).get_indexer(pairs["doc_id"])
    keys, names = pd.factorize(pairs["key"])
    spelled = pairs.drop_duplicates("key").set_index("key")["name"].reindex(names).to_numpy()
    keep = rows >= 0
    matrix = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.int64), (rows[keep], keys[keep])),
                               shape=(len(doc_ids), len(names)))
    matrix.data[:] = 1  # duplicates summed by the constructor count once
    return matrix, spelled


def log_odds_z(in_view: np.ndarray, in_rest: np.ndarray) -> np.ndarray:
    """Counts per term on each side -> Monroe et al.'s z-score with the corpus as prior (module docstring)."""
    y_v, y_r = np.asarray(in_view, dtype="float64"), np.asarray(in_rest, dtype="float64")
    alpha = y_v + y_r
    n_v, n_r = y_v.sum(), y_r.sum()
    alpha_0 = n_v + n_r
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((y_v + alpha) / (n_v + alpha_0 - y_v - alpha))
                 - np.log((y_r + alpha) / (n_r + alpha_0 - y_r - alpha)))
        z = delta / np.sqrt(1.0 / (y_v + alpha) + 1.0 / (y_r + alpha))
    return np.where(np.isfinite(z), z, 0.0)


def distinctive_terms(
    view: Corpus,
    corpus: Corpus,
    kinds: tuple[str, ...] = KINDS,
    *,
    min_documents: int = DEFAULT_MIN_DOCUMENTS,
    z_threshold: float = Z_SIGNIFICANT,
    top: int | None = None,
    exclude: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """A filtered view and the corpus it was filtered from -> DataFrame[kind, term, in_view, in_rest,
    view_share, rest_share, z]: the terms over-represented in the view (module docstring), most
    distinctive first within each kind, kinds in the order given, at most `top` per kind.

    in_view / in_rest: documents with the term in the view / in the rest of the corpus; the shares are
    those over the view's and the rest's documents. `exclude` (kind -> terms, any case or spacing)
    leaves out what the view was selected on: a view filtered on a theme trivially over-represents
    it (`excluded_by_filters` gives them). Empty when the view holds every document of the
    corpus or none (nothing to set apart).
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"kinds must be among {KINDS}, not {sorted(unknown)}")
    doc_ids = corpus.document_facts["doc_id"].astype("str")
    in_view = doc_ids.isin(set(view.document_facts["doc_id"].astype("str"))).to_numpy()
    view_count, rest_count = int(in_view.sum()), int((~in_view).sum())
    if view_count == 0 or rest_count == 0:
        return _empty()
    found = []
    for kind in kinds:
        matrix, terms, term_keys = _incidence(corpus, kind)
        if not len(terms):
            continue
        y_view = np.asarray(matrix[in_view].sum(axis=0)).ravel()
        y_rest = np.asarray(matrix[~in_view].sum(axis=0)).ravel()
        z = log_odds_z(y_view, y_rest)
        chosen = {schema.theme_key(str(t)) for t in (exclude or {}).get(kind, ())}
        wanted = ~np.isin(term_keys, list(chosen)) if chosen else np.ones(len(terms), dtype=bool)
        keep = np.flatnonzero((z >= z_threshold) & (y_view >= min_documents) & wanted)
        keep = keep[np.lexsort((terms[keep].astype("str"), -y_view[keep], -z[keep]))]
        if top is not None:
            keep = keep[:top]
        found.append(pd.DataFrame({
            "kind": kind, "term": terms[keep].astype("str"), "in_view": y_view[keep].astype("int64"),
            "in_rest": y_rest[keep].astype("int64"), "view_share": y_view[keep] / view_count,
            "rest_share": y_rest[keep] / rest_count, "z": z[keep],
        }))
    return pd.concat(found, ignore_index=True) if found else _empty()


def excluded_by_filters(filters) -> dict[str, tuple[str, ...]]:
    """A Filters value -> the terms its theme and keyword choices select on (for `exclude`)."""
    fields = filters.fields()
    return {"theme": tuple(fields.get("themes") or ()), "keyword": tuple(fields.get("keywords") or ())}

"""Ranked search over documents: words (SQLite FTS5, BM25) and meaning (embeddings) fused.

index       one SQLite FTS5 table per corpus, in the corpus's cache folder (semantic/search-<digest>.sqlite,
            rebuilt when any indexed text changes): a row per document (title + summary) and per table
            row (name + description), tokenised by `unicode61 remove_diacritics 2`, so that "energie"
            finds "énergie" and "Énergie" (the real corpus is partly French).
words       BM25 (FTS5's `bm25()`, its default rank) over those texts, any query word matching; a
            document ranks by its best-matching text.
meaning     cosine of the query's embedding with each document's (title + summary) embedding, exact
            (100,000 documents x 256 float16 values: 51 MB, a few milliseconds per query).
fusion      reciprocal rank fusion: score = sum over both lists of 1 / (RRF_K + rank). RRF needs no
            calibration between BM25 and cosine, and a document found by both ranks above one found by
            either alone.
snippets    FTS5's `snippet()` around the matched words, the matches between MARK_START and MARK_END;
            a document found by meaning alone shows the start of its summary.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from signals.semantic import store
from signals.semantic.model import FULL, embed, for_corpus
from signals.semantic.neighbours import Matcher

#: Reciprocal rank fusion constant (the usual 60: ranks 1 and 10 differ, ranks 100 and 110 barely).
RRF_K = 60
#: Candidates taken from each list before fusing.
CANDIDATES = 200
#: Cosine a document needs to count as found by meaning. On the real corpus unrelated documents
#: score 0.1-0.2 against a query ("énergie" vs a router security alert: 0.21) and related ones
#: 0.3-0.5 ("climate change adaptation" vs extreme-heat cities: 0.50).
MEANING_FLOOR = 0.25
#: Around matched words in snippets (the CLI prints them as [..], the app in bold).
MARK_START, MARK_END = "\x02", "\x03"
#: Words around a match in a snippet.
SNIPPET_WORDS = 16

RESULT_COLUMNS = ("rank", "doc_id", "title", "date", "score", "words_rank", "meaning_rank", "snippet")
_WORD = re.compile(r"\w+", re.UNICODE)
#: What highlight() marked: a match between MARK_START and MARK_END.
_MARKED = re.compile(re.escape(MARK_START) + "(.*?)" + re.escape(MARK_END), re.DOTALL)


@dataclass
class SearchIndex:
    """An opened search index: the FTS5 database, the documents' ids, titles, dates, summaries and
    their embeddings (float16, one row per document, in the order of `documents`)."""

    connection: sqlite3.Connection
    documents: pd.DataFrame
    vectors: np.ndarray
    model: str = FULL  # the vectors' model: the query is embedded by it

    #: The vectors searchable by a query (neighbours.Matcher: 0.28 s to make for 100,000 documents).
    matcher: Matcher = field(init=False)

    def __post_init__(self) -> None:
        self.matcher = Matcher(self.vectors)


#: Table rows turned into texts at a time (keying and building the index): the texts of all 2.1
#: million rows of 100,000 documents as Python strings took 1.5 GB and 5.5 s.
ROW_BATCH = 131_072


def _documents(corpus) -> pd.DataFrame:
    """The documents with doc_id and text (as embedded and indexed)."""
    return pd.DataFrame({"doc_id": corpus.documents["doc_id"].astype("str").to_numpy(),
                         "text": store.document_texts(corpus.documents).to_numpy()})


def _row_batches(items: pd.DataFrame):
    """(each row's doc_id code into `_doc_names(items)`, its text as Arrow strings) of the table rows,
    ROW_BATCH rows at a time (store.row_text_array); rows with no text are left out."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = items["doc_id"].astype("category").cat.codes.to_numpy()
    for start in range(0, len(items), ROW_BATCH):
        text = store.row_text_array(items, start, start + ROW_BATCH)
        kept = pc.not_equal(text, "").to_numpy(zero_copy_only=False)
        yield codes[start:start + ROW_BATCH][kept], pc.filter(text, pa.array(kept))


def _doc_names(items: pd.DataFrame) -> np.ndarray:
    """The rows' doc_ids by the codes `_row_batches` gives."""
    return items["doc_id"].astype("category").cat.categories.astype("str").to_numpy(dtype=object)


def _index_key(documents: pd.DataFrame, items: pd.DataFrame) -> str:
    """A digest of every indexed text and its document, made batch by batch from Arrow's buffers
    (no text of a row becomes a Python string)."""
    import pyarrow as pa
    import xxhash

    hasher = xxhash.xxh3_64()
    hasher.update(store.digests(documents["doc_id"] + "\x01" + documents["text"]).tobytes())
    hasher.update(store.digests(list(_doc_names(items))).tobytes())
    for codes, texts in _row_batches(items):
        hasher.update(np.ascontiguousarray(codes, dtype=np.int64).tobytes())
        texts = pa.concat_arrays([texts]) if texts.offset else texts
        _, offsets, data = texts.buffers()
        hasher.update(memoryview(offsets)[: (len(texts) + 1) * 8])
        if data is not None:
            hasher.update(memoryview(data))
    return f"{hasher.intdigest():016x}"


def _build(path: Path | None, documents: pd.DataFrame, items: pd.DataFrame) -> sqlite3.Connection:
    """Write the FTS5 table (documents first, then rows, a batch at a time) into `path` (None: in memory)."""
    target = ":memory:" if path is None else str(path.with_suffix(".tmp"))
    if path is not None:
        Path(target).unlink(missing_ok=True)
    connection = sqlite3.connect(target, check_same_thread=False)
    connection.execute("CREATE VIRTUAL TABLE texts USING fts5(doc_id UNINDEXED, text, "
                       "tokenize = 'unicode61 remove_diacritics 2')")
    connection.executemany("INSERT INTO texts(doc_id, text) VALUES (?, ?)",
                           zip(documents["doc_id"].tolist(), documents["text"].tolist()))
    names = _doc_names(items)
    for codes, texts in _row_batches(items):
        connection.executemany("INSERT INTO texts(doc_id, text) VALUES (?, ?)",
                               zip(names[codes].tolist(), texts.to_pylist()))
    connection.execute("INSERT INTO texts(texts) VALUES ('optimize')")
    connection.commit()
    if path is None:
        return connection
    connection.close()
    Path(target).replace(path)
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


def open_index(corpus, progress=None) -> SearchIndex:
    """Corpus -> its SearchIndex: the FTS5 file reused when its texts are unchanged, else (re)built;
    the documents' embeddings from the store (progress(done, total) while any are computed)."""
    documents = _documents(corpus)
    cache_dir = store.corpus_cache_dir(corpus.root)
    path = None
    if cache_dir is not None:
        folder = cache_dir / store.SUBFOLDER
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"search-{_index_key(documents, corpus.items)}.sqlite"
        for old in folder.glob("search-*.sqlite"):
            if old != path:
                old.unlink(missing_ok=True)
    if path is not None and path.is_file():
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        connection = _build(path, documents, corpus.items)
    model = for_corpus(corpus)
    vectors = store.embeddings(documents["text"].tolist(), cache_dir, "documents", progress, model)
    shown = corpus.documents[["doc_id", "title", "date"]].astype({"doc_id": "str"}).reset_index(drop=True)
    shown["summary"] = (corpus.documents["summary"].astype("object").reset_index(drop=True)
                        if "summary" in corpus.documents.columns else None)
    # The model each query is embedded by, loaded now: the first search otherwise paid for it
    # (571 ms, the worst of 20 queries at 100,000 documents; the others at most 180 ms).
    embed(["warm"], model=model)
    fts_query("warm")  # and the stop words' module (scikit-learn's text features: 0.9 s to import)
    return SearchIndex(connection, shown, vectors, model)


def query_words(query: str) -> list[str]:
    """A user's words that the words search looks for: stop words are left out unless the query has
    nothing else ("in" matches most of the 2.1 million rows indexed at 100,000 documents, and "AI in
    schools" took 3.3 s where the other queries took 0.4 s; BM25's IDF gives them almost no weight)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from signals.semantic.grouping import FRENCH_FUNCTION_WORDS

    words = _WORD.findall(query)
    content = [w for w in words if w.lower() not in ENGLISH_STOP_WORDS and w.lower() not in FRENCH_FUNCTION_WORDS]
    return content or words


def fts_query(query: str) -> str:
    """A user's words -> an FTS5 query matching any of them (each quoted: no FTS syntax gets through)."""
    return " OR ".join(f'"{w}"' for w in query_words(query))


def words_needed(query: str) -> int:
    """How many of a query's words (`query_words`) a document found by its words alone must contain:
    half of them, rounded down, from four words on ("farmers flying drones over their fields": 2 of
    farmers, flying, drones, fields; "heat pumps replacing gas boilers": 2 of 5, so an article on
    heat pumps is found), else one. On the real corpus the farmers query's words-only results 11-20
    each matched "fields" alone ("AI in Creative Fields", magnetic fields), and, through the search
    facet, every page counted them. The words may be in any of a document's texts (its title and
    summary, its rows). Documents found by meaning are kept whatever words they use."""
    count = len({_fold(w) for w in query_words(query)})
    return max(1, count // 2)


def _fold(word: str) -> str:
    """A word as the index compares it: lower case, accents removed (unicode61 remove_diacritics)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(index: SearchIndex, query: str, top: int = 20, within: set[str] | None = None) -> pd.DataFrame:
    """A query -> the `top` documents by fused rank (RESULT_COLUMNS): score = RRF of the words rank
    and the meaning rank (either may be missing: NA), snippet with MARK_START/MARK_END around matches.
    within: only these doc_ids are ranked (the documents a filtered view keeps); None: all."""
    query = query.strip()
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in RESULT_COLUMNS})
    if not query or len(index.documents) == 0:
        return empty
    words_rank, best_text, texts_of = {}, {}, {}
    match = fts_query(query)
    if match:
        # Ranked first, snippets after for the documents shown only: SQLite computes a result
        # column for every matching text before sorting, and snippet() over the 53,000 texts
        # "farmers flying drones over their fields" matches at 100,000 documents took 0.6 s.
        found = index.connection.execute(
            "SELECT rowid, doc_id FROM texts WHERE texts MATCH ? ORDER BY rank LIMIT ?",
            (match, CANDIDATES * 5)).fetchall()
        for text_id, doc_id in found:
            if within is not None and doc_id not in within:
                continue
            texts_of.setdefault(doc_id, []).append(text_id)
            if doc_id not in words_rank:
                words_rank[doc_id] = len(words_rank) + 1
                best_text[doc_id] = text_id
            if len(words_rank) >= CANDIDATES:
                break
    query_vector = embed([query], model=index.model)[0]
    meaning_rank = {}
    if np.any(query_vector):
        ids = index.documents["doc_id"].to_numpy()
        kept = None if within is None else np.flatnonzero(np.isin(ids, np.asarray(sorted(within), dtype=object)))
        positions, similarities = index.matcher.top(query_vector, CANDIDATES, kept)
        positions = positions[similarities >= MEANING_FLOOR]
        meaning_rank = {str(ids[p]): rank for rank, p in enumerate(positions, start=1)}
    needed = words_needed(query)
    if needed > 1 and words_rank:
        matched = _matched_words(index, match, {d: texts_of[d] for d in words_rank if d not in meaning_rank})
        weak = {doc_id for doc_id, count in matched.items() if count < needed}
        ranked = [doc_id for doc_id in words_rank if doc_id not in weak]  # still in BM25 order
        words_rank = {doc_id: rank for rank, doc_id in enumerate(ranked, start=1)}
    candidates = set(words_rank) | set(meaning_rank)
    if not candidates:
        return empty
    scored = pd.DataFrame({"doc_id": sorted(candidates)})
    scored["words_rank"] = scored["doc_id"].map(words_rank).astype("Int64")
    scored["meaning_rank"] = scored["doc_id"].map(meaning_rank).astype("Int64")
    scored["score"] = (1 / (RRF_K + scored["words_rank"].astype("float64"))).fillna(0) + \
        (1 / (RRF_K + scored["meaning_rank"].astype("float64"))).fillna(0)
    scored = scored.sort_values(["score", "doc_id"], ascending=[False, True], kind="stable").head(top)
    scored = scored.merge(index.documents, on="doc_id", how="left")
    snippets = _snippets(index, match, {d: best_text[d] for d in scored["doc_id"] if d in best_text})
    summary_start = scored["summary"].astype("object").where(scored["summary"].notna(), "").astype("str")
    summary_start = summary_start.str.slice(0, 160)
    scored["snippet"] = scored["doc_id"].map(snippets).fillna(summary_start)
    scored["rank"] = np.arange(1, len(scored) + 1)
    return scored[list(RESULT_COLUMNS)].reset_index(drop=True)


def _snippets(index: SearchIndex, match: str, texts: dict[str, int]) -> dict[str, str]:
    """doc_id -> FTS5's snippet of its best-matching text (`texts`: doc_id -> that text's rowid)."""
    if not texts:
        return {}
    marks = ",".join("?" * len(texts))
    found = dict(index.connection.execute(
        f"SELECT rowid, snippet(texts, 1, ?, ?, '…', ?) FROM texts WHERE texts MATCH ? AND rowid IN ({marks})",
        (MARK_START, MARK_END, SNIPPET_WORDS, match, *texts.values())).fetchall())
    return {doc_id: found[text_id] for doc_id, text_id in texts.items() if text_id in found}


def _matched_words(index: SearchIndex, match: str, texts: dict[str, list[int]]) -> dict[str, int]:
    """doc_id -> how many distinct query words its matching texts contain, all of them together (a
    title may say "energy" and a row "transition"), read from FTS5's own highlighting; `texts`: each
    document's texts among the best-ranked matches (rowids). Those only: asking FTS5 for every
    matching text of the documents (`doc_id IN (...)`) read all 53,000 texts "farmers flying drones
    over their fields" matches at 100,000 documents, and the worst query took 280 ms instead of 170."""
    rowids = [rowid for ids in texts.values() for rowid in ids]
    if not rowids:
        return {}
    marks = ",".join("?" * len(rowids))
    found = index.connection.execute(
        f"SELECT doc_id, highlight(texts, 1, ?, ?) FROM texts WHERE texts MATCH ? AND rowid IN ({marks})",
        (MARK_START, MARK_END, match, *rowids)).fetchall()
    words: dict[str, set[str]] = {doc_id: set() for doc_id in texts}
    for doc_id, text in found:
        words[doc_id].update(_fold(word) for hit in _MARKED.findall(text) for word in _WORD.findall(hit))
    return {doc_id: len(found_words) for doc_id, found_words in words.items()}


def plain_snippet(snippet: str, start: str = "[", end: str = "]") -> str:
    """A snippet with its match marks replaced by `start` / `end` (for text output)."""
    return str(snippet).replace(MARK_START, start).replace(MARK_END, end)

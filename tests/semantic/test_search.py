"""signals.semantic.search and `signals search`: words and meaning fused, accents ignored, snippets
highlighted, filters respected."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from signals import schema
from signals.corpus_type import Corpus
from signals.semantic import search

DOCUMENTS = [
    ("agri", "Growers adopt unmanned aircraft to spray crops",
     "Across the wheat belt, pilotless craft now dose fertiliser and watch plantations from the air."),
    ("army", "Army tests drone swarms over the battlefield",
     "Military drones flying in formation were trialled by soldiers."),
    ("bank", "Central bank raises interest rates", "Borrowing costs climb again as inflation persists."),
    ("solar", "Loi sur l'énergie solaire", "Le Parlement adopte une loi pour les panneaux photovoltaïques."),
    ("bees", "Rooftop beekeeping spreads in cities", "Urban hives multiply on office roofs."),
]


def corpus_of(documents) -> Corpus:
    frame = pd.DataFrame(documents, columns=["doc_id", "title", "summary"])
    frame["date"] = pd.Timestamp("2024-01-01")
    items = pd.DataFrame({"doc_id": ["bees"], "section": pd.Categorical(["signals"]), "row": [0], "line": [9],
                          "name": ["Honey from the high street"], "description": ["Shops sell rooftop honey."],
                          "relevancy": pd.array([3], dtype="Int8"), "label": ["Honey from the high street"]})
    return Corpus(documents=frame, keywords=pd.DataFrame({"doc_id": [], "keyword": []}),
                  themes=pd.DataFrame({"doc_id": [], "theme": [], "theme_key": []}), items=items,
                  links=pd.DataFrame(columns=list(schema.LINK_COLUMNS)),
                  problems=pd.DataFrame(columns=["doc_id", *schema.PROBLEM_COLUMNS]))


@pytest.fixture(scope="module")
def index():
    return search.open_index(corpus_of(DOCUMENTS))


def test_meaning_finds_the_farm_drones_whatever_their_words(index):
    """No word of the query is in the agriculture article; it ranks first or second, by meaning."""
    results = search.search(index, "farmers flying drones over their fields", top=3)
    assert "agri" in results["doc_id"].head(2).tolist()
    agri = results.set_index("doc_id").loc["agri"]
    assert pd.isna(agri["words_rank"]) and agri["meaning_rank"] <= 2
    assert "bank" not in results["doc_id"].tolist()


def test_words_are_highlighted_and_accents_ignored(index):
    results = search.search(index, "energie", top=5)
    solar = results.set_index("doc_id").loc["solar"]
    assert solar["words_rank"] == 1
    assert search.plain_snippet(solar["snippet"]).startswith("Loi sur l'[énergie] solaire.")


def test_table_rows_are_searched_for_their_document(index):
    results = search.search(index, "honey", top=5)
    assert results["doc_id"].iloc[0] == "bees"
    assert "[honey]" in search.plain_snippet(results["snippet"].iloc[0]).lower()


def test_found_by_both_ranks_above_found_by_one(index):
    results = search.search(index, "drones flying over the battlefield", top=5)
    assert results["doc_id"].iloc[0] == "army"
    first = results.iloc[0]
    assert first["score"] == pytest.approx(1 / (60 + first["words_rank"]) + 1 / (60 + first["meaning_rank"]))


def test_within_restricts_and_syntax_is_plain_text(index):
    results = search.search(index, "drones", within={"agri", "bank"})
    assert set(results["doc_id"]) <= {"agri", "bank"}
    assert search.search(index, 'NEAR( "unbalanced AND', top=3) is not None  # FTS syntax is quoted away
    assert search.search(index, "   ").empty


def test_cli_search_csv(tmp_path, capsys):
    from signals.cli import main
    from signals.synth import write_corpus

    write_corpus(tmp_path / "c", 30, seed=6)
    assert main(["search", str(tmp_path / "c"), "semiconductors translation", "--top", "4", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == list(search.RESULT_COLUMNS)
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert any("**" in r["snippet"] for r in rows)  # matched words marked in CSV


def test_stop_words_left_out_of_the_words_query():
    assert search.fts_query("AI in the schools") == '"AI" OR "schools"'
    assert search.fts_query("les drones dans les champs") == '"drones" OR "champs"'
    assert search.fts_query("the") == '"the"'  # nothing else: kept


def test_search_is_a_facet_that_keeps_the_documents_found():
    """`search` is declared in signals.facets: in the URL, in words, and narrowing every view to
    the documents the query finds by words or meaning (here by meaning: no word in common)."""
    from signals.filters import Filters, apply

    filters = Filters.from_params({"search": ["farmers flying drones over their fields"]})
    assert filters.to_params() == {"search": ["farmers flying drones over their fields"]}
    assert "farmers flying drones" in filters.describe()["search"]
    kept = apply(corpus_of(DOCUMENTS), filters)
    ids = set(kept.documents["doc_id"])
    assert "agri" in ids and "bank" not in ids and "bees" not in ids
    assert kept.items.empty  # the only table row belongs to a document the search did not find


def test_cli_search_flag_narrows_other_commands(tmp_path, capsys):
    """Every command takes --search like the other filter flags: export lists only the found documents."""
    from signals.cli import main
    from signals.synth import write_corpus

    write_corpus(tmp_path / "c", 40, seed=2)
    assert main(["export", str(tmp_path / "c"), "--out", str(tmp_path / "all"), "--format", "csv"]) == 0
    assert main(["export", str(tmp_path / "c"), "--out", str(tmp_path / "found"), "--format", "csv",
                 "--search", "heat pumps"]) == 0
    capsys.readouterr()
    every = pd.read_csv(tmp_path / "all" / "documents.csv")
    found = pd.read_csv(tmp_path / "found" / "documents.csv")
    assert 0 < len(found) < len(every)
    assert set(found["doc_id"]) <= set(every["doc_id"])


def test_indexed_row_texts_are_the_embedded_texts_batch_by_batch(monkeypatch):
    """The index makes its rows' texts a batch at a time; they must be exactly the texts embedded
    (store.row_texts) and the rule written out below, rows without text left out, each with its
    own document."""
    from signals.semantic import store

    items = pd.DataFrame({
        "doc_id": pd.Categorical(["a", "a", "b", "b", "c", "c", "d"]),
        "name": ["  Drones ", None, "", "Énergie", "x", None, "  "],
        "description": ["over fields ", "only a description", "", None, "  ", None, "\tcalm "],
        "label": ["Drones", "only a description", "", "Énergie", "x", "label alone", ""],
    })
    monkeypatch.setattr(search, "ROW_BATCH", 3)  # batches that split documents
    got, owners = [], []
    names = search._doc_names(items)
    for codes, texts in search._row_batches(items):
        got += texts.to_pylist()
        owners += list(names[codes])
    expected = store.row_texts(items)
    assert got == [t for t in expected if t] == ["Drones. over fields", "only a description", "Énergie", "x",
                                               "label alone", "calm"]
    assert owners == ["a", "a", "b", "c", "c", "d"]
    without_name = items.drop(columns=["name"])
    assert [t for _, batch in search._row_batches(without_name) for t in batch.to_pylist()] == \
        [t for t in store.row_texts(without_name) if t]


def test_the_index_key_changes_with_any_row_text_and_only_then():
    documents = search._documents(corpus_of(DOCUMENTS))
    items = corpus_of(DOCUMENTS).items
    key = search._index_key(documents, items)
    assert search._index_key(documents, items.copy()) == key
    edited = items.assign(description=["Shops sell rooftop honey!"])
    assert search._index_key(documents, edited) != key
    moved = items.assign(doc_id=pd.Categorical(["agri"]))
    assert search._index_key(documents, moved) != key


def test_a_document_found_by_words_alone_needs_half_the_query_words():
    """"farmers flying drones over their fields" has four words to find (over, their are stop
    words): a document found by its words alone needs two of them; one matching "fields" alone is
    not a result, one matching "farmers" and "fields" is."""
    documents = [*DOCUMENTS,
                 ("oil", "Oil fields in the North Sea sold to a fund", "The pension fund bought the offshore stakes."),
                 ("fair", "County fair draws farmers from neighbouring fields", "A weekend of livestock shows.")]
    assert search.query_words("farmers flying drones over their fields") == ["farmers", "flying", "drones", "fields"]
    assert search.words_needed("farmers flying drones over their fields") == 2
    assert search.words_needed("énergie solaire") == 1
    assert search.words_needed("Énergie, ENERGIE et énergie") == 1  # one word, however written
    index = search.open_index(corpus_of(documents))
    results = search.search(index, "farmers flying drones over their fields", top=20)
    found = results.set_index("doc_id")
    assert found.loc["fair", "words_rank"] >= 1
    assert "oil" not in found.index  # "fields" alone, and far in meaning
    assert "oil" in search.search(index, "fields", top=20)["doc_id"].tolist()  # which it does contain
    assert found.loc["army", "words_rank"] >= 1  # "flying" and "drones"


def test_the_words_needed_may_be_in_different_texts_of_a_document():
    """"farmers" in the title, "fields" in one of its rows: two of the four words, so the document is
    found by its words, as if they were in one text."""
    documents = [*DOCUMENTS, ("split", "Farmers gather for the harvest festival", "A weekend of music and stalls.")]
    corpus = corpus_of(documents)
    row = pd.DataFrame({"doc_id": ["split"], "section": pd.Categorical(["signals"]), "row": [0], "line": [9],
                        "name": ["Wheat fields under snow"], "description": ["Winter arrives early."],
                        "relevancy": pd.array([3], dtype="Int8"), "label": ["Wheat fields under snow"]})
    corpus = corpus.with_frames(items=pd.concat([corpus.items, row], ignore_index=True))
    results = search.search(search.open_index(corpus), "farmers flying drones over their fields", top=20)
    split = results.set_index("doc_id").loc["split"]
    assert not pd.isna(split["words_rank"])

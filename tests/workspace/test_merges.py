"""signals.workspace.merges: what a merge, unmerge, split and import store, how the stored merges
combine with an aliases file, and the counts a user sees once they are applied (computed here from
the raw themes frame, independently of apply_aliases)."""

from __future__ import annotations

import pytest

from signals import schema
from signals.aliases import apply_aliases
from signals.ingest.load import load_corpus
from signals.synth import write_corpus
from signals.workspace import WorkspaceError, merges, open_store, theme_aliases
from signals.workspace.store import Store


@pytest.fixture()
def store(tmp_path) -> Store:
    return Store.open(tmp_path / "ws.sqlite")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("merge-corpus")
    write_corpus(path, 60, seed=3)
    return path


@pytest.fixture(scope="module")
def corpus(folder):
    return load_corpus(folder)


def _documents_with(corpus, spellings: list[str]) -> set[str]:
    """Documents carrying any of these spellings (by key), read straight from the raw frame."""
    keys = {schema.theme_key(s) for s in spellings}
    return {doc for doc, key in zip(corpus.themes["doc_id"], corpus.themes["theme_key"].astype(str)) if key in keys}


def test_merged_counts_equal_the_union_of_the_spellings_documents(store, corpus):
    ai = _documents_with(corpus, ["AI"])
    spelled_out = _documents_with(corpus, ["artificial intelligence"])
    assert ai and spelled_out and ai != spelled_out, "the corpus has both spellings on different documents"
    merges.merge_themes(store, ["AI", "artificial intelligence"], "artificial intelligence", by="ana")
    merged = apply_aliases(corpus, merges.mapping(store))
    counts = merged.themes.drop_duplicates(["doc_id", "theme_key"])["theme"].astype(str).value_counts()
    assert counts["artificial intelligence"] == len(ai | spelled_out)
    assert "AI" not in counts.index
    # Every other theme keeps its count.
    before = corpus.themes.drop_duplicates(["doc_id", "theme_key"])["theme"].astype(str).value_counts()
    others = [t for t in before.index if schema.theme_key(t) not in ("ai", "artificial intelligence")]
    assert counts[others].to_dict() == before[others].to_dict()


def test_a_new_name_and_its_spelling_are_what_the_corpus_shows(store, corpus):
    merges.merge_themes(store, ["AI", "artificial intelligence", "machine learning"], "AI & ML", by="ana")
    merged = apply_aliases(corpus, merges.mapping(store))
    themes = set(merged.themes["theme"].astype(str))
    assert "AI & ML" in themes and not {"AI", "artificial intelligence", "machine learning"} & themes
    documents = merged.themes.loc[merged.themes["theme"] == "AI & ML", "doc_id"]
    assert set(documents) == _documents_with(corpus, ["AI", "artificial intelligence", "machine learning"])
    assert documents.is_unique, "a document with two of the spellings counts once"


def test_merging_into_a_merged_theme_keeps_the_table_flat(store):
    merges.merge_themes(store, ["A.I."], "AI")
    merges.merge_themes(store, ["AI"], "artificial intelligence")
    assert merges.mapping(store) == {"a.i.": "artificial intelligence", "ai": "artificial intelligence"}
    # Turning the pair around: the theme merged into one of its own aliases.
    merges.merge_themes(store, ["artificial intelligence"], "AI")
    assert merges.mapping(store) == {"a.i.": "AI", "artificial intelligence": "AI"}


def test_a_merge_into_an_alias_of_another_theme_is_refused(store):
    merges.merge_themes(store, ["AI"], "artificial intelligence")
    with pytest.raises(merges.MergeError, match="“AI” is itself merged into “artificial intelligence”"):
        merges.merge_themes(store, ["machine learning"], "AI")
    with pytest.raises(merges.MergeError, match="nothing to merge"):
        merges.merge_themes(store, ["ai", " AI "], "AI")
    assert len(store.changes()) == 1, "refused merges are not recorded"


def test_unmerge_and_split(store):
    merges.merge_themes(store, ["AI", "A.I.", "artificial intelligence"], "artificial intelligence", by="ana")
    assert merges.unmerge(store, ["a.i."], by="ben") == "unmerged “A.I.” from “artificial intelligence”"
    assert merges.mapping(store) == {"ai": "artificial intelligence"}
    with pytest.raises(merges.MergeError, match="not merged"):
        merges.unmerge(store, ["A.I."])
    merges.merge_themes(store, ["ML"], "machine learning")
    merges.split(store, "Artificial Intelligence")
    assert merges.mapping(store) == {"ml": "machine learning"}
    listed = merges.theme_merges(store)
    assert [(m.alias, m.theme) for m in listed] == [("ML", "machine learning")]


def test_import_an_aliases_file_as_one_change(store):
    summary = merges.import_aliases(store, {"ai": "artificial intelligence", "a.i.": "artificial intelligence",
                                            "heat pumps": "heat pump"}, by="ana")
    assert summary == "imported 3 aliases into 2 themes"
    assert merges.mapping(store) == {"ai": "artificial intelligence", "a.i.": "artificial intelligence",
                                     "heat pumps": "heat pump"}
    assert len(store.changes()) == 1
    store.undo_last()
    assert merges.mapping(store) == {}


def test_combine_the_file_wins_and_chains_resolve():
    workspace = {"ai": "artificial intelligence", "ml": "machine learning"}
    file = {"artificial intelligence": "AI", "ml": "ML & AI"}
    combined, left_out = merges.combine(file, workspace)
    # The workspace's ai -> artificial intelligence loops with the file's artificial intelligence -> AI.
    assert combined == {"artificial intelligence": "AI", "ml": "ML & AI"}
    assert left_out == ["ai"]
    combined, left_out = merges.combine({"artificial intelligence": "A.I."}, {"ai": "artificial intelligence"})
    assert combined == {"ai": "A.I.", "artificial intelligence": "A.I."} and left_out == []


def test_theme_aliases_reads_the_folders_workspace(folder, tmp_path, monkeypatch):
    assert theme_aliases(folder).mapping == {}
    workspace = tmp_path / "team.sqlite"
    merges.merge_themes(Store.open(workspace), ["AI"], "artificial intelligence")
    assert theme_aliases(folder, workspace).mapping == {"ai": "artificial intelligence"}
    monkeypatch.setenv("SIGNALS_WORKSPACE", str(workspace))
    assert theme_aliases(folder).mapping == {"ai": "artificial intelligence"}
    # An unreadable workspace: a note, and the aliases file alone.
    workspace.write_bytes(b"not a database")
    found = theme_aliases(folder, file_aliases={"ml": "machine learning"})
    assert found.mapping == {"ml": "machine learning"}
    assert "is not a SQLite database" in found.notes[0] and str(workspace) in found.notes[0]
    with pytest.raises(WorkspaceError, match="is not a SQLite database"):
        open_store(folder)  # what merging would open: refused, the file left as it is
    assert workspace.read_bytes() == b"not a database"

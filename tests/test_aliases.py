"""signals.aliases: reading the file, merging themes everywhere downstream, suggesting synonyms."""

from __future__ import annotations

import pandas as pd
import pytest

from signals import aliases, schema
from signals.analysis.incidence import encode
from signals.corpus_type import Corpus
from signals.filters import Filters, apply


def make_corpus(themes: list[tuple[str, str]]) -> Corpus:
    doc_ids = sorted({d for d, _ in themes})
    documents = pd.DataFrame({"doc_id": doc_ids, "title": doc_ids,
                              "date": pd.to_datetime(["2024-01-01"] * len(doc_ids))})
    frame = pd.DataFrame(themes, columns=["doc_id", "theme"])
    frame["theme_key"] = frame["theme"].map(schema.theme_key).astype("category")
    frame["theme"] = frame["theme"].astype("category")
    items = pd.DataFrame({c: pd.Series(dtype="str") for c in ("doc_id", "section", "name", "description", "label")})
    items["relevancy"] = pd.Series(dtype="Int8")
    return Corpus(documents=documents, keywords=pd.DataFrame({"doc_id": [], "keyword": []}), themes=frame,
                  items=items, links=pd.DataFrame(columns=list(schema.LINK_COLUMNS)),
                  problems=pd.DataFrame(columns=["doc_id", *schema.PROBLEM_COLUMNS]))


CORPUS = make_corpus([
    ("d1", "AI"), ("d1", "artificial intelligence"), ("d2", "AI"), ("d2", "heat pump"), ("d3", "Artificial Intelligence"),
    ("d3", "heat pump"), ("d4", "heat pumps"), ("d4", "cyber security"), ("d5", "cybersecurity"),
    ("d5", "climate"), ("d6", "climate change"), ("d6", "Robots"), ("d1", "farming technology"),
    ("d2", "technology in farming"), ("d3", "military technology"), ("d4", "technology"),
    ("d5", "technology adoption"), ("d3", "technological adoption"),
])


def test_parse_header_comments_and_chains():
    text = "\ufeffalias,theme\n# a comment\n\nAI , artificial intelligence\nA.I.,AI\n heat pumps ,heat pump,extra\n"
    mapping = aliases.parse_aliases(text)
    # A.I. -> AI -> artificial intelligence; keys are theme keys (case-folded, spaces collapsed).
    assert mapping == {"ai": "artificial intelligence", "a.i.": "artificial intelligence", "heat pumps": "heat pump"}
    assert aliases.parse_aliases("x,x\n") == {}


@pytest.mark.parametrize(("text", "line"), [("alias,theme\nonly one cell\n", 2), ("a,b\nb,a\n", 2), ("a,\n", 1)])
def test_parse_errors_name_the_line(text, line):
    with pytest.raises(aliases.AliasError, match=f"line {line}"):
        aliases.parse_aliases(text)


def test_read_file(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("alias,theme\nheat pumps,heat pump\n", encoding="utf-8")
    assert aliases.read_aliases(path) == {"heat pumps": "heat pump"}


def test_apply_merges_everywhere_downstream():
    mapping = aliases.parse_aliases("AI,artificial intelligence\nheat pumps,heat pump\n")
    merged = aliases.apply_aliases(CORPUS, mapping)
    themes = merged.themes
    assert isinstance(themes["theme"].dtype, pd.CategoricalDtype)
    assert isinstance(themes["theme_key"].dtype, pd.CategoricalDtype)
    # d1 carried both spellings: one row now.
    assert len(themes[(themes["doc_id"] == "d1") & (themes["theme_key"] == "artificial intelligence")]) == 1
    ranking = encode(merged).theme_ranking.set_index("theme")["documents"]
    assert ranking["artificial intelligence"] == 3 and ranking["heat pump"] == 3
    assert "AI" not in ranking.index
    # Filters see the merged theme, by either spelling of the target.
    assert len(apply(merged, Filters(themes=("Artificial Intelligence",))).documents) == 3
    assert aliases.apply_aliases(CORPUS, {}) is CORPUS
    assert aliases.apply_aliases(CORPUS, {"never seen": "x"}) is CORPUS


def test_apply_uses_the_files_spelling_for_a_new_target():
    merged = aliases.apply_aliases(CORPUS, aliases.parse_aliases("robots,Robotics\n"))
    assert merged.themes.loc[merged.themes["doc_id"] == "d6", "theme"].astype("str").tolist() == [
        "climate change", "Robotics"]


def test_suggestions():
    table = aliases.suggest_synonyms(CORPUS)
    assert list(table.columns) == list(aliases.SUGGESTION_COLUMNS)
    found = {(row.alias, row.theme): row.reason for row in table.itertuples()}
    assert found[("heat pumps", "heat pump")] == "plural"
    assert found[("cybersecurity", "cyber security")] == "spelling"
    evidence = {(row.alias, row.theme): row.evidence for row in table.itertuples()}
    # The same words in another order, or differing in their endings: shared words.
    reordered = next(pair for pair in found if set(pair) == {"farming technology", "technology in farming"})
    assert (found[reordered], evidence[reordered]) == ("shared words", "the same words in another order")
    # Differing in an ending: by spelling, shared words or meaning, whichever sees it first.
    assert any(set(pair) == {"technology adoption", "technological adoption"} for pair in found)
    # A narrower form is not a synonym: one name's words inside the other's.
    offered = {frozenset(pair) for pair in found}
    for narrower, broader in (("climate change", "climate"), ("military technology", "technology"),
                              ("farming technology", "technology"), ("technology adoption", "technology")):
        assert frozenset((narrower, broader)) not in offered, (narrower, broader)
    acronym = table[table["reason"] == "acronym"].iloc[0]
    assert {acronym["alias"], acronym["theme"]} == {"AI", "artificial intelligence"}
    # The more used theme is the target: artificial intelligence (d1, d3) vs AI (d1, d2) tie -> longer.
    assert acronym["theme"] == "artificial intelligence"
    assert (acronym["alias_documents"], acronym["theme_documents"]) == (2, 2)
    assert table["reason"].map(aliases.REASONS.index).is_monotonic_increasing
    assert aliases.suggest_synonyms(CORPUS, limit=1).shape[0] == 1
    assert aliases.suggest_synonyms(make_corpus([("d1", "alone")])).empty


def test_suggestions_round_trip_as_an_aliases_file():
    table = aliases.suggest_synonyms(CORPUS)
    mapping = aliases.parse_aliases(aliases.aliases_csv(table))
    assert mapping[schema.theme_key("heat pumps")] == "heat pump"
    merged = aliases.apply_aliases(CORPUS, mapping)
    assert merged.themes["theme_key"].nunique() < CORPUS.themes["theme_key"].nunique()
    assert aliases.fingerprint(mapping) == aliases.fingerprint(dict(reversed(list(mapping.items()))))


def _pairs(table: pd.DataFrame) -> dict[frozenset, str]:
    return {frozenset((row.alias, row.theme)): row.reason for row in table.itertuples()}


def test_acronyms_stand_for_every_word_and_never_contain_themselves():
    corpus = make_corpus([
        ("d1", "AI"), ("d2", "AI innovation"), ("d3", "ai integration"), ("d4", "artificial intelligence"),
        ("d5", "IoT"), ("d6", "internet of things"), ("d1", "IT"), ("d2", "R&D"), ("d3", "research and development"),
        ("d4", "ESG"), ("d5", "environmental, social and governance"), ("d6", "STEM"),
        ("d1", "science, technology, engineering and mathematics"), ("d2", "USA"), ("d3", "United States of America"),
    ])
    found = _pairs(aliases.suggest_synonyms(corpus, limit=None))
    for short, long in (("ESG", "environmental, social and governance"),
                        ("STEM", "science, technology, engineering and mathematics"), ("USA", "United States of America")):
        assert found[frozenset((short, long))] == "acronym", short
    assert found[frozenset(("AI", "artificial intelligence"))] == "acronym"
    assert found[frozenset(("IoT", "internet of things"))] == "acronym"
    assert found[frozenset(("R&D", "research and development"))] == "acronym"
    # "AI innovation" starts with "AI"; it is not what "AI" stands for, nor is "IT" internet of things.
    for wrong in (("AI", "AI innovation"), ("AI", "ai integration"), ("IT", "internet of things")):
        assert frozenset(wrong) not in found, wrong


def test_opposites_are_never_offered_as_synonyms():
    """Spelled alike or embedded alike, but opposites: "unstructured data" is ratio 94 from
    "structured data", and "bull market" / "bear market" are each other's nearest theme by meaning."""
    corpus = make_corpus([
        ("d1", "structured data"), ("d2", "unstructured data"), ("d3", "bull market"), ("d4", "bear market"),
        ("d5", "équilibre"), ("d6", "déséquilibre"), ("d1", "inflation"), ("d2", "deflation"),
        ("d3", "labor market"), ("d4", "labour market"), ("d5", "pre-war economy"), ("d6", "post-war economy"),
        ("d1", "deforestation"), ("d2", "reforestation"), ("d3", "transformation"), ("d4", "transportation"),
    ])
    found = _pairs(aliases.suggest_synonyms(corpus, limit=None))
    for opposite in (("structured data", "unstructured data"), ("bull market", "bear market"),
                     ("équilibre", "déséquilibre"), ("inflation", "deflation"), ("pre-war economy", "post-war economy"),
                     ("deforestation", "reforestation")):
        assert frozenset(opposite) not in found, opposite
    assert found[frozenset(("labor market", "labour market"))] == "spelling"  # a spelling, not an opposite
    # Spelled 86% alike, but differing in their middle: two words, not one word's endings.
    assert found.get(frozenset(("transformation", "transportation"))) in (None, "meaning")

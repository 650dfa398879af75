"""`suggest_synonyms` by meaning: theme names that mean the same without sharing a spelling, each
with its evidence; narrower forms ("privacy" / "data privacy") are not offered as synonyms."""

from __future__ import annotations

import numpy as np
import pandas as pd
from test_search import DOCUMENTS, corpus_of

from signals.aliases import MEANING_SIMILARITY, suggest_synonyms
from signals.semantic.model import embed

THEMES = ["depopulation", "population decline", "privacy", "data privacy", "semiconductors", "beekeeping",
          "skills", "skill sets"]


def test_meaning_suggestions_with_evidence():
    corpus = corpus_of(DOCUMENTS)
    themes = pd.DataFrame({"doc_id": [DOCUMENTS[i % len(DOCUMENTS)][0] for i in range(len(THEMES))],
                           "theme": THEMES, "theme_key": THEMES})
    corpus = corpus.with_frames(themes=themes)
    table = suggest_synonyms(corpus, limit=None)
    meaning = table[table["reason"] == "meaning"]
    pairs = {frozenset((a, b)) for a, b in zip(meaning["alias"], meaning["theme"])}
    depopulation, decline = embed(["depopulation", "population decline"])
    cosine = float(depopulation @ decline)
    assert cosine >= MEANING_SIMILARITY
    assert frozenset(("depopulation", "population decline")) in pairs
    assert frozenset(("privacy", "data privacy")) not in pairs  # narrower, not the same
    skills, sets = embed(["skills", "skill sets"])
    assert float(skills @ sets) >= MEANING_SIMILARITY  # close by meaning, and yet
    assert frozenset(("skills", "skill sets")) not in pairs  # narrower, plurals aside
    row = meaning[meaning["alias"].isin(["depopulation", "population decline"])].iloc[0]
    assert row["similarity"] == round(cosine, 3)
    assert row["evidence"].startswith(f"names' embeddings at cosine {cosine:.2f}")
    assert np.isclose(row["similarity"], cosine, atol=1e-3)


def test_names_sharing_a_word_are_judged_by_the_words_they_do_not_share():
    """"climate crisis" / "climate change": the evidence names the word they share and how close the
    words that differ are, computed here from the model directly."""
    corpus = corpus_of(DOCUMENTS)
    names = ["climate crisis", "climate change", "beekeeping", "semiconductors"]
    themes = pd.DataFrame({"doc_id": [DOCUMENTS[i % len(DOCUMENTS)][0] for i in range(len(names))],
                           "theme": names, "theme_key": names})
    table = suggest_synonyms(corpus.with_frames(themes=themes), limit=None)
    row = table[(table["reason"] == "meaning") & table["alias"].isin(["climate crisis", "climate change"])].iloc[0]
    alias_word, theme_word = row["alias"].split()[1], row["theme"].split()[1]
    whole = embed([row["alias"], row["theme"]])
    parts = embed([alias_word, theme_word])
    assert row["similarity"] == round(float(whole[0] @ whole[1]), 3)
    assert row["evidence"].endswith(f"; both say “climate”, and “{alias_word}” / “{theme_word}” are at cosine "
                                    f"{float(parts[0] @ parts[1]):.2f}")

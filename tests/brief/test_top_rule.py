"""The `top` selection against a plain-Python reading of its rule, on generated corpora: rows of one
section whose names fold to the same text are one signal; its relevancy is the highest of its rows,
its documents the distinct documents of its rows; ranked by relevancy x documents. Checked on the whole
corpus and on views a row filter narrows (a filter that drops one of a document's two rows of a
signal must not lose that document, nor count it twice)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signals.brief.content import build_brief
from signals.brief.options import BriefOptions
from signals.filters import Filters, apply
from signals.ingest.load import load_corpus
from signals.workspace.keys import normalize
from tests.brief.brief_corpus import write_brief_corpus

# Spellings that fold together ("Home batteries" ~ "home  BATTERIES" ~ "Home-batteries") and apart.
NAMES = ["Home batteries", "home  BATTERIES", "Home-batteries", "Heat pumps", "HEAT PUMPS!", "Énergie locale",
         "énergie LOCALE", "Solar roofs"]
row = st.tuples(st.sampled_from(["Signals", "Concerns"]), st.sampled_from(NAMES), st.sampled_from(["1", "3", "4", "5", ""]))
documents = st.lists(st.lists(row, min_size=1, max_size=5), min_size=1, max_size=6)


def _expected(docs: list[list[tuple[str, str, str]]], min_relevancy: int) -> dict[tuple[str, str], tuple[int | None, int]]:
    found: dict[tuple[str, str], tuple[int | None, set[int]]] = {}
    for number, rows in enumerate(docs):
        for section, name, relevancy in rows:
            rated = int(relevancy) if relevancy else None
            if min_relevancy and (rated is None or rated < min_relevancy):
                continue
            key = (section.lower(), normalize(name))
            best, where = found.get(key, (None, set()))
            best = rated if best is None else best if rated is None else max(best, rated)
            found[key] = (best, where | {number})
    return {key: (best, len(where)) for key, (best, where) in found.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=documents, min_relevancy=st.sampled_from([0, 4]))
def test_top_signals_are_rows_folded_by_name_with_their_best_relevancy_and_distinct_documents(docs, min_relevancy):
    with tempfile.TemporaryDirectory() as folder:
        spec = {f"d{n}": {"title": f"Doc {n}", "date": f"202401{n + 10:02d}", "url": f"https://x.test/{n}",
                          "themes": ["energy"], "rows": {}} for n in range(len(docs))}
        for n, rows in enumerate(docs):
            for section, name, relevancy in rows:
                spec[f"d{n}"]["rows"].setdefault(section, []).append((name, f"About {name}.", relevancy))
        corpus = load_corpus(write_brief_corpus(Path(folder), spec), use_cache=False)
        filters = Filters(min_relevancy=min_relevancy) if min_relevancy else Filters()
        brief = build_brief(apply(corpus, filters), corpus, filters, None, BriefOptions(max_signals=100),
                            today=dt.date(2024, 6, 1))
    expected = _expected(docs, min_relevancy)
    found = {(signal.section, normalize(signal.name)): (signal.relevancy, signal.documents)
             for signal in brief.signals}
    assert found == expected
    assert brief.candidates == len(expected)
    scores = [(signal.relevancy or 0) * signal.documents for signal in brief.signals]
    assert scores == sorted(scores, reverse=True)

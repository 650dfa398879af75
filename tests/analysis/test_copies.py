"""signals.analysis.copies: which documents of a view are flagged copies of another in the view."""

from __future__ import annotations

import pandas as pd

from signals.analysis.copies import copies_in_view, copy_ids


def test_a_copy_counts_as_one_only_beside_its_original():
    facts = pd.DataFrame({"doc_id": ["a", "b", "c", "d", "e"],
                          "duplicate_of": [None, "a", "zz", None, "b"]})
    # b copies a (in view); c copies zz (not in view: it stands for it); e copies b, itself a copy in view.
    assert copies_in_view(facts).tolist() == [False, True, False, False, True]
    assert copy_ids(facts) == {"b", "e"}
    assert copy_ids(facts[facts["doc_id"] != "a"]) == {"e"}  # without a, b stands for it


def test_no_column_or_no_copies():
    assert copies_in_view(pd.DataFrame({"doc_id": ["a"]})).tolist() == [False]
    assert copy_ids(pd.DataFrame({"doc_id": ["a", "b"], "duplicate_of": [None, None]})) == set()
    assert copies_in_view(pd.DataFrame({"doc_id": [], "duplicate_of": []})).tolist() == []

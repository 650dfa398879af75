"""signals.analysis.incidence.normalized_text_key: the fast path (Arrow kernels for plain ASCII) gives
exactly what the plain pandas chain gives (NFKC, case-fold, whitespace runs collapsed, trimmed)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from signals.analysis.incidence import normalized_text_key


def _by_pandas(values) -> pd.Series:
    text = pd.Series(values, dtype="str")
    return text.str.normalize("NFKC").str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()


def test_keys_fold_case_width_and_spacing():
    values = pd.Series(["  Heat   Pumps ", "heat pumps", "HEAT\tPUMPS", "Ｈｅａｔ pumps", "Straße", None, "",
                        "École  Verte", "a\x1fb", "x\x0by", "ﬁne"], dtype="str")
    keys = normalized_text_key(values)
    assert keys.tolist()[:4] == ["heat pumps"] * 4
    assert keys[4] == "strasse" and pd.isna(keys[5]) and keys[6] == ""
    assert keys[7] == "école verte" and keys[8] == "a b" and keys[9] == "x y" and keys[10] == "fine"
    assert keys.equals(_by_pandas(values))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(max_codepoint=0x2100)))))
def test_same_as_the_pandas_chain_for_any_text(values):
    text = pd.Series(values, dtype="str")
    assert normalized_text_key(text).equals(_by_pandas(text))

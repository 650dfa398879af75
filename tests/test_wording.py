"""signals.wording: counts in words, singular for exactly one."""

from signals.wording import counted


def test_counted_is_singular_only_for_one_and_groups_thousands():
    assert counted(1, "row") == "1 row"
    assert counted(0, "row") == "0 rows"
    assert counted(1204, "document") == "1,204 documents"
    assert counted(2, "loader problem") == "2 loader problems"
    assert counted(3, "query", "queries") == "3 queries"

"""`signals compare` and `signals distinctive` on planted corpora (tests/planted.py): what they
print, in text, CSV and JSON, checked against the plans; bad input is a usage error (exit 2)."""

from __future__ import annotations

import csv
import io
import json

import planted
import pytest

from signals.cli import main

PERIODS = ("--before", "2024-01-01..2024-06-30", "--after", "2024-07-01..2024-12-31")


@pytest.fixture(scope="module")
def periods_dir(tmp_path_factory):
    return planted.write(tmp_path_factory.mktemp("cli-periods"), planted.period_docs())


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_compare_two_periods_prints_the_labels_and_counts(capsys, periods_dir):
    code, out, err = _run(capsys, "compare", periods_dir, *PERIODS, "--format", "json")
    assert code == 0
    rows = {r["theme"]: r for r in json.loads(out)}
    for theme, (before, after) in planted.PERIOD_THEMES.items():
        if before + after >= 3:
            assert (rows[theme]["before"], rows[theme]["after"]) == (before, after)
    assert {t: rows[t]["label"] for t in ("new theme", "gone theme", "rising theme", "steady theme")} == {
        "new theme": "new", "gone theme": "gone", "rising theme": "rising", "steady theme": "steady"}
    assert "one-off theme" not in rows
    assert "60 documents" in err and "120 documents" in err and "1 with fewer left out" in err


def test_compare_all_lists_the_one_document_theme_as_few(capsys, periods_dir):
    _, out, _ = _run(capsys, "compare", periods_dir, *PERIODS, "--all", "--format", "csv")
    rows = {r["theme"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (rows["one-off theme"]["after"], rows["one-off theme"]["label"]) == ("1", "few")


def test_compare_follows_the_filters(capsys, periods_dir):
    _, out, err = _run(capsys, "compare", periods_dir, *PERIODS, "--theme", "rising theme", "--format", "json")
    assert "9 documents" in err and "36 documents" in err  # only the documents with the theme
    assert {r["theme"]: r["label"] for r in json.loads(out)}["rising theme"] == "steady"


def test_compare_two_folders_lists_document_and_row_changes(capsys, tmp_path):
    old_docs = [planted.Doc("kept", planted.BEFORE_START, ["alpha"]),
                planted.Doc("removed", planted.BEFORE_START, ["alpha"]),
                planted.Doc("rated", planted.BEFORE_START, ["alpha"], signals=[("Batteries", "Cheaper.", 2)])]
    new_docs = [old_docs[0], planted.Doc("rated", planted.BEFORE_START, ["alpha"],
                                         signals=[("Batteries", "Cheaper.", 4)]),
                planted.Doc("added", planted.AFTER_START, ["alpha"])]
    old, new = planted.write(tmp_path / "old", old_docs), planted.write(tmp_path / "new", new_docs)
    code, out, _ = _run(capsys, "compare", old, new, "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert {(d["doc_id"], d["change"]) for d in result["documents"]} == {
        ("added", "added"), ("removed", "removed"), ("rated", "changed")}
    assert [(r["name"], r["relevancy_before"], r["relevancy_after"]) for r in result["rows"]] == [("Batteries", 2, 4)]
    _, text, _ = _run(capsys, "compare", old, new)
    assert "1 added, 1 removed, 1 changed" in text and "Rows whose relevancy moved: 1" in text


@pytest.mark.parametrize("argv", [(), ("--before", "2024-01-01..2024-06-30")])
def test_compare_needs_two_periods_or_two_folders(capsys, periods_dir, argv):
    code, _, err = _run(capsys, "compare", periods_dir, *argv)
    assert code == 2 and "--before" in err


def test_a_period_that_is_no_dates_is_refused_by_the_parser(capsys, periods_dir):
    with pytest.raises(SystemExit) as stopped:
        main(["compare", str(periods_dir), "--before", "2024-13-01..2024-14-01", "--after", "2024-07-01..2024-12-31"])
    assert stopped.value.code == 2
    assert "not a period of dates" in capsys.readouterr().err


def test_distinctive_recovers_the_planted_theme(capsys, tmp_path):
    folder = planted.write(tmp_path, planted.distinctive_docs())
    _, out, err = _run(capsys, "distinctive", folder, "--category", "energy", "--format", "json")
    rows = json.loads(out)
    assert (rows[0]["kind"], rows[0]["term"], rows[0]["in_view"], rows[0]["in_rest"]) == (
        "theme", planted.DISTINCT_THEME, 16, 4)
    assert "20 documents in view, 80 in the rest" in err


def test_distinctive_leaves_out_the_theme_the_view_is_filtered_on(capsys, tmp_path):
    folder = planted.write(tmp_path, planted.distinctive_docs())
    _, out, _ = _run(capsys, "distinctive", folder, "--theme", planted.DISTINCT_THEME, "--format", "json")
    assert planted.DISTINCT_THEME not in {r["term"] for r in json.loads(out)}


def test_distinctive_without_filters_says_there_is_no_rest(capsys, tmp_path):
    folder = planted.write(tmp_path, planted.distinctive_docs())
    code, out, err = _run(capsys, "distinctive", folder)
    assert code == 0 and "no filter" in err and out.strip() == "(nothing matches)"

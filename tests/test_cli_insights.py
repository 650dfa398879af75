"""`signals emerging | clusters | themes | radar`: what they print equals the functions' outputs, in
text, CSV and JSON; filters and --aliases apply; bad input is a usage error (exit 2)."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from signals.aliases import apply_aliases, read_aliases, suggest_synonyms
from signals.analysis.clusters import find_clusters
from signals.analysis.emerging import emerging
from signals.cli import main
from signals.filters import Filters, apply
from signals.ingest.load import load_corpus
from signals.radar import build_radar
from signals.synth import write_corpus


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("planted-cli")
    write_corpus(path, 250, seed=5, planted=True)
    return path


@pytest.fixture(scope="module")
def corpus(folder):
    return load_corpus(folder)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([*map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_emerging_csv_equals_the_function(capsys, folder, corpus):
    code, out, _ = _run(capsys, "emerging", folder, "--format", "csv")
    assert code == 0
    rows = _csv(out)
    expected = emerging(corpus)
    assert list(rows[0]) == ["theme", "score", "recent", "before", "growth", "label", "documents", "first_seen",
                             "last_seen"]
    assert [r["theme"] for r in rows] == expected["theme"].tolist()
    first = expected.iloc[0]
    assert rows[0]["recent"] == str(first["recent"]) and rows[0]["label"] == first["label"]
    assert float(rows[0]["score"]) == pytest.approx(first["score"], abs=1e-3)
    assert rows[0]["first_seen"] == first["first_seen"].strftime("%Y-%m-%d")


def test_emerging_text_json_and_options(capsys, folder, corpus):
    code, out, _ = _run(capsys, "emerging", folder, "--top", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["theme", "score", "recent", "before", "growth", "label", "documents", "first_seen",
                                "last_seen"]
    assert len(lines) == 4
    code, out, _ = _run(capsys, "emerging", folder, "--by", "keyword", "--period", "quarter", "--window", "1",
                        "--format", "json", "--category", "technology")
    records = json.loads(out)
    expected = emerging(apply(corpus, Filters(categories=("technology",))), "keyword", period="Q", window=1)
    assert [r["keyword"] for r in records] == expected["keyword"].tolist()
    assert all(r["growth"] is None for r in records if r["before"] == 0)


def test_emerging_support_minimum(capsys, folder, corpus):
    """--min-docs N ranks only themes with N documents in the two windows, says how many it left out,
    and prints each score's support (recent, before) beside it."""
    themes = corpus.themes.astype({"doc_id": "str", "theme_key": "str"}).drop_duplicates(["doc_id", "theme_key"])
    for minimum in (1, 2, 5):
        code, out, err = _run(capsys, "emerging", folder, "--format", "json", "--min-docs", minimum)
        assert code == 0
        records = json.loads(out)
        assert records and all(r["recent"] + r["before"] >= minimum for r in records)
        expected = emerging(corpus, min_documents=minimum)
        assert [r["theme"] for r in records] == expected["theme"].tolist()
        left_out = themes["theme_key"].nunique() - len(records)
        assert f"{len(records):,} themes with at least {minimum} document" in err
        assert f"{left_out:,} with fewer left out" in err
    code, out, _ = _run(capsys, "emerging", folder, "--format", "json")
    default = json.loads(out)
    assert min(r["recent"] + r["before"] for r in default) == 2
    # Ranked by score, then documents, then name.
    keys = [(-r["score"], -r["recent"], -r["documents"], r["theme"]) for r in default]
    assert keys == sorted(keys)
    with pytest.raises(SystemExit) as exit_:
        main(["emerging", str(folder), "--min-docs", "0"])
    assert exit_.value.code == 2


def test_clusters_csv_equals_the_function(capsys, folder, corpus):
    code, out, err = _run(capsys, "clusters", folder, "--format", "csv", "--threshold", "0.5")
    assert code == 0
    expected = find_clusters(corpus, ("signals",), 0.5)
    rows = _csv(out)
    assert list(rows[0]) == ["cluster_id", "label", "size", "documents", "domains", "mean_relevancy", "strength",
                             "first_seen", "last_seen", "doc_ids"]
    assert len(rows) == len(expected.summary)
    assert [r["label"] for r in rows] == expected.summary["label"].tolist()
    assert rows[0]["doc_ids"].split() == expected.summary["doc_ids"].iloc[0].split()
    assert f"{len(expected.summary)} clusters among" in err


def test_clusters_of_another_section_and_top(capsys, folder, corpus):
    code, out, _ = _run(capsys, "clusters", folder, "--section", "behaviors", "--format", "json", "--top", "2")
    assert code == 0
    expected = find_clusters(apply(corpus, Filters(sections=("behaviors",))), ("behaviors",))
    assert [r["label"] for r in json.loads(out)] == expected.summary["label"].head(2).tolist()


def test_themes_and_suggestions(capsys, folder, corpus, tmp_path):
    code, out, _ = _run(capsys, "themes", folder, "--format", "csv", "--top", "5")
    rows = _csv(out)
    top = corpus.themes.drop_duplicates(["doc_id", "theme_key"])["theme"].astype("str").value_counts()
    assert rows[0]["theme"] == top.index[0] and rows[0]["documents"] == str(top.iloc[0])
    code, out, _ = _run(capsys, "themes", folder, "--suggest", "--format", "csv")
    assert code == 0
    suggestions = suggest_synonyms(corpus)
    assert [r["alias"] for r in _csv(out)] == suggestions["alias"].tolist()
    # The suggestions are an aliases file: --aliases merges them.
    aliases_file = tmp_path / "aliases.csv"
    aliases_file.write_text(out, encoding="utf-8")
    merged = apply_aliases(corpus, read_aliases(aliases_file))
    code, out, _ = _run(capsys, "themes", folder, "--aliases", aliases_file, "--format", "json")
    counts = merged.themes.drop_duplicates(["doc_id", "theme_key"])["theme"].astype("str").value_counts()
    assert {r["theme"]: r["documents"] for r in json.loads(out)} == counts.to_dict()


def test_radar_writes_the_byor_csv(capsys, folder, corpus, tmp_path):
    out_file = tmp_path / "radar.csv"
    code, _, err = _run(capsys, "radar", folder, "--out", out_file, "--from", "clusters", "--top", "12")
    assert code == 0 and f"wrote {out_file}" in err
    written = pd.read_csv(out_file, keep_default_na=False)
    expected = build_radar(corpus, "clusters", top=12)
    assert list(written.columns) == ["name", "ring", "quadrant", "isNew", "description"]
    assert written["name"].tolist() == expected["name"].tolist()
    assert written["ring"].tolist() == expected["ring"].tolist()
    code, out, _ = _run(capsys, "radar", folder, "--quadrant-by", "type", "--top", "8")
    assert len(_csv(out)) == 8


def test_usage_errors(capsys, folder, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\nb,a\n", encoding="utf-8")
    code, _, err = _run(capsys, "emerging", folder, "--aliases", bad)
    assert code == 2 and "line 2" in err
    code, _, err = _run(capsys, "emerging", folder, "--aliases", tmp_path / "missing.csv")
    assert code == 2 and "no such file" in err
    code, _, err = _run(capsys, "clusters", tmp_path / "nowhere")
    assert code == 2
    with pytest.raises(SystemExit) as exit_:
        main(["clusters", str(folder), "--threshold", "1.5"])
    assert exit_.value.code == 2


def test_no_match_prints_an_empty_result(capsys, folder):
    code, out, _ = _run(capsys, "emerging", folder, "--text", "zzzz-no-such-text")
    assert code == 0 and "nothing matches" in out
    code, out, _ = _run(capsys, "clusters", folder, "--text", "zzzz-no-such-text", "--format", "json")
    assert json.loads(out) == []

"""`signals merges ...` and the merges every other command applies: a merge made here shows in
`signals export` and `signals themes`; undo, history, an aliases file's precedence; a workspace
inside the data folder and a damaged one."""

from __future__ import annotations

import csv
import io
import json

import pytest

from signals import schema
from signals.aliases import parse_aliases
from signals.cli import main
from signals.ingest.load import load_corpus
from signals.synth import write_corpus


@pytest.fixture()
def folder(tmp_path_factory):
    # A fresh folder per test: its workspace (under the session's private workspace folder) starts empty.
    path = tmp_path_factory.mktemp("merges-cli")
    write_corpus(path, 60, seed=3)
    return path


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _documents_with(folder, spellings) -> set[str]:
    raw = load_corpus(folder).themes
    keys = {schema.theme_key(s) for s in spellings}
    return {d for d, k in zip(raw["doc_id"], raw["theme_key"].astype(str)) if k in keys}


def test_a_merge_shows_in_export_and_themes(capsys, folder, tmp_path):
    expected = _documents_with(folder, ["AI", "artificial intelligence"])
    code, _, err = _run(capsys, "merges", "add", folder, "AI", "artificial intelligence",
                        "--into", "artificial intelligence", "--by", "ana")
    assert code == 0
    assert f"merged “AI” into “artificial intelligence”: {len(expected)} documents" in err

    out = tmp_path / "all.json"
    assert _run(capsys, "export", folder, "--out", out)[0] == 0
    themes = json.loads(out.read_text(encoding="utf-8"))["themes"]
    spellings = {row["theme"] for row in themes}
    assert "AI" not in spellings
    assert {row["doc_id"] for row in themes if row["theme"] == "artificial intelligence"} == expected

    # The filter flags see the merged theme too: --theme AI now means the merged one.
    out = tmp_path / "ai.json"
    _run(capsys, "export", folder, "--out", out, "--theme", "artificial intelligence")
    assert {row["doc_id"] for row in json.loads(out.read_text(encoding="utf-8"))["documents"]} == expected

    code, printed, _ = _run(capsys, "themes", folder, "--format", "json")
    counts = {row["theme"]: row["documents"] for row in json.loads(printed)}
    assert counts["artificial intelligence"] == len(expected) and "AI" not in counts


def test_list_history_undo(capsys, folder):
    _run(capsys, "merges", "add", folder, "AI", "--into", "artificial intelligence", "--by", "ana")
    _run(capsys, "merges", "add", folder, "machine learning", "--into", "ML", "--by", "ben")
    code, printed, _ = _run(capsys, "merges", "list", folder, "--format", "csv")
    assert code == 0
    # The CSV listing is an aliases file.
    assert parse_aliases(printed) == {"ai": "artificial intelligence", "machine learning": "ML"}
    rows = list(csv.DictReader(io.StringIO(printed)))
    assert [(r["alias"], r["merged_by"]) for r in rows] == [("AI", "ana"), ("machine learning", "ben")]

    code, _, err = _run(capsys, "merges", "undo", folder, "--by", "cy")
    assert code == 0 and "merged “machine learning” into “ML”" in err
    code, printed, _ = _run(capsys, "merges", "history", folder, "--format", "json")
    history = json.loads(printed)
    assert [(h["action"], h["by"]) for h in history] == [("undo", "cy"), ("merge", "ben"), ("merge", "ana")]
    assert history[1]["undone_by"] == history[0]["change"]
    assert _run(capsys, "merges", "list", folder, "--format", "json")[1].count('"alias"') == 1

    assert _run(capsys, "merges", "remove", folder, "ai")[0] == 0
    assert _run(capsys, "merges", "undo", folder)[0] == 0  # brings "ai" back
    assert _run(capsys, "merges", "split", folder, "artificial intelligence")[0] == 0
    assert json.loads(_run(capsys, "merges", "list", folder, "--format", "json")[1]) == []
    code, _, err = _run(capsys, "merges", "remove", folder, "nothing here")
    assert code == 2 and "not merged" in err


def test_an_aliases_file_wins_over_the_workspace(capsys, folder, tmp_path):
    _run(capsys, "merges", "add", folder, "AI", "--into", "artificial intelligence")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,theme\nAI,machine learning\n", encoding="utf-8")
    _, printed, _ = _run(capsys, "themes", folder, "--aliases", aliases, "--format", "json")
    counts = {row["theme"]: row["documents"] for row in json.loads(printed)}
    assert counts["machine learning"] == len(_documents_with(folder, ["AI", "machine learning"]))
    assert counts["artificial intelligence"] == len(_documents_with(folder, ["artificial intelligence"]))


def test_import_then_every_command_applies_it(capsys, folder, tmp_path):
    suggestions = tmp_path / "suggested.csv"
    _, printed, _ = _run(capsys, "themes", folder, "--suggest", "--format", "csv", "--top", "1")
    suggestions.write_text(printed, encoding="utf-8")
    assert _run(capsys, "merges", "import", folder, suggestions)[0] == 0
    _, printed, _ = _run(capsys, "themes", folder, "--format", "json")
    assert "AI" not in {row["theme"] for row in json.loads(printed)}


def test_a_workspace_in_the_data_folder_is_a_usage_error(capsys, folder):
    inside = folder / "workspace.sqlite"
    for argv in (("merges", "add", folder, "AI", "--into", "x", "--workspace", inside),
                 ("export", folder, "--out", folder.parent / "x.json", "--workspace", inside),
                 ("themes", folder, "--workspace", inside)):
        code, _, err = _run(capsys, *argv)
        assert code == 2 and "inside the data folder" in err
    assert not inside.exists()


def test_a_damaged_workspace_is_reported_and_left_alone(capsys, folder, tmp_path):
    workspace = tmp_path / "ws.sqlite"
    workspace.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    code, printed, err = _run(capsys, "themes", folder, "--workspace", workspace, "--format", "json")
    assert code == 0, "reading goes on without the merges"
    assert f"workspace {workspace}" in err and "not applied" in err
    assert "AI" in {row["theme"] for row in json.loads(printed)}
    code, _, err = _run(capsys, "merges", "add", folder, "AI", "--into", "x", "--workspace", workspace)
    assert code == 2 and str(workspace) in err
    assert workspace.read_bytes() == b"SQLite format 3\x00" + b"\xff" * 200

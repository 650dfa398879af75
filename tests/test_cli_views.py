"""`signals views`: save the filter flags under a name, list them with the documents they select
now and how many are new since saved; rename, delete."""

from __future__ import annotations

import json
from pathlib import Path

from signals.cli import main
from tests.workspace.notes_corpus import write_document


def _corpus(folder: Path) -> None:
    write_document(folder, "2025/a", "A", [("Heat pumps in flats", "Retrofits.", 4)])
    write_document(folder, "2025/b", "B", [("Wind leases", "Auctions.", 2)])


def test_save_then_list_counts_documents_new_since_saved(tmp_path: Path, capsys) -> None:
    folder, workspace = tmp_path / "docs", tmp_path / "w.sqlite"
    _corpus(folder)
    assert main(["views", "save", str(folder), "Strong", "--min-relevancy", "3", "--workspace", str(workspace),
                 "--by", "ana"]) == 0
    assert main(["views", "save", str(folder), "Watched", "--status", "watch", "--workspace", str(workspace)]) == 0
    # The pipeline adds a strong document; the analyst marks B to watch.
    write_document(folder, "2025/c", "C", [("Biochar", "Soil.", 5)])
    assert main(["annotate", str(folder), "--doc", "2025/b", "--status", "watch", "--workspace", str(workspace)]) == 0
    capsys.readouterr()
    assert main(["views", "list", str(folder), "--workspace", str(workspace), "--format", "json"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed["Strong"]["filters"] == "relevancy ≥ 3"
    assert (listed["Strong"]["documents"], listed["Strong"]["new since saved"]) == (2, 1)  # a and c; c is new
    assert listed["Strong"]["by"] == "ana"
    assert listed["Watched"]["filters"] == "status watch"
    assert (listed["Watched"]["documents"], listed["Watched"]["new since saved"]) == (1, 1)  # b, newly watched


def test_rename_and_delete(tmp_path: Path, capsys) -> None:
    folder, workspace = tmp_path / "docs", tmp_path / "w.sqlite"
    _corpus(folder)
    main(["views", "save", str(folder), "One", "--workspace", str(workspace)])
    assert main(["views", "rename", str(folder), "one", "Two", "--workspace", str(workspace)]) == 0
    assert main(["views", "delete", str(folder), "missing", "--workspace", str(workspace)]) == 2
    assert "no saved view named 'missing'" in capsys.readouterr().err
    main(["views", "list", str(folder), "--workspace", str(workspace)])
    assert "Two" in capsys.readouterr().out
    assert main(["views", "delete", str(folder), "two", "--workspace", str(workspace)]) == 0
    main(["views", "list", str(folder), "--workspace", str(workspace)])
    assert "No saved views" in capsys.readouterr().err

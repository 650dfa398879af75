"""`signals annotate` and `signals notes ...`: rows found by number or name, values checked, the
annotation shown; list, export and import between two workspaces, orphans after a re-run, history
and undo; `signals export` carries the annotation columns in every format."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from signals.cli import main
from signals.workspace import annotations, open_store
from tests.workspace.notes_corpus import CONCERNS_BEFORE, SIGNALS_BEFORE, TECHNOLOGIES_BEFORE, write_document


@pytest.fixture()
def folder(tmp_path_factory):
    # A fresh folder per test: its workspace (under the session's private workspace folder) starts empty.
    path = tmp_path_factory.mktemp("notes-cli") / "corpus"
    write_document(path, "energy/a", "Energy A", SIGNALS_BEFORE, CONCERNS_BEFORE, TECHNOLOGIES_BEFORE)
    write_document(path, "energy/b", "=Energy B", [("Heat pumps in flats", "Same name, other document.", 3)])
    return path


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_annotate_a_row_by_number_then_by_name_then_show_it(capsys, folder):
    code, out, _ = _run(capsys, "annotate", folder, "--doc", "energy/a", "--section", "Signals", "--row", 2,
                        "--star", "--status", "watch", "--impact", 4, "--tag", "storage", "--tag", "grid",
                        "--note", "=cmd|' /C calc'!A0", "--by", "ana")
    assert code == 0
    assert out.splitlines()[:7] == [
        "signals row 2 “Grid-scale batteries” of document energy/a",
        "  starred    yes", "  status     watch", "  impact     4", "  likelihood —", "  horizon    —",
        "  tags       storage; grid"]
    code, out, _ = _run(capsys, "annotate", folder, "--doc", "energy/a.md", "--name", "grid scale BATTERIES",
                        "--likelihood", 2, "--horizon", "3-10 years", "--untag", "GRID", "--by", "ben")
    assert code == 0 and "  likelihood 2" in out and "  horizon    3-10y" in out and "  tags       storage" in out
    code, out, _ = _run(capsys, "annotate", folder, "--doc", "energy/a", "--section", "signals", "--row", 2)
    assert code == 0 and "  changed by ben at " in out and "    =cmd|' /C calc'!A0" in out
    kept = annotations.read(open_store(folder))
    assert kept[["anchor", "starred", "status", "impact", "likelihood", "tags"]].values.tolist() == [
        ["Grid-scale batteries", True, "watch", 4, 2, "storage"]]


def test_a_nameless_row_and_a_whole_document(capsys, folder):
    code, out, _ = _run(capsys, "annotate", folder, "--doc", "energy/a", "--name", "solid-state transformers for "
                        "the distribution grid", "--status", "escalate")
    assert code == 0 and out.startswith("technologies row 1 “Solid-state transformers for the distribution grid.”")
    code, out, _ = _run(capsys, "annotate", folder, "--doc", "energy/b", "--status", "dismissed", "--note", "")
    assert code == 0 and out.startswith("document energy/b")
    assert sorted(annotations.read(open_store(folder))["target"]) == ["document", "row"]


@pytest.mark.parametrize(("argv", "message"), [
    (["--doc", "energy/zz", "--star"], "no document 'energy/zz'"),
    (["--doc", "energy/a", "--row", "1", "--star"], "--row needs --section"),
    (["--doc", "energy/a", "--section", "signals", "--star"], "--section needs --row N or --name TEXT"),
    (["--doc", "energy/a", "--section", "signals", "--row", "9", "--star"], "energy/a has rows 1-5, not 9"),
    (["--doc", "energy/a", "--section", "issues", "--row", "1", "--star"], "document energy/a has no issues rows"),
    (["--doc", "energy/a", "--name", "heat pumps in flats", "--star"], "2 rows match; give --section and --row"),
    (["--doc", "energy/a", "--name", "tidal kites", "--star"], "no row named 'tidal kites' in document energy/a"),
    (["--doc", "energy/a", "--clear", "--star"], "--clear removes the annotation: give it alone"),
])
def test_mistakes_are_usage_errors_that_say_what_to_do(capsys, folder, argv, message):
    code, _, err = _run(capsys, "annotate", folder, *argv)
    assert code == 2 and message in err
    assert annotations.read(open_store(folder)).empty


def test_a_value_out_of_range_is_refused_by_the_parser(capsys, folder):
    with pytest.raises(SystemExit) as raised:
        main(["annotate", str(folder), "--doc", "energy/a", "--impact", "7"])
    assert raised.value.code == 2
    assert "impact must be a whole number 1-5, not '7'" in capsys.readouterr().err


def test_export_import_between_two_workspaces_with_a_conflict(capsys, folder, tmp_path):
    theirs = tmp_path / "theirs.sqlite"
    _run(capsys, "annotate", folder, "--doc", "energy/a", "--section", "concerns", "--row", 1, "--status", "watch",
         "--by", "ana")
    _run(capsys, "annotate", folder, "--doc", "energy/b", "--star", "--by", "ana")
    code, _, err = _run(capsys, "notes", "export", folder, "--out", tmp_path / "notes.csv")
    assert code == 0 and "(2 annotations)" in err
    code, _, err = _run(capsys, "notes", "import", folder, tmp_path / "notes.csv", "--workspace", theirs, "--by", "ben")
    assert code == 0 and "imported notes.csv: 2 added, 0 updated, 0 unchanged, 0 kept (newer here); 0 conflicts" in err
    _run(capsys, "annotate", folder, "--workspace", theirs, "--doc", "energy/a", "--section", "concerns", "--row", 1,
         "--status", "escalate", "--by", "ben")
    _run(capsys, "notes", "export", folder, "--workspace", theirs, "--out", tmp_path / "theirs.json")
    exported = json.loads((tmp_path / "theirs.json").read_text(encoding="utf-8"))
    assert exported["annotations"][0]["status"] == "escalate"
    exported["annotations"][0]["updated_at"] = "2099-01-01T00:00:00Z"  # ben's change is the newer one
    (tmp_path / "theirs.json").write_text(json.dumps(exported), encoding="utf-8")
    code, out, err = _run(capsys, "notes", "import", folder, tmp_path / "theirs.json", "--format", "csv")
    assert code == 0 and "1 updated, 1 unchanged" in err
    conflicts = list(csv.DictReader(io.StringIO(out)))
    assert [(c["target"], c["kept"], c["here"], c["file"], c["file_by"]) for c in conflicts] == [
        ("concerns row 1 “Grid congestion” of document energy/a", "incoming", "watch", "escalate", "ben")]
    kept = annotations.read(open_store(folder))
    assert kept.loc[kept["section"] == "concerns", "status"].tolist() == ["escalate"]
    code, out, _ = _run(capsys, "notes", "list", folder, "--format", "json")
    listed = json.loads(out)
    assert [(r["target"], r["doc_id"], r["status"], r["starred"]) for r in listed] == [
        ("row", "energy/a", "escalate", False), ("document", "energy/b", "new", True)]


def test_a_bad_notes_file_is_a_usage_error_and_imports_nothing(capsys, folder, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("doc_id,updated_at,impact\r\nenergy/a,2025-01-01T00:00:00Z,11\r\n", encoding="utf-8")
    code, _, err = _run(capsys, "notes", "import", folder, bad)
    assert code == 2 and "line 2: impact must be a whole number 1-5, not '11'" in err
    assert annotations.read(open_store(folder)).empty


def test_orphans_after_a_rerun_then_history_and_undo(capsys, folder):
    _run(capsys, "annotate", folder, "--doc", "energy/a", "--name", "Hydrogen boilers", "--note", "gone soon")
    _run(capsys, "annotate", folder, "--doc", "energy/a", "--name", "Community solar", "--impact", 3)
    write_document(folder, "energy/a", "Energy A", [r for r in SIGNALS_BEFORE if r[0] != "Hydrogen boilers"][::-1],
                   CONCERNS_BEFORE, TECHNOLOGIES_BEFORE)
    code, out, err = _run(capsys, "notes", "orphans", folder, "--format", "csv")
    assert code == 0 and err.startswith("1 orphaned annotations")
    (orphan,) = csv.DictReader(io.StringIO(out))
    assert (orphan["reason"], orphan["doc_id"], orphan["section"], orphan["row"], orphan["anchor"], orphan["note"]) == (
        "no row of signals has this name any more", "energy/a", "signals", "5", "Hydrogen boilers", "gone soon")
    code, out, _ = _run(capsys, "notes", "history", folder, "--format", "json")
    assert [(h["target"], h["before"], h["after"]) for h in json.loads(out)] == [
        ("signals row 3 “Community solar” of document energy/a", "(none)", "impact 3"),
        ("signals row 5 “Hydrogen boilers” of document energy/a", "(none)", "note “gone soon”")]
    code, _, err = _run(capsys, "notes", "undo", folder)
    assert code == 0 and "impact 3 on signals row 3" in err
    assert annotations.read(open_store(folder))["anchor"].tolist() == ["Hydrogen boilers"]


def test_export_carries_the_annotation_columns_in_every_format(capsys, folder, tmp_path):
    _run(capsys, "annotate", folder, "--doc", "energy/a", "--section", "signals", "--row", 3, "--star", "--impact", 5,
         "--horizon", "<1y", "--tag", "=sum", "--note", "-1 first\nsecond line")
    _run(capsys, "annotate", folder, "--doc", "energy/b", "--status", "escalate", "--tag", "client")
    for out in ("all.zip", "all.xlsx", "all.json", "parquet"):
        argv = ["export", folder, "--out", tmp_path / out] + (["--format", "parquet"] if out == "parquet" else [])
        assert _run(capsys, *argv)[0] == 0

    archive = zipfile.ZipFile(tmp_path / "all.zip")
    signals = list(csv.DictReader(io.StringIO(archive.read("signals.csv").decode("utf-8"))))
    assert list(signals[0])[-7:] == ["starred", "status", "impact", "likelihood", "horizon", "tags", "note"]
    community = next(r for r in signals if r["name"] == "Community solar")
    assert (community["starred"], community["status"], community["impact"], community["horizon"], community["tags"],
            community["note"]) == ("True", "new", "5", "<1y", "'=sum", "'-1 first\r\nsecond line".replace("\r\n", "\n"))
    assert {r["status"] for r in signals if r["name"] != "Community solar"} == {"new"}
    documents = {r["doc_id"]: r for r in csv.DictReader(io.StringIO(archive.read("documents.csv").decode("utf-8")))}
    assert (documents["energy/b"]["status"], documents["energy/b"]["tags"]) == ("escalate", "client")
    assert documents["energy/a"]["status"] == "new"

    workbook = load_workbook(tmp_path / "all.xlsx")
    sheet = workbook["signals"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in row))) for row in sheet.iter_rows(min_row=2)]
    community = next(r for r in rows if r["name"] == "Community solar")
    assert (community["starred"], community["impact"], community["note"]) == (True, 5, "'-1 first\nsecond line")

    exported = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    community = next(r for r in exported["items"] if r["name"] == "Community solar")
    assert (community["starred"], community["impact"], community["tags"]) == (True, 5, "'=sum")

    items = pd.read_parquet(tmp_path / "parquet" / "items.parquet")
    community = items[items["name"] == "Community solar"].iloc[0]
    assert (community["impact"], community["note"], community["tags"]) == (5, "-1 first\nsecond line", "=sum")
    assert str(items["impact"].dtype) == "Int8"


def test_tables_for_export_with_keyed_items_leaves_the_key_out_and_finds_the_annotations(folder):
    from signals import export, load_corpus
    from signals.filters import Filters, apply
    from signals.workspace import keys

    store = open_store(folder)
    loaded = load_corpus(folder)
    second = loaded.items.index[(loaded.items["name"] == "Heat pumps in flats")
                                & (loaded.items["doc_id"].astype(str) == "energy/a")][1]
    annotations.annotate(store, annotations.row_targets(loaded.items, [second]), {"status": "dismissed"})
    keyed = loaded.with_frames(items=keys.with_row_keys(loaded.items))
    for corpus in (loaded, keyed):
        view = apply(corpus, Filters(text="second source"))
        tables = export.tables_for_export(view, corpus, annotations.read(store))
        assert "row_key" not in tables["items"].columns and "row_key" not in tables["signals"].columns
        assert tables["items"][["name", "status"]].values.tolist() == [["Heat pumps in flats", "dismissed"]]
        assert tables["signals"]["status"].tolist() == ["dismissed"]


def test_a_damaged_workspace_is_reported_left_alone_and_exports_go_on_without_annotations(capsys, folder, tmp_path):
    workspace = tmp_path / "ws.sqlite"
    workspace.write_bytes(b"SQLite format 3\x00" + b"\x10\x00" + b"\x01" * 30)  # truncated: not usable
    before = workspace.read_bytes()
    code, _, err = _run(capsys, "annotate", folder, "--workspace", workspace, "--doc", "energy/a", "--star")
    assert code == 2 and f"workspace {workspace}: is a truncated SQLite database" in err
    code, _, err = _run(capsys, "export", folder, "--workspace", workspace, "--out", tmp_path / "out.zip")
    assert code == 0 and "the export has no annotation columns" in err
    signals = zipfile.ZipFile(tmp_path / "out.zip").read("signals.csv").decode("utf-8").splitlines()[0]
    assert "status" not in signals.split(",")
    code, _, err = _run(capsys, "notes", "orphans", folder, "--workspace", workspace)
    assert code == 2 and "truncated" in err
    assert workspace.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("ws")) == ["ws.sqlite"]


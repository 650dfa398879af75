"""The sidebar's "Folder on this server" opens only folders the operator allows (AppTest).

Default allow-list: the configured data folder and its subfolders. $SIGNALS_ALLOWED_ROOTS (folders
separated by os.pathsep) replaces it. Every way out -- absolute paths, `..`, `~`, a symbolic link
inside the data folder that points outside, a sibling whose name starts like the data folder's --
is refused with a message, and the corpus on screen stays the one that was loaded.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
SEED_FILE = ROOT / "seeds" / "000_19f67a480975dbd3.txt"


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    """data/ (2 documents, sub/ with 1), secret/ and data-evil/ beside it (3 documents each)."""
    made = {}
    for name, count in (("data", 2), ("data/sub", 1), ("secret", 3), ("data-evil", 3), ("other", 4)):
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        for k in range(count):
            shutil.copy(SEED_FILE, folder / f"{name.replace('/', '-')}-{k}.md")
        made[name] = folder
    (made["data"] / "escape").symlink_to(made["secret"], target_is_directory=True)
    return made


def _app(monkeypatch: pytest.MonkeyPatch, data: Path, allowed: list[Path] | None = None) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(data))
    if allowed is None:
        monkeypatch.delenv("SIGNALS_ALLOWED_ROOTS", raising=False)
    else:
        monkeypatch.setenv("SIGNALS_ALLOWED_ROOTS", os.pathsep.join(map(str, allowed)))
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _documents(app: AppTest) -> str:
    [metric] = [m for m in app.metric if m.label == "Documents"]
    return metric.value


def _open(app: AppTest, typed: str) -> AppTest:
    app.text_input(key="folder_input").input(typed)
    app.button(key="open_folder").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _errors(app: AppTest) -> list[str]:
    return [e.value for e in app.error]


def _refusals(folders: dict[str, Path]) -> list[str]:
    data, secret = folders["data"], folders["secret"]
    return [
        str(secret),                          # an absolute path elsewhere
        f"{data}/../secret",                  # climbing out with ..
        f"{data}/sub/../../secret",
        f"{data}/escape",                     # a link inside the data folder that points outside
        str(folders["data-evil"]),            # starts like the data folder, is not inside it
        "/",
        "/etc",
        "~",
        "secret",                             # relative: to the server's working folder, not allowed
    ]


def test_folders_outside_the_data_folder_are_refused(monkeypatch: pytest.MonkeyPatch, folders) -> None:
    app = _app(monkeypatch, folders["data"])
    assert _documents(app) == "3"  # data/ and data/sub/: the link to secret/ is not followed
    for typed in _refusals(folders):
        _open(app, typed)
        errors = _errors(app)
        assert errors and "is outside the folders this server may read" in errors[-1], (typed, errors)
        assert "SIGNALS_ALLOWED_ROOTS" in errors[-1]
        assert _documents(app) == "3", typed


def test_a_subfolder_of_the_data_folder_opens(monkeypatch: pytest.MonkeyPatch, folders) -> None:
    app = _open(_app(monkeypatch, folders["data"]), f"{folders['data']}/sub")
    assert not _errors(app)
    assert _documents(app) == "1"
    # From there, the way back to the data folder is still allowed; the way out is not.
    _open(app, str(folders["data"]))
    assert _documents(app) == "3"
    _open(app, f"{folders['data']}/sub/../../secret")
    assert _errors(app) and _documents(app) == "3"


def test_not_a_folder_and_empty_input(monkeypatch: pytest.MonkeyPatch, folders) -> None:
    app = _app(monkeypatch, folders["data"])
    _open(app, str(folders["data"] / "data-0.md"))
    assert _errors(app)[-1].endswith("is not a folder.")
    _open(app, "   ")
    assert _errors(app)[-1] == "Type a folder path."
    _open(app, f"{folders['data']}/missing")
    assert _errors(app)[-1].endswith("is not a folder.")
    assert _documents(app) == "3"


def test_the_allow_list_setting(monkeypatch: pytest.MonkeyPatch, folders) -> None:
    app = _app(monkeypatch, folders["data"], allowed=[folders["data"], folders["other"]])
    _open(app, str(folders["other"]))
    assert not _errors(app) and _documents(app) == "4"
    _open(app, str(folders["secret"]))
    assert _errors(app) and _documents(app) == "4"
    # A link inside the data folder is followed when its target is allowed too.
    app = _app(monkeypatch, folders["data"], allowed=[folders["data"], folders["secret"]])
    assert _documents(app) == "6"
    # The setting replaces the default: a data folder left off the list cannot be reopened.
    app = _app(monkeypatch, folders["data"], allowed=[folders["other"]])
    _open(app, f"{folders['data']}/sub")
    assert _errors(app) and _documents(app) == "3"

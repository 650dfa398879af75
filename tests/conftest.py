"""Shared fixtures: the shared real corpus (or a synthetic stand-in where only a realistic
shape is needed, see sample_documents.py), and private cache and workspace folders per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sample_documents import FUTURES, write_synthetic_corpus


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the user's cache folder."""
    os.environ["SIGNALS_CACHE_DIR"] = str(tmp_path_factory.mktemp("signals-cache"))


@pytest.fixture(autouse=True, scope="session")
def _private_workspaces(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the user's workspace files (theme merges): each session gets its own folder."""
    os.environ.pop("SIGNALS_WORKSPACE", None)
    os.environ["SIGNALS_WORKSPACE_DIR"] = str(tmp_path_factory.mktemp("signals-workspaces"))


@pytest.fixture(autouse=True, scope="session")
def _validated_figures() -> None:
    """Every figure a test builds is checked against plotly's schema (the app skips it for speed)."""
    from signals import charts

    charts.VALIDATE = True


@pytest.fixture(scope="session")
def futures_dir() -> Path:
    """The shared folder of real documents (read-only), for tests about real documents' quirks; skips
    where it is absent (a fresh clone). Tests that only need a realistic corpus take realistic_dir."""
    if not FUTURES.is_dir():
        pytest.skip("needs the real documents of ../shared/corpus/futures (absent here, as in a fresh clone)")
    return FUTURES


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 synthetic documents (signals.synth, planted, fixed seed) and two damaged hand-written ones."""
    return write_synthetic_corpus(tmp_path_factory.mktemp("synthetic-corpus"))


@pytest.fixture(scope="session")
def realistic_dir(request: pytest.FixtureRequest) -> Path:
    """For tests that hold on any corpus of realistic shape: the shared real corpus where it is
    present, else `synthetic_dir` (a fresh clone has no ../shared). Expected values must be computed
    from whichever folder this is."""
    return FUTURES if FUTURES.is_dir() else request.getfixturevalue("synthetic_dir")

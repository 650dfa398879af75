"""Shared fixtures: the seed, the shared real corpus, and private cache and workspace folders per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_19f67a480975dbd3.txt"
FUTURES = ROOT.parent / "shared" / "corpus" / "futures"


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
    """The shared folder of real documents (read-only); skips where it is absent."""
    if not FUTURES.is_dir():
        pytest.skip("../shared/corpus/futures is not present")
    return FUTURES

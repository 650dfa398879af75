"""Where the app's data comes from, loaded once per folder for every session, and filtered views.

Caching follows the guide: keys are small (a folder path and a fingerprint of its files), never a
hash of a big DataFrame. The loaded corpus is a shared resource: twenty sessions on one folder
hold it once.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from signals import demo
from signals.app import state
from signals.corpus_type import Corpus
from signals.filters import Filters, apply
from signals.ingest.cache import default_cache_root
from signals.ingest.files import discover
from signals.ingest.load import combine, load_corpus
from signals.wording import counted

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = PROJECT_ROOT / "seeds"
DATA_ENV = "SIGNALS_DATA"
ALLOWED_ENV = "SIGNALS_ALLOWED_ROOTS"
#: The folder this session reads when it is not the configured one (opened in Data source, or the demo).
FOLDER_KEY = "_folder"
#: Set by the "Open the demo corpus" buttons; the frame opens the demo at the start of the next run.
DEMO_REQUEST_KEY = "_demo_requested"


def configured_folder(argv: list[str] | None = None) -> Path:
    """`--data DIR` after `streamlit run dashboard.py --`, else $SIGNALS_DATA, else the seeds."""
    args = list(sys.argv[1:] if argv is None else argv)
    for index, arg in enumerate(args):
        if arg == "--data" and index + 1 < len(args):
            return Path(args[index + 1]).expanduser()
        if arg.startswith("--data="):
            return Path(arg.split("=", 1)[1]).expanduser()
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else DEFAULT_DATA


def no_data_configured(argv: list[str] | None = None) -> bool:
    """Whether the app was started without data (no `--data`, $SIGNALS_DATA or $SIGNALS_ALLOWED_ROOTS):
    a newcomer's first run, the only one offered the demo corpus."""
    args = list(sys.argv[1:] if argv is None else argv)
    given = any(arg == "--data" or arg.startswith("--data=") for arg in args)
    return not given and not os.environ.get(DATA_ENV) and not os.environ.get(ALLOWED_ENV)


def session_folder(configured: Path) -> Path:
    """The folder this session reads: the one opened in Data source (or the demo), else the configured one."""
    return Path(st.session_state.get(FOLDER_KEY, str(configured)))


def demo_offered() -> bool:
    """Whether to offer the demo corpus: started without data, and this session still reads the seed."""
    return no_data_configured() and session_folder(DEFAULT_DATA) == DEFAULT_DATA


def showing_demo() -> bool:
    """Whether this session reads the synthetic demo corpus (every screen then says so)."""
    return demo.is_demo_folder(session_folder(DEFAULT_DATA))


def request_demo() -> None:
    """Button callback: open the demo corpus at the start of the run this click causes, with every
    filter back to its default (the seed's one-day date range would hide all but two documents)."""
    st.session_state[DEMO_REQUEST_KEY] = True
    state.reset()


def open_requested_demo() -> None:
    """When a demo button was pressed: write the demo corpus if this machine has none yet (with a
    progress bar), then make it this session's folder. Called by the frame before anything loads."""
    if not st.session_state.pop(DEMO_REQUEST_KEY, False):
        return
    bar = st.progress(0.0, text="Writing the synthetic demo corpus")

    def written(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0), text=f"Writing the synthetic demo corpus: {done:,} of "
                                                  f"{counted(total, 'document')} (once; reused after)")

    try:
        folder = demo.ensure_demo_corpus(progress=written)
    except OSError as error:
        st.error(f"The demo corpus could not be written into the cache folder {default_cache_root()}: {error}")
        return
    finally:
        bar.empty()
    st.session_state[FOLDER_KEY] = str(folder)


def allowed_roots(configured: Path) -> list[Path]:
    """Folders the sidebar may open: $SIGNALS_ALLOWED_ROOTS (os.pathsep-separated), else the configured one."""
    env = os.environ.get(ALLOWED_ENV)
    roots = [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()] if env else [configured]
    return [r.resolve() for r in roots]


def check_folder(text: str, roots: list[Path]) -> tuple[Path | None, str | None]:
    """A typed folder -> (resolved folder, None) when allowed and present, else (None, why not)."""
    if not text.strip():
        return None, "Type a folder path."
    folder = Path(text.strip()).expanduser().resolve()
    if not any(folder == root or root in folder.parents for root in roots):
        allowed = ", ".join(str(r) for r in roots)
        return None, f"{folder} is outside the folders this server may read ({allowed}). Ask the operator to add it to {ALLOWED_ENV}."
    if not folder.is_dir():
        return None, f"{folder} is not a folder."
    return folder, None


def fingerprint(folder: Path, within: list[Path] | None = None) -> str:
    """A short digest of every document's path, size and modification time (what the cache keys on)."""
    digest = hashlib.blake2b(digest_size=12)
    for _, doc_id, _, size, mtime in discover(folder, within):
        digest.update(f"{doc_id}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


class _Progress:
    """Relays loader progress into a Streamlit progress bar (created by the caller, not cached)."""

    def __init__(self, bar) -> None:
        self.bar = bar

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None and total:
            self.bar.progress(min(done / total, 1.0), text=f"Parsing documents: {done:,} of {total:,}")


class _SharedCorpora:
    """Loaded corpora by (folder, fingerprint), shared by every session of this server process.

    Not st.cache_resource: the load draws a progress bar in the session that triggers it, and
    Streamlit cannot replay elements drawn inside a cached function. A lock per key makes
    concurrent sessions wait for one load instead of each parsing the folder.
    """

    def __init__(self, capacity: int = 4) -> None:
        self.capacity = capacity
        self.corpora: OrderedDict[tuple[str, str], Corpus] = OrderedDict()
        self.locks: dict[tuple[str, str], threading.Lock] = {}
        self.guard = threading.Lock()

    def get(
        self,
        folder: str,
        token: str,
        progress: _Progress | None,
        within: list[Path] | None = None,
        *,
        token_is_fresh: bool = False,
    ) -> tuple[Corpus, str]:
        """The corpus of `folder` as it was when `token` was taken -> (corpus, the token it is stored under).

        A miss loads the folder as it is *now*. A session's token may be old (another session's
        Reload cleared the store, or the entry was evicted): then the fingerprint is taken again
        and the corpus stored and returned under the new one, so a key never names other content
        (facet counts and filtered views are cached by that key).
        """
        with self.guard:
            if (folder, token) in self.corpora:
                self.corpora.move_to_end((folder, token))
                return self.corpora[(folder, token)], token
        if not token_is_fresh:
            token = fingerprint(Path(folder), within)
        key = (folder, token)
        with self.guard:
            lock = self.locks.setdefault(key, threading.Lock())
        with lock:
            with self.guard:
                if key in self.corpora:
                    self.corpora.move_to_end(key)
                    return self.corpora[key], token
            corpus = load_corpus(folder, progress=progress, within=within, background_write=True)
            with self.guard:
                self.corpora[key] = corpus
                while len(self.corpora) > self.capacity:
                    self.corpora.popitem(last=False)
                self.locks.pop(key, None)
        return corpus, token

    def clear(self) -> None:
        with self.guard:
            self.corpora.clear()


@st.cache_resource(show_spinner=False)
def shared_corpora() -> _SharedCorpora:
    """The one store of loaded corpora for this server process."""
    return _SharedCorpora()


def load_folder(folder: Path, *, refresh: bool = False) -> Corpus:
    """The corpus of a folder. The fingerprint is taken once per session (and on Reload), so a
    rerun costs nothing while a new session or a Reload sees changed files."""
    tokens = st.session_state.setdefault("_fingerprints", {})
    key = str(folder)
    # Links inside the folder are followed only into allowed folders: a link planted in a shared
    # data folder must not read what the folder input would refuse.
    within = allowed_roots(configured_folder())
    fresh = refresh or key not in tokens
    if fresh:
        tokens[key] = fingerprint(folder, within)
    placeholder = st.empty()
    try:
        corpus, tokens[key] = shared_corpora().get(key, tokens[key], _Progress(placeholder), within,
                                                   token_is_fresh=fresh)
    finally:
        placeholder.empty()
    return corpus


def with_uploads(corpus: Corpus) -> Corpus:
    """The corpus plus this session's uploads (other sessions never see them)."""
    uploaded: Corpus | None = st.session_state.get("_uploaded_corpus")
    if uploaded is None or uploaded.documents.empty and uploaded.problems.empty:
        return corpus
    return combine(corpus, uploaded, "upload")


@dataclass(frozen=True)
class View:
    """What a page draws from: the whole corpus, the filtered one, the filters, and a cache key."""

    corpus: Corpus
    filtered: Corpus
    filters: Filters
    key: str


@st.cache_resource(max_entries=8, show_spinner=False)
def _prepared(corpus_key: str, _corpus: Corpus) -> threading.Thread:
    thread = threading.Thread(target=_prepare, args=(_corpus,), name="prepare-corpus", daemon=True)
    thread.start()
    return thread


def _prepare(corpus: Corpus) -> None:
    from signals.analysis import network
    from signals.brief import content

    try:
        content.prepare(corpus)
        network.prepare(corpus)
    except RuntimeError as error:
        if "interpreter shutdown" not in str(error):  # the server stopping mid-way: nothing to say
            raise


def prepare_in_background(corpus: Corpus, corpus_key: str) -> None:
    """Start computing, once per corpus and server, what pages reuse across views and sessions
    (the Brief's row anchors and the Network's row keys: 2 s and 1.5 s at 100,000 documents), while
    the analyst reads the first page.
    A page that needs it first waits for it (signals.frame_memo). Uploaded corpora (no key) are
    per session: their pages compute it when needed."""
    if corpus_key:
        _prepared(corpus_key, corpus)


#: Filtered views kept for reuse beyond those a session shows: the most recently asked for.
RECENT_VIEWS = 4


class _SharedViews:
    """Filtered views by (corpus key, filters key), shared by every session of this server process.

    A view lives while a session shows it (its View is in that session's state) and while it is
    one of the RECENT_VIEWS most recently asked for; then it goes, with everything computed on it
    (its rows' facts and positions, its encoding: signals.analysis.incidence). A view of 22,000
    documents at 100,000 holds about 8 MB, and each session tries a few: kept up to 64 views, the
    views nobody showed any more were most of what every session added to the server (issue 15).
    A session's reruns on its own filters (a page switch, a widget elsewhere) still find its view,
    and a view asked for again after it went is filtered again (one `apply`, as for a new filter;
    its charts are cached by key, signals.app.components.cached_chart). Concurrent sessions asking
    for the same view wait for one `apply` instead of each filtering.
    """

    def __init__(self, recent: int = RECENT_VIEWS) -> None:
        self.recent_capacity = recent
        self.shown: weakref.WeakValueDictionary[tuple[str, str], Corpus] = weakref.WeakValueDictionary()
        self.recent: OrderedDict[tuple[str, str], Corpus] = OrderedDict()
        self.locks: dict[tuple[str, str], threading.Lock] = {}
        self.guard = threading.Lock()

    def _found(self, key: tuple[str, str]) -> Corpus | None:
        """The view under `key` if some session still holds it or it is recent (under the guard)."""
        view = self.shown.get(key)
        if view is not None:
            self.recent[key] = view
            self.recent.move_to_end(key)
            while len(self.recent) > self.recent_capacity:
                self.recent.popitem(last=False)
        return view

    def get(self, corpus_key: str, filters_key: str, compute) -> Corpus:
        """The view of `filters_key` over the corpus of `corpus_key`: kept, else `compute()`."""
        key = (corpus_key, filters_key)
        with self.guard:
            view = self._found(key)
            if view is not None:
                return view
            lock = self.locks.setdefault(key, threading.Lock())
        with lock:
            with self.guard:
                view = self._found(key)
                if view is not None:
                    return view
            view = compute()
            with self.guard:
                self.shown[key] = view
                self._found(key)
                self.locks.pop(key, None)
        return view

    def __len__(self) -> int:
        with self.guard:
            return len(self.shown)


@st.cache_resource(show_spinner=False)
def shared_views() -> _SharedViews:
    """The one store of filtered views for this server process."""
    return _SharedViews()


def applied_filters(corpus: Corpus, filters: Filters, tables_key: str = "") -> tuple[Filters, str]:
    """(the filters a view applies now, the key its view is shared under): without its ranked search
    until the documents' embeddings are stored (see make_view); the key names the workspace's
    revision (`tables_key`) too."""
    from signals.app import meaning

    if filters.search and not meaning.documents_embedded(corpus):
        filters = filters.with_(search="")
    return filters, repr(filters) + tables_key


def make_view(corpus: Corpus, corpus_key: str, filters: Filters, tables: dict | None = None,
              tables_key: str = "") -> View:
    """Filter (cached across sessions by folder fingerprint + filters, never by hashing frames).

    `tables`: what facets beyond the corpus read (the joined annotations, signals.filters.apply),
    named in the key by `tables_key` (the workspace's revision), so an edit makes a new view.
    A ranked search waits for the documents' embeddings: until they are stored (a background job;
    the Search page draws its progress), pages show the view without it rather than freeze."""
    applied, filters_key = applied_filters(corpus, filters, tables_key)
    filtered = (shared_views().get(corpus_key, filters_key, lambda: apply(corpus, applied, tables)) if corpus_key
                else apply(corpus, applied, tables))
    return View(corpus, filtered, filters, f"{corpus_key}|{filters_key}")

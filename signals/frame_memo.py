"""Values computed once per frame object and kept while that frame lives.

A corpus's whole items frame is shared by every filtered view of it (Corpus.item_origin), so
something computed per row of it (the Brief's row anchors: 2 s over the 2.1 million rows of
100,000 documents) is computed once per loaded corpus and sliced for each view, in the app
(whatever the session) and in the CLI alike. Keyed by the frame's identity, not its contents
(hashing 2 million rows would cost what it saves); forgotten when the frame is collected.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

import pandas as pd

T = TypeVar("T")

_values: dict[tuple[int, str], object] = {}
_computing: dict[tuple[int, str], threading.Lock] = {}
# Reentrant: a frame collected while this thread holds it runs `_forget` here (a finalizer can
# run at any allocation), which must not wait for itself.
_guard = threading.RLock()


def once_per_frame(frame: pd.DataFrame, name: str, compute: Callable[[pd.DataFrame], T]) -> T:
    """`compute(frame)`, computed once for this frame object and this `name` (concurrent callers
    wait for the first one rather than compute it again)."""
    key = (id(frame), name)
    with _guard:
        if key in _values:
            return _values[key]  # type: ignore[return-value]
        lock = _computing.setdefault(key, threading.Lock())
    with lock:
        with _guard:
            if key in _values:
                return _values[key]  # type: ignore[return-value]
        value = compute(frame)
        with _guard:
            _values[key] = value
            _computing.pop(key, None)
        # The id may be reused once the frame is gone: its values go with it.
        weakref.finalize(frame, _forget, key)
    return value


def _forget(key: tuple[int, str]) -> None:
    with _guard:
        _values.pop(key, None)

"""signals.frame_memo: computed once per frame object (also when sessions ask at once), per name,
and forgotten with the frame."""

from __future__ import annotations

import gc
import threading
import time

import pandas as pd

from signals import frame_memo


def test_a_value_is_computed_once_per_frame_and_name_even_when_threads_ask_together() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3]})
    calls: list[int] = []

    def slow_sum(f: pd.DataFrame) -> int:
        calls.append(1)
        time.sleep(0.2)
        return int(f["a"].sum())

    found: list[int] = []
    threads = [threading.Thread(target=lambda: found.append(frame_memo.once_per_frame(frame, "sum", slow_sum)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [6, 6, 6, 6] and len(calls) == 1
    assert frame_memo.once_per_frame(frame, "count", len) == 3  # another name, its own value
    other = pd.DataFrame({"a": [1, 2, 3]})  # equal contents, another frame: computed for it
    assert frame_memo.once_per_frame(other, "sum", slow_sum) == 6 and len(calls) == 2


def test_values_go_with_their_frame() -> None:
    frame = pd.DataFrame({"a": range(10)})
    frame_memo.once_per_frame(frame, "sum", lambda f: int(f["a"].sum()))
    key = (id(frame), "sum")
    assert key in frame_memo._values
    del frame
    gc.collect()
    assert key not in frame_memo._values

"""The Theme co-occurrence network in Debian's Chromium (issue 10, item 7): labels that do not overlap,
themes without a link listed beside the drawing instead of in a row of labels, and the Measure
switch reaching the network.

Runs on a synthetic corpus written into a temporary folder (no ../shared needed). The themes expected
to be linked or not are worked out here with plain pandas from the loaded corpus. Before the fix the
network drew unlinked themes in a row of overlapping labels and kept its colours whatever the measure.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from browser_support import CHROMIUM, chromium, running_app, wait_until

from signals import load_corpus
from signals.synth import write_corpus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

#: Every label box, node and colour-bar title of the network figure, in page px.
NETWORK_JS = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.offsetParent !== null);
  const network = plots[plots.length - 1];
  const box = element => { const r = element.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const labels = [...network.querySelectorAll('g.annotation')].map(g => ({text: g.textContent, ...box(g)}));
  const traces = [...network.querySelectorAll('g.trace.scatter')];
  const nodes = [...traces[traces.length - 1].querySelectorAll('path.point')].map(box);
  const title = network.querySelector('.colorbar .cbtitle');
  return {labels, nodes, colourbar: title ? title.textContent : null};
}"""


def _overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def _covers_node(label: dict, node: dict) -> bool:
    """Whether a label box reaches into a node's circle (1 px of anti-aliasing allowed)."""
    cx, cy, r = node["x"] + node["w"] / 2, node["y"] + node["h"] / 2, node["w"] / 2 - 1
    nearest_x = min(max(cx, label["x"]), label["x"] + label["w"])
    nearest_y = min(max(cy, label["y"]), label["y"] + label["h"])
    return (nearest_x - cx) ** 2 + (nearest_y - cy) ** 2 < r * r


def _expected(corpus, top_n: int, minimum: int) -> tuple[set[str], set[str]]:
    """(theme keys drawn, theme keys not linked): the top_n themes by documents (ties by key) in at
    least `minimum` documents, split by whether one shares `minimum` documents with another."""
    themes = corpus.themes.astype({"doc_id": "str", "theme_key": "str"})
    documents = themes.groupby("theme_key")["doc_id"].agg(set)
    ranked = sorted(documents.index, key=lambda key: (-len(documents[key]), key))
    top = [key for key in ranked if len(documents[key]) >= minimum][:top_n]
    linked = {key for a, b in itertools.combinations(top, 2) if len(documents[a] & documents[b]) >= minimum
              for key in (a, b)}
    return linked, set(top) - linked


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cooccurrence-corpus")
    write_corpus(folder, 400, seed=3)
    return folder


def test_network_labels_unlinked_list_and_measure(corpus_dir, tmp_path):
    corpus = load_corpus(corpus_dir, cache_root=tmp_path / "expected")
    key_of = {str(t).casefold(): str(k) for t, k in zip(corpus.themes["theme"], corpus.themes["theme_key"])}
    with running_app(corpus_dir, tmp_path / "cache") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        page.goto(f"{url}/cooccurrence")
        page.get_by_role("tab", name="Network").wait_for(timeout=90_000)
        # Minimum documents 3 -> 5: on these 400 documents some top themes lose every link.
        slider = page.get_by_role("slider", name="Minimum documents")
        slider.focus()
        for wanted in ("4", "5"):
            page.keyboard.press("ArrowRight")
            wait_until(page, lambda wanted=wanted: slider.get_attribute("aria-valuetext") == wanted,
                       f"the slider at {wanted}")
        page.get_by_text("Themes in at least 5 documents").wait_for(timeout=30_000)
        page.get_by_role("tab", name="Network").click()
        page.get_by_text("Not linked").wait_for(timeout=30_000)

        linked, unlinked = _expected(corpus, 20, 5)
        assert unlinked and linked  # the corpus exercises both

        def network_drawn() -> dict | None:
            drawn = page.evaluate(NETWORK_JS)
            return drawn if len(drawn["nodes"]) == len(linked) and drawn["labels"] else None

        drawn = wait_until(page, network_drawn, "the network of the linked themes to be drawn")
        labels, nodes = drawn["labels"], drawn["nodes"]
        assert len(nodes) == len(linked)  # unlinked themes are not drawn
        assert {key_of[label["text"].casefold()] for label in labels} <= linked
        assert len(labels) >= 0.8 * len(nodes)
        assert not [(a["text"], b["text"]) for a, b in itertools.combinations(labels, 2) if _overlap(a, b)]
        assert not [label["text"] for label in labels for node in nodes if _covers_node(label, node)]
        assert drawn["colourbar"] == "Documents with both"

        listed = page.locator('[data-testid="stMarkdownContainer"]', has_text="Not linked").first.inner_text()
        assert listed.strip() == f"Not linked ({len(unlinked)})"

        page.get_by_text("Lift", exact=True).click()
        page.get_by_text("Line width and colour: lift").wait_for(timeout=30_000)
        wait_until(page, lambda: page.evaluate(NETWORK_JS)["colourbar"] == "Lift", "the colour bar to say Lift")

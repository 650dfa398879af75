"""signals.analysis.network on the tiny corpus (tests/analysis/conftest.py), weights worked out by hand.

Tiny corpus: d1 AI, Climate + signals Robot tutors (5), Heat pumps (3), concern Job loss (4);
d2 AI, Energy + signal Wind farms (2), issue Grid (unrated); d3 AI, Climate, Energy + signal Solar
glass (4), concern Glare (1), technology Perovskite cells (5, no name); d4 Energy + issue Storage (3).
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from signals.analysis import network as nw


def _node(kind: str, label: str) -> str:
    return nw.node_id(kind, label.casefold())


def test_nodes_per_type(tiny):
    nodes = nw.node_table(tiny, top_per_type=10)
    assert nodes["type"].drop_duplicates().tolist() == ["themes", "signals", "concerns", "technologies", "issues"]
    themes = nodes[nodes["type"] == "themes"].set_index("label")["documents"]
    assert themes.to_dict() == {"AI": 3, "Energy": 3, "Climate": 2}  # most documents first
    signals = nodes[nodes["type"] == "signals"]
    # One document each: highest link weight first (Robot tutors 1 x (1 + 1 + 0.6 + 0.8) = 3.4).
    assert signals["label"].tolist()[0] == "Robot tutors"
    assert signals.set_index("label").loc["Robot tutors", "relevancy"] == pytest.approx(5.0)
    assert nodes[nodes["type"] == "technologies"]["label"].tolist() == ["Perovskite cells"]
    assert len(nw.node_table(tiny, top_per_type=1)) == 5


def test_link_weight_ranks_nodes_not_the_alphabet(tiny):
    """Two signals tie on documents (1) and relevancy (5): the one with more to link to is kept.

    Types themes + signals. "Alpha" sits in d4 with Energy alone: link weight 1 x 1 = 1.
    "Zeta" sits in d3 with AI, Climate, Energy (1 each) and Solar glass (4/5): 1 x 3.8 = 3.8.
    """
    extra = pd.DataFrame({"doc_id": ["d4", "d3"], "section": ["signals", "signals"], "row": [1, 1],
                          "line": [90, 91], "name": ["Alpha", "Zeta"], "description": ["x", "y"],
                          "relevancy": [5, 5], "label": ["Alpha", "Zeta"]})
    items = pd.concat([tiny.items.astype({"section": "str", "doc_id": "str"}), extra], ignore_index=True)
    items = items.astype({"section": "category", "relevancy": "Int8"})
    corpus = tiny.with_frames(items=items)
    nodes = nw.node_table(corpus, ("themes", "signals"), top_per_type=10)
    signals = nodes[nodes["type"] == "signals"].set_index("label")
    assert signals.loc["Zeta", "link_weight"] == pytest.approx(3.8)
    assert signals.loc["Alpha", "link_weight"] == pytest.approx(1.0)
    # Solar glass (4/5) in d3 with three themes and Zeta: 0.8 x 4 = 3.2. Robot tutors (5/5) in d1 with
    # AI, Climate and Heat pumps (3/5): 1 x 2.6. Heat pumps: 0.6 x 3 = 1.8. Wind farms (2/5) in d2
    # with AI and Energy: 0.4 x 2 = 0.8.
    expected = {"Zeta": 3.8, "Solar glass": 3.2, "Robot tutors": 2.6, "Heat pumps": 1.8, "Alpha": 1.0,
                "Wind farms": 0.8}
    assert signals.index.tolist() == list(expected)
    assert signals["link_weight"].tolist() == pytest.approx(list(expected.values()))
    kept = nw.typed_network(corpus, ("themes", "signals"), top_per_type=1)
    assert [n for n, t in kept.nodes(data="type") if t == "signals"] == [_node("signals", "Zeta")]
    # The link weight is the node's weighted degree in the network of all nodes of those types.
    whole = nw.typed_network(corpus, ("themes", "signals"), top_per_type=100)
    assert whole.degree(_node("signals", "Zeta"), weight="weight") == pytest.approx(3.8)


def test_unnamed_rows_are_shown_by_a_short_label(tiny):
    items = tiny.items.copy()
    unnamed = items["section"].astype("str") == "technologies"
    items.loc[unnamed, "description"] = "A method that turns windows into solar panels."
    items.loc[unnamed, "label"] = items.loc[unnamed, "description"]
    graph = nw.typed_network(tiny.with_frames(items=items), ("themes", "technologies"))
    node = _node("technologies", "A method that turns windows into solar panels.")
    assert graph.nodes[node]["label"] == "Method that turns windows"
    assert graph.nodes[node]["text"] == "A method that turns windows into solar panels."
    assert graph.nodes[_node("themes", "AI")]["text"] == "AI"
    positions = nw.layout(graph).set_index("node")
    assert positions.loc[node, "text"] == "A method that turns windows into solar panels."


def test_edge_weights_by_hand(tiny):
    graph = nw.typed_network(tiny, top_per_type=10)
    # AI and Climate share d1 and d3, themes weigh 1: 1 + 1.
    assert graph.edges[_node("themes", "AI"), _node("themes", "Climate")]["weight"] == pytest.approx(2.0)
    assert graph.edges[_node("themes", "AI"), _node("themes", "Climate")]["documents"] == 2
    # Robot tutors (5/5) and Heat pumps (3/5) share d1.
    assert graph.edges[_node("signals", "Robot tutors"), _node("signals", "Heat pumps")]["weight"] == pytest.approx(0.6)
    # Grid is unrated: weighs 1. With Wind farms (2/5) in d2.
    assert graph.edges[_node("issues", "Grid"), _node("signals", "Wind farms")]["weight"] == pytest.approx(0.4)
    # Energy (1) and Storage (3/5) share d4 only.
    assert graph.edges[_node("themes", "Energy"), _node("issues", "Storage")]["weight"] == pytest.approx(0.6)
    assert not graph.has_edge(_node("signals", "Robot tutors"), _node("issues", "Storage"))
    assert graph.nodes[_node("themes", "AI")]["type"] == "themes"


def test_types_and_minimum_weight(tiny):
    themes_only = nw.typed_network(tiny, ("themes",))
    assert {data["type"] for _, data in themes_only.nodes(data=True)} == {"themes"}
    assert themes_only.number_of_nodes() == 3 and themes_only.number_of_edges() == 3
    heavy = nw.typed_network(tiny, min_weight=1.5)
    assert all(w >= 1.5 for _, _, w in heavy.edges(data="weight"))
    assert heavy.number_of_nodes() == nw.typed_network(tiny).number_of_nodes()  # nodes stay


def test_most_connected(tiny):
    graph = nw.typed_network(tiny, ("themes", "signals"))
    table = nw.most_connected(graph, 10)
    assert table["label"].iloc[0] == "AI"
    # Equal weights: more documents first, then label.
    assert table["weight"].round(9).tolist() == sorted(table["weight"].round(9), reverse=True)
    ties = table.groupby(table["weight"].round(9), sort=False)
    assert all(group["documents"].is_monotonic_decreasing for _, group in ties)
    expected = max(weight for _, weight in graph.degree(weight="weight"))
    assert table["weight"].iloc[0] == pytest.approx(expected)
    assert table["links"].iloc[0] == graph.degree(_node("themes", "AI"))


def test_bridges_between_communities():
    """Two triangles of themes joined through one signal: the signal is the bridge."""
    graph = nx.Graph()
    for name in ("a", "b", "c", "x", "y", "z"):
        graph.add_node(f"themes:{name}", type="themes", label=name, documents=3)
    graph.add_node("signals:bridge", type="signals", label="Bridge", documents=2)
    for u, v in (("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z")):
        graph.add_edge(f"themes:{u}", f"themes:{v}", weight=5.0, documents=5)
    graph.add_edge("themes:a", "signals:bridge", weight=1.0, documents=1)
    graph.add_edge("signals:bridge", "themes:x", weight=1.0, documents=1)
    membership = nw.communities(graph)
    assert membership["themes:a"] == membership["themes:b"] != membership["themes:x"]
    table = nw.bridges(graph)
    assert table["label"].iloc[0] == "Bridge"
    assert table["communities"].iloc[0] == 2
    assert table["betweenness"].iloc[0] == pytest.approx(nx.betweenness_centrality(graph)["signals:bridge"])
    assert "distance" not in next(iter(graph.edges(data=True)))[2]  # the caller's graph is untouched


def test_layout_and_edges(tiny):
    graph = nw.typed_network(tiny)
    positions = nw.layout(graph)
    assert set(positions["node"]) == set(graph.nodes)
    assert positions[["x", "y"]].notna().all().all()
    edges = nw.edge_table(graph)
    assert len(edges) == graph.number_of_edges()
    assert edges["weight"].is_monotonic_decreasing


def test_empty(empty):
    graph = nw.typed_network(empty)
    assert graph.number_of_nodes() == 0
    assert nw.most_connected(graph).empty and nw.bridges(graph).empty and nw.layout(graph).empty


def test_real_corpus_picks_by_link_weight(futures):
    """Real rows mostly sit in one document with relevancy 5: the 15 shown must not be an alphabetical
    pick among hundreds of ties, and no technology is shown by a cut description."""
    nodes = nw.node_table(futures, ("themes", "signals", "technologies"), top_per_type=10_000)
    for kind in ("signals", "technologies"):
        ranked = nodes[nodes["type"] == kind].reset_index(drop=True)
        fifteenth = ranked.iloc[14]
        tied = ranked[(ranked["link_weight"] == fifteenth["link_weight"])
                      & (ranked["documents"] == fifteenth["documents"])]
        assert len(tied) < 10, kind
        assert ranked["link_weight"].is_monotonic_decreasing
    graph = nw.typed_network(futures, ("themes", "signals", "technologies"), top_per_type=15, min_weight=1.0)
    technologies = [data for _, data in graph.nodes(data=True) if data["type"] == "technologies"]
    assert len(technologies) == 15
    assert not any(data["label"].lower().startswith(("a method that", "a technology that", "a ", "the "))
                   for data in technologies)


def _edges(corpus) -> dict:
    graph = nw.typed_network(corpus, top_per_type=1_000)
    return {tuple(sorted(edge)): (data["weight"], data["documents"]) for *edge, data in graph.edges(data=True)}


def test_a_flagged_copy_links_nothing_its_original_does_not(tmp_path):
    """The seed article loaded twice (its link with other tracking parameters the second time): the
    loader flags the copy, and the network is the one of the article alone: no link weighs twice,
    no node counts 2 documents. A copy whose original is outside the view stands for it."""
    from signals.filters import Filters, apply
    from signals.ingest.load import load_corpus
    from tests.article_twice import COPY_TITLE, SEED, write_article_twice

    alone_dir, twice_dir = tmp_path / "alone", tmp_path / "twice"
    alone_dir.mkdir()
    (alone_dir / "a.md").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    write_article_twice(twice_dir)
    alone = load_corpus(alone_dir, cache_root=tmp_path / "cache")
    twice = load_corpus(twice_dir, cache_root=tmp_path / "cache")
    assert twice.documents.set_index("doc_id").loc["b", "duplicate_of"] == "a"
    expected = _edges(alone)
    assert expected and all(documents == 1 for _, documents in expected.values())
    assert _edges(twice) == expected
    nodes = nw.node_table(twice, top_per_type=1_000)
    assert (nodes["documents"] == 1).all()
    only_copy = apply(twice, Filters(text=COPY_TITLE, text_scope="documents"))
    assert list(only_copy.documents["doc_id"].astype("str")) == ["b"]
    assert _edges(only_copy) == expected

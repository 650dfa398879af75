"""signals.analysis.short_labels: hand-written descriptions (English and French) and their expected
labels, the length caps, and the real corpus's Technologies rows (no name column)."""

from __future__ import annotations

import pytest

from signals.analysis import network as nw
from signals.analysis.short_labels import MAX_CHARS, MAX_WORDS, short_label


@pytest.mark.parametrize(
    ("description", "label"),
    [
        # Article dropped, stop at the relative word; a generic head keeps its clause.
        ("A method that turns windows into solar panels.", "Method that turns windows"),
        ("A deep learning model that detects distress calls in chickens.", "Deep learning model"),
        # A vague frame and its preposition go: the phrase is about what follows.
        ("The use of coded messages in telegraphy to transmit weather reports.", "Coded messages"),
        ("Development of tools to assess animal emotions.", "Tools to assess animal emotions"),
        # A leading gerund goes.
        ("Utilizing advanced data analysis techniques to decode old messages.", "Advanced data analysis techniques"),
        # A participle followed by a preposition ends the phrase; an -ly adverb too.
        ("Personalized avatars created by users on Instagram, allowing immersion.", "Personalized avatars"),
        ("Reanimated soldiers potentially utilizing biotechnology.", "Reanimated soldiers"),
        # "designed to" / "aimed at" shortened after a generic head.
        ("AI systems designed to provide financial advice and management services.",
         "AI systems to provide financial advice"),
        ("Technologies aimed at detecting AI-generated voice scams.", "Technologies for detecting AI-generated voice"),
        # A lone adjective before a comma does not end the phrase; an abbreviation's dot is kept.
        ("A compact, custom-built seismometer designed to detect distant earthquakes.",
         "Compact custom-built seismometer"),
        ("A.I. algorithms that create synthetic media.", "A.I. algorithms"),
        ("Supply chains for critical materials.", "Supply chains"),  # "supply" is no adverb
        # French.
        ("Une méthode qui permet de trier les déchets automatiquement.", "Méthode qui permet de trier"),
        ("Sources d'énergie qui se régénèrent naturellement.", "Sources d'énergie"),
        ("Structures couvertes de panneaux solaires installées dans des parkings.",
         "Structures couvertes de panneaux solaires"),
        ("Processus d'adaptation des entreprises aux nouvelles technologies.", "Adaptation des entreprises"),
        ("L'utilisation de drones pour livrer des colis.", "Drones pour livrer des colis"),
        # Nothing to shorten.
        ("AI", "AI"),
        ("", ""),
        (None, ""),
    ],
)
def test_short_label_by_hand(description, label):
    assert short_label(description) == label


def test_caps():
    long = "Ultra-high-performance-concrete-reinforced-with-graphene-nanoplatelets-for-bridges"
    assert short_label(long) == long[: MAX_CHARS - 1] + "…"
    many = "Solar roof tiles batteries heat pumps wind turbines meters chargers"
    assert short_label(many) == "Solar roof tiles batteries heat pumps"  # six words
    assert len(short_label(many).split()) == MAX_WORDS


def test_real_technologies_get_short_labels(futures):
    rows = futures.items[futures.items["section"].astype("str") == "technologies"]
    assert len(rows) and rows["name"].isna().all()  # real Technologies rows have no name
    labels = nw.row_labels(rows)
    assert (labels.str.len() > 0).all()
    assert (labels.str.len() <= MAX_CHARS).all()
    assert (labels.str.split().str.len() <= MAX_WORDS).all()
    starts = labels.str.lower()
    for opening in ("a method that", "a technology that", "a ", "an ", "the ", "the use of", "une ", "utilizing "):
        assert not starts.str.startswith(opening).any(), opening
    # Most labels are distinct: a label names a row, it is not a category.
    assert labels.nunique() >= 0.9 * len(labels)
    nodes = nw.node_table(futures, ("technologies",), top_per_type=15)
    assert (nodes["label"] != nodes["text"]).all()  # every shown technology has its short label
    assert nodes["label"].tolist() == [short_label(text) for text in nodes["text"]]

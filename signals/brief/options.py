"""What the analyst chooses about a brief: which signals, how they are grouped, how many.

Light on purpose (no pandas): the `signals brief` parser offers the choices in `--help` without
importing the content model.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Which rows of the view the brief lists:
#:   top        rows saying the same thing (same section and text, case and spacing ignored) merged
#:              across documents, ranked by relevancy x documents (the default without annotations)
#:   view       every row of the view, most relevant first
#:   starred    the rows the analyst starred (or whose document they starred)
#:   escalated  the rows whose status is `escalate` (their own, or their document's)
SELECTIONS = ("top", "view", "starred", "escalated")
#: How the chosen rows are grouped: under a theme of their document, or by same-signal cluster.
GROUPINGS = ("theme", "cluster")
DEFAULT_MAX_SIGNALS = 40
#: Themes listed under "Top themes", and at most this many new or growing ones under "Emerging".
TOP_THEMES = 10
EMERGING_SHOWN = 8


@dataclass(frozen=True)
class BriefOptions:
    """The analyst's choices. `select` None: `starred` when some row of the view is starred, else
    `top`. `themes`: the themes that get a section (any spelling), in that order; empty: the themes
    of the chosen rows, most common first. `title` None: "Signals brief"."""

    select: str | None = None
    group: str = "theme"
    max_signals: int = DEFAULT_MAX_SIGNALS
    themes: tuple[str, ...] = ()
    title: str | None = None

    def __post_init__(self) -> None:
        if self.select is not None and self.select not in SELECTIONS:
            raise ValueError(f"select must be one of {', '.join(SELECTIONS)}, not {self.select!r}")
        if self.group not in GROUPINGS:
            raise ValueError(f"group must be one of {', '.join(GROUPINGS)}, not {self.group!r}")
        if self.max_signals < 1:
            raise ValueError("max_signals must be at least 1")

#: The formats a brief is written in: name -> (file suffix, MIME type, what to call it).
FORMATS = {
    "md": (".md", "text/markdown", "Markdown"),
    "html": (".html", "text/html", "HTML (self-contained, printable to PDF)"),
    "pptx": (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint"),
}


def format_of(path: str, given: str | None = None) -> str:
    """The format to write: `given`, else the one whose suffix `path` has (`.markdown` and `.htm`
    too). ValueError when neither says."""
    if given:
        if given not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {given!r}")
        return given
    suffix = path[path.rfind("."):].lower() if "." in path else ""
    by_suffix = {spec[0]: name for name, spec in FORMATS.items()} | {".markdown": "md", ".htm": "html"}
    if suffix not in by_suffix:
        raise ValueError(f"{path}: name a .md, .html or .pptx file, or give --format md|html|pptx")
    return by_suffix[suffix]

"""Text from documents and analysts made safe to show: as literal Markdown, and links only when http(s).

One place for both, so the app (signals.app.components re-exports them) and the briefs
(signals.brief) escape the same way. No Streamlit, no pandas at import.
"""

from __future__ import annotations

import math
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'@])")
# GFM links bare `https://x`, `www.x` and `a@b.c` *after* escapes are resolved, so a backslash
# cannot stop it (a theme `x@evil.test` became a mailto: link): a word joiner (U+2060, invisible)
# inside each trigger does.
_AUTOLINK_TRIGGER = re.compile(r"(?i)(?<=://)|(?<=@)|(?<=\bwww)(?=\.)")
_WORD_JOINER = "\u2060"


def _missing(text: object) -> bool:
    return text is None or (isinstance(text, float) and math.isnan(text)) or type(text).__name__ in ("NAType", "NaTType")


def plain(text: object) -> str:
    """Any document text -> markdown that shows it literally (every markup character escaped).

    Document text is data, never markup: `<script>`, links (bare ones too) and emphasis come out as
    typed.
    """
    if _missing(text):
        return ""
    unlinked = _AUTOLINK_TRIGGER.sub(_WORD_JOINER, str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked).replace("\n", "  \n")


def safe_url(url: object) -> str | None:
    """The URL when it is http(s), else None (javascript:, data:, relative paths are not links)."""
    if not isinstance(url, str):
        return None
    stripped = url.strip()
    lowered = stripped.lower()
    if lowered.startswith(("http://", "https://")) and not any(c in stripped for c in "\x00\r\n\t "):
        return stripped
    return None

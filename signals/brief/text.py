"""Document and analyst text made inert for each format a brief is written in.

Every string a brief shows comes from documents or analysts, so each format escapes it the one
way that format needs: Markdown (every markup character escaped, bare links broken:
signals.safe_text.plain), HTML (html.escape), slides (plain text runs, which python-pptx writes
as XML text). Control characters are dropped first: XML refuses them outright (lxml raises on a
title holding \\x0b), and no reader wants them. Links are only http(s) (safe_text.safe_url),
percent-encoded where a character could close the markup around them, and always shown as text.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from signals.safe_text import plain, safe_url

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# Characters left as they are in a URL: RFC 3986's reserved and unreserved ones, and `%`. The rest
# (`<`, `>`, `"`, spaces, backticks, braces...) could end an autolink or an attribute: encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%-._~"


def clean(text: object) -> str:
    """Any value -> text without control characters (line breaks and tabs kept); "" for missing."""
    if text is None or (not isinstance(text, str) and str(text) in ("nan", "<NA>", "NaT", "None")):
        return ""
    return _CONTROL.sub("", str(text))


def one_line(text: object) -> str:
    """clean(), with every run of white space (line breaks too) one space."""
    return " ".join(clean(text).split())


def markdown(text: object) -> str:
    """Text -> Markdown that shows it literally, on one line."""
    return plain(one_line(text))


def html_text(text: object) -> str:
    """Text -> HTML text (and attribute value): `<`, `>`, `&` and quotes escaped."""
    return html.escape(clean(text), quote=True)


def link_url(url: object) -> str | None:
    """An http(s) URL, percent-encoded where it could break out of markup; None for anything else."""
    checked = safe_url(clean(url))
    return quote(checked, safe=_URL_SAFE) if checked else None

"""Mark include and exclude keywords in a record's text (pure Python, no Django).

Keywords are found in the raw text and every piece is escaped on its way out, so a
record's own markup never reaches the page: the result is safe to render as HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

INCLUDE_CLASS = "kw-include"
EXCLUDE_CLASS = "kw-exclude"


def _pattern(keywords: Iterable[str]) -> re.Pattern[str] | None:
    # A keyword ending in "*" matches any ending ("unemploy*"); longest first, so
    # "job search" wins over "job". Word boundaries keep "age" out of "caseload".
    terms = sorted({k.strip().lower() for k in keywords if k.strip()}, key=len, reverse=True)
    if not terms:
        return None
    parts = []
    for term in terms:
        stem = term.rstrip("*")
        if not stem:
            continue
        body = re.escape(stem).replace(r"\ ", r"\s+")
        parts.append(body + (r"\w*" if term.endswith("*") else r"\b"))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


def highlight(text: str, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> str:
    """The escaped text with <mark> around every keyword; include wins a tie."""
    text = text or ""
    include_pattern, exclude_pattern = _pattern(include), _pattern(exclude)
    spans: list[tuple[int, int, str]] = []
    for pattern, css in ((include_pattern, INCLUDE_CLASS), (exclude_pattern, EXCLUDE_CLASS)):
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            if match.end() > match.start():
                spans.append((match.start(), match.end(), css))
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    out, position = [], 0
    for start, end, css in spans:
        if start < position:
            continue  # overlaps a mark already placed
        out.append(_escape(text[position:start]))
        out.append(f'<mark class="{css}">{_escape(text[start:end])}</mark>')
        position = end
    out.append(_escape(text[position:]))
    return "".join(out)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)

"""Mark include and exclude keywords in a record's text (pure Python, no Django).

Keywords are found in the raw text and every piece is escaped on its way out, so a
record's own markup never reaches the page: the result is safe to render as HTML.

Given the record's language, a keyword also matches its inflections: a run of words whose
Snowball stems equal the keyword's ("ledige" marks "ledighed", "job search" marks "jobs
searched"). Those marks carry the class `kw-inflection` and name the keyword, so a reviewer
tells them from the keyword itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from screening.languages import STEMMERS, WORD, stem

INCLUDE_CLASS = "kw-include"
EXCLUDE_CLASS = "kw-exclude"
INFLECTION_CLASS = "kw-inflection"


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


def _inflection_spans(
    text: str, keywords: Iterable[str], language: str
) -> list[tuple[int, int, str]]:
    """(start, end, keyword) of every run of words whose stems equal a keyword's words'
    stems. Wildcard keywords ("unemploy*") already match any ending and are left out."""
    by_first_stem: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for keyword in {k.strip() for k in keywords if k.strip() and not k.strip().endswith("*")}:
        stems = tuple(stem(word, language) for word in WORD.findall(keyword.lower()))
        if stems:
            by_first_stem.setdefault(stems[0], []).append((stems, keyword))
    if not by_first_stem:
        return []
    words = [
        (match.start(), match.end(), stem(match.group().lower(), language))
        for match in WORD.finditer(text)
    ]
    spans = []
    for index, (start, _end, word_stem) in enumerate(words):
        for stems, keyword in by_first_stem.get(word_stem, ()):
            run = words[index : index + len(stems)]
            if tuple(item[2] for item in run) == stems:
                spans.append((start, run[-1][1], keyword))
    return spans


def highlight(
    text: str,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    language: str = "",
    inflection_title: str = "%(keyword)s",
) -> str:
    """The escaped text with <mark> around every keyword; include wins a tie, and the
    keyword as written wins over an inflection. With a language that has a stemmer, marks
    inflections too, each titled `inflection_title` with the keyword it stands for."""
    text = text or ""
    include, exclude = list(include), list(exclude)
    include_pattern, exclude_pattern = _pattern(include), _pattern(exclude)
    # (start, end, css, keyword of an inflection or ""), exact marks before inflections.
    spans: list[tuple[int, int, str, str]] = []
    for pattern, css in ((include_pattern, INCLUDE_CLASS), (exclude_pattern, EXCLUDE_CLASS)):
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            if match.end() > match.start():
                spans.append((match.start(), match.end(), css, ""))
    if language in STEMMERS:
        for keywords, css in ((include, INCLUDE_CLASS), (exclude, EXCLUDE_CLASS)):
            for start, end, keyword in _inflection_spans(text, keywords, language):
                spans.append((start, end, css, keyword))
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0]), bool(span[3])))
    out, position = [], 0
    for start, end, css, keyword in spans:
        if start < position:
            continue  # overlaps a mark already placed
        out.append(_escape(text[position:start]))
        if keyword:
            title = html.escape(inflection_title % {"keyword": keyword}, quote=True)
            opening = f'<mark class="{css} {INFLECTION_CLASS}" title="{title}">'
        else:
            opening = f'<mark class="{css}">'
        out.append(f"{opening}{_escape(text[start:end])}</mark>")
        position = end
    out.append(_escape(text[position:]))
    return "".join(out)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)

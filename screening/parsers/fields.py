"""Small value clean-ups shared by every format: years, pages, DOIs, whitespace.

Each format reads its file into `raw` (tag -> list of values, exactly as read) and
then picks the `ParsedRecord` fields out of it with these helpers, so that a year
or a page range means the same thing whichever database exported it.
"""

import re
from collections.abc import Iterable

from screening.bibrecord import normalise_doi

# A year is four digits starting with 1 or 2, standing alone ("2019//", "2002 Sep",
# "4-8 Aug. 2020") or opening a compact date ("20170812"). "10 15" or "abcd" is no year.
_YEAR = re.compile(r"(?<!\d)([12]\d{3})(?=\d{4}(?!\d)|(?!\d))")
_DASHES = re.compile(r"\s*(?:--|[-\u2010-\u2015])\s*")
# Values that name a DOI explicitly; a bare URL that merely contains "10.x/" (Scopus
# links carry `&doi=10.15598%2f...&partnerID=...`) is not taken as one.
_EXPLICIT_DOI = re.compile(r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/|10\.\d{4,9}/)", re.I)


def first(raw: dict[str, list[str]], *tags: str) -> str:
    """The first non-blank value of the first tag that has one."""
    for tag in tags:
        for value in raw.get(tag, ()):
            if value.strip():
                return value.strip()
    return ""


def values(raw: dict[str, list[str]], *tags: str) -> list[str]:
    """Every non-blank value of the first tag that has any, stripped, in file order."""
    for tag in tags:
        found = [stripped for value in raw.get(tag, ()) if (stripped := value.strip())]
        if found:
            return found
    return []


def one_line(text: str) -> str:
    """Collapse runs of whitespace (wrapped lines in titles, journals) to single spaces."""
    return " ".join(text.split())


def paragraphs(text: str) -> str:
    """Keep an abstract's line breaks, drop blank lines and stray indentation."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def parse_year(text: str) -> int | None:
    """The publication year in a date-like value, or None when there is none."""
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match else None


def first_year(*texts: str) -> int | None:
    for text in texts:
        year = parse_year(text)
        if year is not None:
            return year
    return None


def page_range(start: str, end: str = "") -> str:
    """'99--123' or ('99', '123') -> '99-123'; MEDLINE's '113-25' -> '113-125'.

    A start without a digit (Ovid's "No" / "Specified") is no page at all.
    """
    start, end = one_line(start), one_line(end)
    if not any(character.isdigit() for character in start):
        return ""
    if end and not _DASHES.search(start) and end != start:
        start = f"{start}-{end}"
    pages = _DASHES.sub("-", start)
    first_page, dash, last_page = pages.partition("-")
    if dash and first_page.isdigit() and last_page.isdigit() and len(last_page) < len(first_page):
        pages = f"{first_page}-{first_page[: len(first_page) - len(last_page)]}{last_page}"
    return pages


def find_doi(*candidates: str) -> str:
    """The normalised DOI of the first candidate that names one explicitly."""
    for candidate in candidates:
        if candidate and _EXPLICIT_DOI.match(candidate):
            doi = normalise_doi(candidate)
            if doi:
                return doi
    return ""


def split_list(items: Iterable[str], separator: str = ";") -> list[str]:
    """['a; b', 'c'] -> ['a', 'b', 'c'], blanks dropped."""
    return [part.strip() for item in items for part in item.split(separator) if part.strip()]

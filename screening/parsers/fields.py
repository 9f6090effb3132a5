"""Small value clean-ups shared by every format: years, pages, DOIs, whitespace.

Each format reads its file into `raw` (tag -> list of values, exactly as read) and
then picks the `ParsedRecord` fields out of it with these helpers, so that a year
or a page range means the same thing whichever database exported it.
"""

import re
from collections.abc import Iterable

from screening.bibrecord import normalise_doi

from .errors import ParseWarning, warn
from .textio import FIELD_LIMIT

# A year is four digits starting with 1 or 2, standing alone ("2019//", "2002 Sep",
# "4-8 Aug. 2020") or opening a compact date ("20170812"). "10 15" or "abcd" is no year.
_YEAR = re.compile(r"(?<!\d)([12]\d{3})(?=\d{4}(?!\d)|(?!\d))")
_DASHES = re.compile(r"\s*(?:--|[-\u2010-\u2015])\s*")
# Values that name a DOI explicitly; a bare URL that merely contains "10.x/" (Scopus
# links carry `&doi=10.15598%2f...&partnerID=...`) is not taken as one.
_EXPLICIT_DOI = re.compile(r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/|10\.\d{4,9}/)", re.I)
_WHITESPACE = re.compile(r"\s+")
# A record's raw values together: beyond these, further values are dropped with a
# warning (the most authors a real paper has is about 5,000; WoS lists up to ~1,000
# cited references). Each value is capped at FIELD_LIMIT on its own.
RECORD_VALUES_LIMIT = 50_000
RECORD_CHARACTERS_LIMIT = 16 * FIELD_LIMIT


class RawFields:
    """One record's values as read, tag -> [values], with every size bounded.

    Continuation lines are collected and joined once, when the value is complete:
    joining them one at a time copies the whole value again for every line, which a
    file of a million one-letter lines turns into hours. A value over FIELD_LIMIT
    characters, or a record over its limits, is cut with a warning naming the line
    and the record.
    """

    __slots__ = (
        "_characters",
        "_cut",
        "_filename",
        "_open",
        "_open_size",
        "_values",
        "_warnings",
        "line",
        "raw",
    )

    def __init__(self, filename: str, line: int, warnings: list[ParseWarning] | None) -> None:
        self.raw: dict[str, list[str]] = {}
        self.line = line  # where the record starts
        self._filename = filename
        self._warnings = warnings
        self._open: tuple[str, str, list[str]] | None = None  # tag, separator, parts
        self._open_size = 0
        self._values = 0
        self._characters = 0
        self._cut = False  # the record's own limits were reached (warned once)

    def __bool__(self) -> bool:
        return bool(self.raw)

    def add(self, tag: str, value: str, number: int) -> None:
        """A new value of `tag`, read on line `number`."""
        # Called for nearly every line of a file: the common case is kept short.
        if self._open is not None:
            self._close()
        if self._values >= RECORD_VALUES_LIMIT or self._characters >= RECORD_CHARACTERS_LIMIT:
            self._full(number)
            return
        if len(value) > FIELD_LIMIT:
            value = value[:FIELD_LIMIT]
            self._warn_cut(tag, number)
        self._values += 1
        self._characters += len(value)
        values = self.raw.get(tag)
        if values is None:
            self.raw[tag] = [value]
        else:
            values.append(value)

    def extend(self, tag: str, text: str, number: int, separator: str) -> None:
        """More of the last value of `tag` (a continuation line), joined by `separator`."""
        if not text or tag not in self.raw or self._cut:
            return
        if self._open is None or self._open[0] != tag:
            self._close()
            last = self.raw[tag][-1]
            self._open, self._open_size = (tag, separator, [last]), len(last)
        if self._open_size > FIELD_LIMIT:
            return  # already cut, and warned
        if self._characters >= RECORD_CHARACTERS_LIMIT:
            self._full(number)
            return
        room = FIELD_LIMIT - self._open_size - len(separator)
        if len(text) > room:
            text = text[: max(room, 0)]
            self._warn_cut(tag, number)
            self._open_size = FIELD_LIMIT + 1  # marks the value as cut
        else:
            self._open_size += len(separator) + len(text)
        self._open[2].append(text)
        self._characters += len(separator) + len(text)

    def done(self) -> dict[str, list[str]]:
        """The values, continuation lines joined."""
        self._close()
        return self.raw

    def _close(self) -> None:
        if self._open is not None:
            tag, separator, parts = self._open
            self.raw[tag][-1] = separator.join(part for part in parts if part)
            self._open = None

    def _full(self, number: int) -> None:
        if self._cut:
            return
        self._cut = True
        warn(
            self._warnings,
            self._filename,
            f"the record starting at line {self.line} holds more than "
            f"{RECORD_VALUES_LIMIT:,} values or {RECORD_CHARACTERS_LIMIT:,} characters; "
            "the values from here to its end were left out.",
            line=number,
        )

    def _warn_cut(self, tag: str, number: int) -> None:
        warn(
            self._warnings,
            self._filename,
            f"this value of the record starting at line {self.line} is longer than "
            f"{FIELD_LIMIT:,} characters and was cut there.",
            line=number,
            field=tag,
        )


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
    if len(text) > 10_000:
        # split() would hold a string object per word: 50 bytes each, ten times the text.
        return _WHITESPACE.sub(" ", text).strip()
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

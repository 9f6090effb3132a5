"""EndNote tagged text (.enw, "EndNote" export of AIS eLibrary, Google Scholar, ...).

Each line is "%X value" with a one-character tag; records are separated by blank
lines. `%0` (the reference type) usually opens a record but not always: the AIS
eLibrary writes `%T` first, so a record ends at a blank line, or at a second `%0`
when the blank line is missing. Lines without a % tag continue the previous value
(EndNote puts one keyword per line under `%K`).
"""

import re
from collections.abc import Iterator
from pathlib import Path

from screening.bibrecord import ParsedRecord, normalise_doi

from .errors import ParseError
from .fields import first, first_year, one_line, page_range, paragraphs, values
from .textio import read_lines

_TAG = re.compile(r"^%(\S)(?: (.*))?$")
_LINE_PER_VALUE = frozenset({"A", "E", "K", "Y", "?"})


def read_endnote_tagged(path: Path, filename: str, encoding: str) -> Iterator[ParsedRecord]:
    raw: dict[str, list[str]] = {}
    start = 0
    last_tag = ""
    found = False
    for number, text in read_lines(path, encoding, filename):
        if not text.strip():
            if raw:
                yield endnote_record(raw, start)
                raw = {}
            continue
        match = _TAG.match(text)
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "0" and "0" in raw:
                yield endnote_record(raw, start)
                raw = {}
            if not raw:
                start, found = number, True
            raw.setdefault(tag, []).append(value)
            last_tag = tag
        elif raw:
            continued = raw[last_tag]
            if last_tag in _LINE_PER_VALUE:
                continued.append(text.strip())
            else:
                continued[-1] = f"{continued[-1]}\n{text.strip()}".strip()
    if raw:
        yield endnote_record(raw, start)
    if not found:
        raise ParseError(filename, "no EndNote tagged records found: no line like '%T Title'.")


def endnote_record(raw: dict[str, list[str]], line: int) -> ParsedRecord:
    return ParsedRecord(
        title=one_line(first(raw, "T")),
        abstract=paragraphs(first(raw, "X")),
        authors=[one_line(name) for name in values(raw, "A")],
        year=first_year(first(raw, "D"), first(raw, "8")),
        journal=one_line(first(raw, "J", "B")),
        volume=first(raw, "V"),
        issue=first(raw, "N"),
        pages=page_range(first(raw, "P")),
        doi=normalise_doi(first(raw, "R")),
        url=first(raw, "U"),
        keywords=[one_line(keyword) for keyword in values(raw, "K")],
        language=first(raw, "G"),
        publication_type=first(raw, "0"),
        raw=raw,
        line=line,
    )

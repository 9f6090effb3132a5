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

from .errors import ParseError, ParseWarning
from .fields import RawFields, first, first_year, one_line, page_range, paragraphs, values
from .textio import read_lines

_TAG = re.compile(r"^%(\S)(?: (.*))?$")
_LINE_PER_VALUE = frozenset({"A", "E", "K", "Y", "?"})


def read_endnote_tagged(
    path: Path, filename: str, encoding: str, warnings: list[ParseWarning] | None = None
) -> Iterator[ParsedRecord]:
    record: RawFields | None = None
    last_tag = ""
    found = False
    for number, text in read_lines(path, encoding, filename, warnings):
        if not text.strip():
            if record:
                yield endnote_record(record.done(), record.line)
            record = None
            continue
        match = _TAG.match(text)
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "0" and record and "0" in record.raw:
                yield endnote_record(record.done(), record.line)
                record = None
            if not record:
                record, found = RawFields(filename, number, warnings), True
            record.add(tag, value, number)
            last_tag = tag
        elif record:
            if last_tag in _LINE_PER_VALUE:
                record.add(last_tag, text.strip(), number)
            else:
                record.extend(last_tag, text.strip(), number, "\n")
    if record:
        yield endnote_record(record.done(), record.line)
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

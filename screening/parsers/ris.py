"""RIS (.ris, .txt): Scopus, Web of Science, Embase, Ovid, ProQuest, EndNote, Zotero, Rayyan...

Written here rather than with rispy, although rispy is the usual library: its
`load`/`loads` take the whole text, carry no line numbers for error messages,
keep only the first value of a repeated tag that is not on its list-tag list
(Embase repeats SN, Ovid repeats DO and PB), and fail with a TypeError when a
continuation line follows such a repeated tag. Keeping `raw` as every value read
needs a reader that does less, not more; rispy still serves the tests as an
independent writer for round trips.

Reading rules (each covers a real export, see tests/screening/test_parsers.py):
- A record runs from a `TY  - ` line to the next `ER  - ` line. A new `TY` before
  any `ER` closes the open record (a hand-edited file lost its `ER`), reported as a
  repaired entry (the import waits for the user to confirm it); a record still open at
  the end of the file is kept, with a warning: the file may have been cut.
- Anything outside TY..ER is not a record and is skipped: Ovid's "1." numbers,
  search-query lines and "Link to the Ovid Full Text" lines, JSTOR's
  "Provider:" headers, Ovid's stray `NL  - ` line after `ER`.
- A tag line is two characters (letter, then letter or digit), two spaces, a
  hyphen; a known tag with a single space ("KW - x") and a four-letter `PMID` are
  read too. Any other line inside a record continues the previous tag, so an
  abstract line that starts with "ER", "ERCP ..." or "IL - 6" stays in the abstract;
  so does "ER - positive ...": `ER` ends a record only with nothing after the hyphen.
- Continuation lines of author and keyword tags are further values (EndNote and
  Rayyan put one keyword per line under a single `KW`); for other tags they are
  kept as line breaks inside the value.
"""

import re
import string
from collections.abc import Iterator
from pathlib import Path

from screening.bibrecord import ParsedRecord, normalise_doi

from .errors import REPAIRED, ParseError, ParseWarning, warn
from .fields import (
    RawFields,
    find_doi,
    first,
    first_year,
    one_line,
    page_range,
    paragraphs,
    values,
)
from .textio import read_line_blocks

_STANDARD_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?:\s(.*))?$")
_LOOSE_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {1,3}-(?:\s(.*))?$")
# Tags of the RIS specification (and PMID, which PsycINFO writes); only these are
# recognised when the spacing is off, so a continuation "IL - 6 levels" stays text.
KNOWN_TAGS = frozenset(
    """TY A1 A2 A3 A4 AB AD AN AU AV BT C1 C2 C3 C4 C5 C6 C7 C8 CA CN CP CT CY DA DB
    DO DP ED EP ER ET ID IS J1 J2 JA JF JO KW L1 L2 L3 L4 LA LB LK M1 M2 M3 N1 N2 NV OP
    PB PP PY RI RN RP SE SN SP ST T1 T2 T3 TA TI TT U1 U2 U3 U4 U5 UR VL VO Y1 Y2 PMID""".split()
)
# The first two characters of every line _STANDARD_TAG matches, and what may follow
# for the fast path of read_ris.
_STANDARD_STARTS = frozenset(
    first + second
    for first in string.ascii_uppercase
    for second in string.ascii_uppercase + string.digits
)
# Tags whose continuation lines are further values rather than more of the same text.
_LINE_PER_VALUE = frozenset({"AU", "A1", "A2", "A3", "A4", "KW"})


def split_tag(line: str) -> tuple[str, str] | None:
    """('TI', 'A title') for a tag line, None for anything else."""
    match = _STANDARD_TAG.match(line)
    if not match:
        match = _LOOSE_TAG.match(line)
        if not match or match.group(1) not in KNOWN_TAGS:
            return None
    return match.group(1), (match.group(2) or "").strip()


def read_ris(
    path: Path, filename: str, encoding: str, warnings: list[ParseWarning] | None = None
) -> Iterator[ParsedRecord]:
    record: RawFields | None = None
    last_tag = ""
    found = False
    entries = 0
    standard_starts = _STANDARD_STARTS
    number = 0
    for block in read_line_blocks(path, encoding, filename, warnings):
        for text in block:
            number += 1
            # Most lines of an export are standard tag lines ("AU  - Name"): read them
            # without a regular expression; split_tag takes everything else.
            if (
                text[2:5] == "  -"
                and text[:2] in standard_starts
                and (text[5:6].isspace() or len(text) == 5)
            ):
                tag, value = text[:2], text[6:].strip()
            elif tagged := split_tag(text.lstrip()):
                tag, value = tagged
            else:
                tag = value = ""
            if record is not None and tag and tag != "TY" and tag != "ER":
                record.add(tag, value, number)
                last_tag = tag
            elif tag == "ER" and not value:
                if record is not None:
                    yield ris_record(record.done(), record.line)
                record = None
            elif tag == "TY":
                if record is not None:
                    warn(
                        warnings,
                        filename,
                        f"no 'ER  - ' line before the next record (line {number}): the record "
                        "was ended there.",
                        line=record.line,
                        entry=entries,
                        action=REPAIRED,
                    )
                    yield ris_record(record.done(), record.line)
                entries += 1
                record, last_tag, found = RawFields(filename, number, warnings), "TY", True
                record.add("TY", value, number)
            elif record is None:
                continue  # between records: headers, numbers, links
            elif stripped := text.strip():  # a continuation line, including "ER - positive ..."
                if last_tag in _LINE_PER_VALUE:
                    record.add(last_tag, stripped, number)
                else:
                    record.extend(last_tag, stripped, number, "\n")
    if record is not None:
        warn(
            warnings,
            filename,
            f"the last record (from line {record.line}) has no 'ER  - ' line: the file may "
            "have been cut short. It was imported as far as it goes; check it.",
            line=record.line,
        )
        yield ris_record(record.done(), record.line)
    if not found:
        raise ParseError(filename, "no RIS records found: no line starts with 'TY  - '.")


def ris_record(raw: dict[str, list[str]], line: int) -> ParsedRecord:
    pmid = _leading_number(first(raw, "PMID"))
    accession = first(raw, "AN")
    database = first(raw, "DP", "DB").lower()
    if not pmid and accession.isdigit() and ("nlm" in database or "pubmed" in database):
        pmid = accession  # EndNote's PubMed export puts the PMID in AN
    urls = values(raw, "UR")
    return ParsedRecord(
        title=one_line(first(raw, "TI", "T1", "CT", "BT", "ST")),
        abstract=paragraphs(first(raw, "AB", "N2")),
        authors=[one_line(name) for name in values(raw, "AU", "A1")],
        year=first_year(first(raw, "PY"), first(raw, "Y1"), first(raw, "DA")),
        journal=one_line(first(raw, "JF", "JO", "T2", "J2", "JA", "J1")),
        volume=first(raw, "VL", "VO"),
        issue=first(raw, "IS"),
        pages=page_range(first(raw, "SP"), first(raw, "EP")),
        doi=normalise_doi(first(raw, "DO"))
        or find_doi(*raw.get("M3", ()), *raw.get("L2", ()), *raw.get("L3", ()), *urls),
        pmid=pmid,
        url=_first_url(urls),
        keywords=[one_line(keyword) for keyword in values(raw, "KW")],
        language=first(raw, "LA"),
        publication_type=first(raw, "TY"),
        raw=raw,
        line=line,
    )


def _first_url(urls: list[str]) -> str:
    """The first link in UR values, which may hold several ("a; b", "a b") or none (";")."""
    for value in urls:
        for part in value.split(";"):
            for link in part.split(None, 1)[:1]:
                return link
    return ""


def _leading_number(text: str) -> str:
    match = re.match(r"\d+", text)
    return match.group(0) if match else ""

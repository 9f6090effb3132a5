"""PubMed MEDLINE / .nbib tagged text (PubMed's "Save: PubMed format", ERIC's .nbib).

No maintained library reads it without also fetching from NCBI (Biopython's
`Medline` parser is the closest, a large dependency for a simple format), so it is
read here. A tag is up to four characters padded to four, then "- "; ERIC writes
"ISSN - " with five. Lines starting with spaces wrap the value above. Records are
separated by blank lines; a second `PMID- ` also starts a new record, in case the
blank line was lost when files were pasted together.
"""

import re
from collections.abc import Iterator
from pathlib import Path

from screening.bibrecord import ParsedRecord, normalise_doi

from .errors import ParseError, ParseWarning
from .fields import RawFields, find_doi, first, one_line, page_range, paragraphs, parse_year, values
from .textio import read_lines

_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}-(?: (.*))?$")


def read_medline(
    path: Path, filename: str, encoding: str, warnings: list[ParseWarning] | None = None
) -> Iterator[ParsedRecord]:
    record: RawFields | None = None
    last_tag = ""
    found = False
    for number, text in read_lines(path, encoding, filename, warnings):
        if not text.strip():
            if record:
                yield medline_record(record.done(), record.line)
            record = None
            continue
        match = None if text[0].isspace() else _TAG.match(text)
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "PMID" and record and "PMID" in record.raw:
                yield medline_record(record.done(), record.line)
                record = None
            if not record:
                record, found = RawFields(filename, number, warnings), True
            record.add(tag, value, number)
            last_tag = tag
        elif record:
            record.extend(last_tag, text.strip(), number, " ")
        # A line that is neither a tag nor inside a record is stray text: skipped.
    if record:
        yield medline_record(record.done(), record.line)
    if not found:
        raise ParseError(filename, "no PubMed (MEDLINE) records found: no line like 'PMID- '.")


def medline_record(raw: dict[str, list[str]], line: int) -> ParsedRecord:
    ids = raw.get("AID", []) + raw.get("LID", [])
    tagged_doi = next((value for value in ids if value.endswith("[doi]")), "")
    return ParsedRecord(
        title=one_line(first(raw, "TI", "BTI", "TT")),
        abstract=paragraphs(first(raw, "AB")),
        authors=[one_line(name) for name in values(raw, "FAU", "AU")],
        year=parse_year(first(raw, "DP", "DEP", "EDAT")),
        journal=one_line(first(raw, "JT", "TA")),
        volume=first(raw, "VI"),
        issue=first(raw, "IP"),
        pages=page_range(first(raw, "PG")),
        doi=normalise_doi(tagged_doi.removesuffix("[doi]")) or find_doi(*ids),
        pmid=first(raw, "PMID"),
        keywords=values(raw, "MH") + values(raw, "OT"),
        language=first(raw, "LA"),
        publication_type=first(raw, "PT"),
        raw=raw,
        line=line,
    )

"""Web of Science exports: plain text (tagged) and tab-delimited.

Plain text starts with `FN Clarivate Analytics Web of Science` and `VR 1.0`; each
record runs from `PT` to `ER`, the file ends with `EF`. A tag is two characters and
a space; lines indented by three spaces continue it: one value per line for names,
addresses and cited references, a wrapped line of the same text otherwise.
Exports pasted together repeat FN/VR/EF in mid-file, which is harmless.

Tab-delimited files have the same two-letter codes as a header row, one record per
row, no quoting (a title may start with a quote mark), UTF-8 with BOM or UTF-16 from
the "Windows" option, and sometimes CR-only line ends. Both share `wos_record`.
"""

import csv
import re
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from screening.bibrecord import ParsedRecord, normalise_doi

from .errors import ParseError, ParseWarning, warn
from .fields import (
    RawFields,
    first,
    first_year,
    one_line,
    page_range,
    paragraphs,
    split_list,
    values,
)
from .textio import CELL_LIMIT, read_lines, table_lines, undecodable

_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_LINE_PER_VALUE = frozenset({"AU", "AF", "BA", "BF", "BE", "CA", "GP", "C1", "C3", "CR", "RP"})


def read_wos(
    path: Path, filename: str, encoding: str, warnings: list[ParseWarning] | None = None
) -> Iterator[ParsedRecord]:
    record: RawFields | None = None
    last_tag = ""
    found = False
    for number, text in read_lines(path, encoding, filename, warnings):
        if text.startswith("   "):
            if record is not None and last_tag:
                if last_tag in _LINE_PER_VALUE:
                    record.add(last_tag, text.strip(), number)
                else:
                    record.extend(last_tag, text.strip(), number, " ")
            continue
        match = _TAG.match(text.rstrip())
        if not match:
            continue  # blank lines, stray text between records
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "PT":
            if record is not None:
                yield wos_record(record.done(), record.line)
            record, found = RawFields(filename, number, warnings), True
        elif record is None:
            continue  # FN, VR, EF and anything else outside a record
        elif tag == "ER":
            yield wos_record(record.done(), record.line)
            record = None
            continue
        record.add(tag, value, number)
        last_tag = tag
    if record is not None:
        warn(
            warnings,
            filename,
            f"the last record (from line {record.line}) has no 'ER' line: the file may have "
            "been cut short. It was imported as far as it goes; check it.",
            line=record.line,
        )
        yield wos_record(record.done(), record.line)
    if not found:
        raise ParseError(filename, "no Web of Science records found: no line starts with 'PT '.")


def read_wos_tab(
    path: Path, filename: str, encoding: str, warnings: list[ParseWarning] | None = None
) -> Iterator[ParsedRecord]:
    csv.field_size_limit(max(csv.field_size_limit(), CELL_LIMIT))
    line = 0
    try:
        with closing(table_lines(path, encoding, filename, warnings)) as lines:
            rows = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE, strict=True)
            header = [name.lstrip("\ufeff").strip() for name in next(rows, [])]
            line = rows.line_num
            if "PT" not in header and "TI" not in header:
                raise ParseError(
                    filename,
                    "this is not a Web of Science tab-delimited export: the first row has no "
                    "PT or TI column.",
                    line=1,
                )
            for row in rows:
                start, line = line + 1, rows.line_num
                if not any(cell.strip() for cell in row) or row == header:
                    continue  # blank line, or the header of a second pasted export
                record = RawFields(filename, start, warnings)
                for name, cell in zip(header, row, strict=False):
                    record.add(name, cell, start)
                yield wos_record(record.done(), start)
    except UnicodeDecodeError as error:
        raise undecodable(filename, encoding, line + 1, error) from error
    except csv.Error as error:
        raise ParseError(filename, f"unreadable row: {error}", line=line + 1) from error


def wos_record(raw: dict[str, list[str]], line: int) -> ParsedRecord:
    # Tab-delimited rows hold "A; B; C" where plain text has one name per line.
    authors = split_list(values(raw, "AF", "AU"))
    keywords = split_list(values(raw, "DE")) + split_list(values(raw, "ID"))
    return ParsedRecord(
        title=one_line(first(raw, "TI")),
        abstract=paragraphs(first(raw, "AB")),
        authors=[one_line(name) for name in authors],
        year=first_year(first(raw, "PY"), first(raw, "EA"), first(raw, "PD")),
        journal=one_line(first(raw, "SO", "SE", "BS")),
        volume=first(raw, "VL"),
        issue=first(raw, "IS"),
        pages=page_range(first(raw, "BP", "PS"), first(raw, "EP")) or first(raw, "AR"),
        doi=normalise_doi(first(raw, "DI", "D2")),
        pmid=first(raw, "PM"),
        keywords=keywords,
        language=first(raw, "LA"),
        publication_type=first(raw, "DT", "PT"),
        raw=raw,
        line=line,
    )

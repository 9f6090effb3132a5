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
from pathlib import Path

from screening.bibrecord import ParsedRecord, normalise_doi

from .errors import ParseError
from .fields import first, first_year, one_line, page_range, paragraphs, split_list, values
from .textio import read_lines, undecodable, without_boms

_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_LINE_PER_VALUE = frozenset({"AU", "AF", "BA", "BF", "BE", "CA", "GP", "C1", "C3", "CR", "RP"})


def read_wos(path: Path, filename: str, encoding: str) -> Iterator[ParsedRecord]:
    raw: dict[str, list[str]] | None = None
    start = 0
    last_tag = ""
    found = False
    for number, text in read_lines(path, encoding, filename):
        if text.startswith("   "):
            if raw is not None and last_tag:
                continued = raw[last_tag]
                if last_tag in _LINE_PER_VALUE:
                    continued.append(text.strip())
                else:
                    continued[-1] = f"{continued[-1]} {text.strip()}".strip()
            continue
        match = _TAG.match(text.rstrip())
        if not match:
            continue  # blank lines, stray text between records
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "PT":
            if raw is not None:
                yield wos_record(raw, start)
            raw, start, found = {}, number, True
        elif raw is None:
            continue  # FN, VR, EF and anything else outside a record
        elif tag == "ER":
            yield wos_record(raw, start)
            raw = None
            continue
        raw.setdefault(tag, []).append(value)
        last_tag = tag
    if raw is not None:
        yield wos_record(raw, start)
    if not found:
        raise ParseError(filename, "no Web of Science records found: no line starts with 'PT '.")


def read_wos_tab(path: Path, filename: str, encoding: str) -> Iterator[ParsedRecord]:
    line = 0
    try:
        with open(path, encoding=encoding, newline="") as handle:
            rows = csv.reader(
                without_boms(handle), delimiter="\t", quoting=csv.QUOTE_NONE, strict=True
            )
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
                raw: dict[str, list[str]] = {}
                for name, cell in zip(header, row, strict=False):
                    raw.setdefault(name, []).append(cell)
                yield wos_record(raw, start)
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

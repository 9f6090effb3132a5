"""Importers for bibliographic export files: pure Python, no Django.

    fmt = detect_format(path, filename="scopus.ris")      # "ris", or ParseError
    for record in parse_file(path, filename="scopus.ris"):  # streams ParsedRecords
        ...

Every reader streams: records are yielded as they are read, so a 300 MB export is
never in memory at once. Whatever the bytes, parse_file yields records or raises
ParseError (file, line, field, reason), never another exception type.

Decisions that hold for every format:
- A record without a title is still yielded; the import service reports it.
- A value that cannot be understood is kept in `raw` and its field left empty:
  a year "abcd" gives year None, not an error for the whole file.
- Text outside records (headers, numbering, links) is skipped; a file with no
  record at all is a ParseError.
- What is read with a repair is reported, never silent: a record cut short at the end
  of the file, a value over FIELD_LIMIT (1 M characters) shortened, lines in another
  encoding than the rest (see `warnings` below).
- Sizes are bounded whatever the file's shape: lines, values and records are capped
  as they are read, so memory does not grow with the longest line.
"""

from collections.abc import Iterator
from pathlib import Path

from screening.bibrecord import ParsedRecord

from .bibtex import read_bibtex
from .delimited import CSV_FIELDS, CSV_PRESETS, csv_columns, csv_guess_mapping, csv_preset, read_csv
from .detect import FORMATS, detect_format
from .endnote_tagged import read_endnote_tagged
from .endnote_xml import read_endnote_xml
from .errors import ParseError, ParseWarning
from .medline import read_medline
from .pubmed_xml import read_pubmed_xml
from .ris import read_ris
from .textio import FIELD_LIMIT, detect_encoding, text_encoding
from .wos import read_wos, read_wos_tab

__all__ = [
    "CSV_FIELDS",
    "CSV_PRESETS",
    "FIELD_LIMIT",
    "FORMATS",
    "ParseError",
    "ParseWarning",
    "csv_columns",
    "csv_guess_mapping",
    "csv_preset",
    "detect_encoding",
    "detect_format",
    "parse_file",
]

_TEXT_READERS = {
    "ris": read_ris,
    "nbib": read_medline,
    "enw": read_endnote_tagged,
    "bibtex": read_bibtex,
    "wos": read_wos,
    "wos-tab": read_wos_tab,
}
_XML_READERS = {"pubmed-xml": read_pubmed_xml, "endnote-xml": read_endnote_xml}


def parse_file(
    path: Path,
    format: str = "auto",  # noqa: A002 - the name the import service and UI use
    *,
    filename: str | None = None,
    encoding: str | None = None,
    csv_mapping: dict[str, str] | None = None,
    warnings: list[ParseWarning] | None = None,
) -> Iterator[ParsedRecord]:
    """The records of an export file, one at a time.

    `filename` is the name the user uploaded (path may be a temporary file) and is
    what messages show. `encoding` overrides detection; XML files otherwise follow
    their own declaration. `csv_mapping` (field -> column) applies to "csv" only.
    `warnings`, when given, receives a ParseWarning for each repair made on the way
    (a record cut short, a value over FIELD_LIMIT shortened, lines in another
    encoding); it is complete once the records are exhausted.
    """
    path = Path(path)
    filename = filename or path.name
    if format == "auto":
        format = detect_format(path, filename)  # noqa: A001
    if format in _XML_READERS:
        yield from _XML_READERS[format](path, filename, encoding, warnings)
        return
    if format not in _TEXT_READERS and format != "csv":
        raise ValueError(f"unknown format {format!r}; expected one of {sorted(FORMATS)}")
    encoding = encoding or text_encoding(path)
    if format == "csv":
        yield from read_csv(path, filename, encoding, csv_mapping, warnings)
    else:
        yield from _TEXT_READERS[format](path, filename, encoding, warnings)

"""Which export format a file is, from its first 64 KB (and its name as a tie-breaker).

Files that are not exports at all get a message saying what they are, because
"unknown format" does not help someone who uploaded the PDF of the search strategy.
"""

import io
import re
import zipfile
from pathlib import Path

from .delimited import csv_guess_mapping, sniff_delimiter
from .errors import ParseError
from .ris import split_tag
from .textio import encoding_from_start

FORMATS: dict[str, str] = {
    "ris": "RIS",
    "nbib": "PubMed MEDLINE (.nbib / .txt)",
    "pubmed-xml": "PubMed XML",
    "endnote-xml": "EndNote XML",
    "enw": "EndNote tagged (.enw)",
    "bibtex": "BibTeX",
    "wos": "Web of Science plain text",
    "wos-tab": "Web of Science tab-delimited",
    "csv": "CSV / TSV",
}
EXPECTED = (
    "Expected RIS, PubMed (nbib/XML), EndNote (XML or tagged), BibTeX, Web of Science or CSV."
)
_SAMPLE = 64 * 1024

# Magic numbers of files people upload by mistake.
_BINARY_KINDS = (
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (Word .doc or Excel .xls)"),
    (b"{\\rtf", "a Word RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)

_WOS_START = re.compile(r"^(?:FN |VR |PT [A-Z]\b)", re.M)
_MEDLINE_TAG = re.compile(r"^(?:PMID|OWN |STAT|FAU |DCOM|PMC )- ", re.M)
_ENDNOTE_TAG = re.compile(r"^%[0-9A-Z@!#$&()*+,.\-/:;<=>?\[\]^_{|}~] \S", re.M)
_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.M)


def detect_format(path: Path, filename: str | None = None) -> str:
    """The FORMATS code of an export file; ParseError when it is not one we read."""
    filename = filename or path.name
    with open(path, "rb") as handle:
        head = handle.read(_SAMPLE)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise ParseError(filename, "the file is empty.")
    kind = _binary_kind(path, head)
    if kind:
        raise ParseError(filename, f"this is {kind}, not a bibliographic export. {EXPECTED}")

    text = head.decode(encoding_from_start(head) or "utf-8", errors="replace").lstrip("\ufeff")
    # The opening tags are looked for in the whole sample: the line after an XML declaration
    # may be far longer than the sample (a whole file on one line, a huge abstract).
    start = text.lstrip()[:5000].lower()
    if len(head) == _SAMPLE:
        text = text[: text.rfind("\n") + 1] or text  # drop a line cut in half
    suffix = Path(filename).suffix.lower()

    if start.startswith("<"):
        if "<pubmedarticle" in start or "<pubmedbookarticle" in start:
            return "pubmed-xml"
        if "<records>" in start or "<record>" in start:
            return "endnote-xml"
        if "<html" in start or "<!doctype html" in start:
            raise ParseError(
                filename, f"this is a web page (HTML), not a bibliographic export. {EXPECTED}"
            )
        raise ParseError(
            filename, f"this XML is neither a PubMed nor an EndNote export. {EXPECTED}"
        )

    lines = text.splitlines()
    if any(_is_ris_start(line) for line in lines):
        return "ris"
    if _WOS_START.search(text) and re.search(r"^ER\s*$", text, re.M):
        return "wos"
    if _MEDLINE_TAG.search(text):
        return "nbib"
    if len(_ENDNOTE_TAG.findall(text)) >= 2 or (suffix == ".enw" and _ENDNOTE_TAG.search(text)):
        return "enw"
    if _BIBTEX_ENTRY.search(text):
        return "bibtex"
    header = next((line for line in lines if line.strip()), "")
    if header.lstrip("\ufeff").startswith("PT\t"):
        return "wos-tab"
    if _looks_like_table(header, suffix):
        return "csv"
    raise ParseError(
        filename, f"this text is in no export format we recognise. {EXPECTED}", line=None
    )


def _is_ris_start(line: str) -> bool:
    tagged = split_tag(line.lstrip("\ufeff").lstrip())
    return tagged is not None and tagged[0] == "TY"


def _binary_kind(path: Path, head: bytes) -> str | None:
    for magic, kind in _BINARY_KINDS:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head[12:] and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    if encoding_from_start(head) is None and b"\x00" in head[:4096]:
        return "a binary file"
    return None


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, io.UnsupportedOperation):
        return "a ZIP archive"
    if any(name.startswith("word/") for name in names):
        return "a Word document (.docx)"
    if any(name.startswith("xl/") for name in names):
        return "an Excel workbook (.xlsx); save it as CSV first"
    if any(name.startswith("ppt/") for name in names):
        return "a PowerPoint presentation (.pptx)"
    if "mimetype" in names:
        return "an OpenDocument file (.odt/.ods)"
    return "a ZIP archive; unzip it and upload the export inside"


def _looks_like_table(header: str, suffix: str) -> bool:
    """A header row: a CSV/TSV file by name, or cells of which one is a known column."""
    delimiter = sniff_delimiter(header)
    cells = [cell.strip().strip('"').strip() for cell in header.split(delimiter)]
    if suffix in (".csv", ".tsv", ".tab"):
        return bool(header.strip())
    if len(cells) < 2 or any(len(cell) > 100 for cell in cells):
        return False
    return "title" in csv_guess_mapping(cells)

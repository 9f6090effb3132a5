"""Reading text exports line by line, whatever their encoding and line ends.

Files are never read whole: a 300 MB RIS export streams through one line at a time.
"""

import codecs
from collections.abc import Iterator
from pathlib import Path

from .errors import ParseError

_CHUNK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def encoding_from_start(head: bytes) -> str | None:
    """The encoding a BOM or UTF-16's zero bytes announce, or None when nothing does."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    # UTF-16 without a BOM: ASCII text has a zero byte in every other position.
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs >= 8:
        zeros_even = sample[0::2].count(0)
        zeros_odd = sample[1::2].count(0)
        if zeros_odd > 0.4 * pairs and zeros_even < 0.05 * pairs:
            return "utf-16-le"
        if zeros_even > 0.4 * pairs and zeros_odd < 0.05 * pairs:
            return "utf-16-be"
    return None


def detect_encoding(path: Path) -> str:
    """The text encoding of a file: "utf-8-sig", "utf-16", "utf-8", "cp1252" or "latin-1".

    A BOM decides; otherwise the whole file is checked as UTF-8 (cheap next to
    parsing it), because a Latin-1 "é" may sit anywhere in a long export. What is
    not UTF-8 is taken as Windows-1252, the usual single-byte export encoding, and
    Latin-1 (which accepts every byte) when even that does not fit.
    """
    with open(path, "rb") as handle:
        head = handle.read(_CHUNK)
        announced = encoding_from_start(head)
        if announced:
            return announced
        for encoding in ("utf-8", "cp1252"):
            if _decodes(handle, head, encoding):
                return encoding
            handle.seek(0)
            head = handle.read(_CHUNK)
    return "latin-1"


def _decodes(handle, head: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    chunk = head
    try:
        while chunk:
            decoder.decode(chunk)
            chunk = handle.read(_CHUNK)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def read_lines(path: Path, encoding: str, filename: str) -> Iterator[tuple[int, str]]:
    """(line number, text) pairs with line ends removed.

    CR, LF and CRLF all end a line (universal newlines), so a CR-only file from an
    old Mac export reads like any other. A BOM at the start of any line is dropped:
    two exports pasted together carry the second file's BOM in mid-file.
    """
    number = 0
    try:
        with open(path, encoding=encoding, newline=None) as handle:
            for number, line in enumerate(handle, start=1):  # noqa: B007 (used in except)
                yield number, line.rstrip("\n").lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise undecodable(filename, encoding, number + 1, error) from error
    except LookupError as error:
        raise ParseError(filename, f"unknown text encoding {encoding!r}") from error


def without_boms(lines: Iterator[str]) -> Iterator[str]:
    """Lines with a BOM at their start dropped, for csv.reader over pasted-together files."""
    for line in lines:
        yield line.lstrip("\ufeff")


def undecodable(filename: str, encoding: str, line: int, error: UnicodeDecodeError) -> ParseError:
    bad = error.object[error.start : error.start + 4].hex(" ")
    return ParseError(
        filename,
        f"the bytes {bad} are not valid {encoding} text (at or soon after this line). "
        "The file may mix encodings; save it again as UTF-8, or choose its encoding.",
        line=line,
    )

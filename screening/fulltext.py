"""Full texts without Django: is it a PDF, is a zip member's name safe, which record is it for.

The services read uploads and zip archives and hand over bytes and names; everything below is
plain text and byte checks, so the matcher is tested exhaustively (hypothesis) without a database.

Matching a file name to a record, in this order, and never by a best guess:

1. A DOI in the name. File names cannot hold "/", so tools write DOIs with "_", "-", "%2F" or
   spaces in its place: both sides are compared as runs of letters and digits, and a record's
   DOI matches when its runs stand in the name one after the other ("10.1000/ab.c" matches
   "Smith 2020 10.1000_ab.c.pdf" but not "10.1000_ab.cd.pdf").
2. The record's own key, `record-<id>` (what the full-texts page tells people to name files).
3. First author's surname, year and the start of the title, as reference managers name files
   ("Hainmueller et al. - 2016 - Caseworker caseloads and the.pdf"): the surname and year come
   first, then at least `MIN_TITLE_WORDS` words that begin the record's title, word for word.

The first rule that names any record decides: if it names several records, or several files
name one record, the files are reported as ambiguous for a person to sort out.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import unquote

PDF_MAGIC = b"%PDF-"
# How much of the start of a file the PDF check needs to see.
HEAD_BYTES = 1024
MIN_TITLE_WORDS = 3
RECORD_KEY_PREFIX = "record"

_WORD = re.compile(r"[^\W_]+")
# Letters that do not decompose under NFKD but that file names often spell out in ASCII.
_ASCII = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ð": "d", "đ": "d", "ł": "l", "þ": "th"})
_ET_AL = ["et", "al"]
_MARKUP_START = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml", b"<")


class PdfProblem(StrEnum):
    """Why bytes are not accepted as a PDF."""

    EMPTY = "empty"
    HTML = "html"  # an error or login page that a browser saved under the PDF's name
    NOT_PDF = "not_pdf"


def pdf_problem(head: bytes) -> PdfProblem | None:
    """None when `head` (the first `HEAD_BYTES` of a file) starts like a PDF.

    A PDF starts with "%PDF-" and its version ("%PDF-1.7"). Readers tolerate junk before the
    header, but a file that needs that tolerance is more often a web page than a PDF, so it is
    refused and the person asked for the real file.
    """
    if not head:
        return PdfProblem.EMPTY
    if head.startswith(PDF_MAGIC) and head[5:6].isdigit():
        return None
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(_MARKUP_START):
        return PdfProblem.HTML
    return PdfProblem.NOT_PDF


class NameProblem(StrEnum):
    """Why a zip member is refused before its contents are read."""

    ABSOLUTE = "absolute"
    NESTED = "nested"  # in a folder, or climbing out with ".."
    EMPTY = "empty"


def member_name_problem(name: str) -> NameProblem | None:
    """None when a zip member's name is a plain file name at the top of the archive."""
    if not name.strip() or name.strip() in {".", ".."}:
        return NameProblem.EMPTY
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return NameProblem.ABSOLUTE
    if "/" in name or "\\" in name:
        return NameProblem.NESTED
    return None


def is_archive_noise(name: str) -> bool:
    """Folders and the metadata macOS and Windows add to archives: skipped without a word."""
    base = posixpath.basename(name.rstrip("/"))
    return (
        name.endswith("/")
        or name.startswith("__MACOSX/")
        or base in {".DS_Store", "Thumbs.db", "desktop.ini"}
        or base.startswith("._")
    )


def words(text: str) -> list[str]:
    """Lower-case runs of letters and digits, accents dropped: 'Müller-Ø' -> ['muller', 'o']."""
    folded = unicodedata.normalize("NFKD", (text or "").casefold().translate(_ASCII))
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    return _WORD.findall(plain)


def file_stem(name: str) -> str:
    """The name without its folder, URL escapes and ".pdf". Only ".pdf" goes: after a DOI, the
    last dot may be the DOI's own ("10.1000/ab.c" saved as "10.1000_ab.c")."""
    base = unquote(posixpath.basename(name.replace("\\", "/")))
    return base[:-4] if base.lower().endswith(".pdf") and len(base) > 4 else base


def surname(author: str) -> str:
    """'Hainmueller, Jens' -> 'Hainmueller'; 'Jens Hainmueller' -> 'Hainmueller'."""
    author = (author or "").strip()
    if "," in author:
        return author.split(",", 1)[0]
    return author.rsplit(None, 1)[-1] if author else ""


@dataclass(frozen=True)
class RecordKeys:
    """What a record is known by for matching; built by the service from a `Record`."""

    record_id: int
    doi: str = ""
    first_author: str = ""
    year: int | None = None
    title: str = ""

    @property
    def file_key(self) -> str:
        """The name the full-texts page suggests for this record's PDF."""
        return f"{RECORD_KEY_PREFIX}-{self.record_id}"


class Rule(StrEnum):
    DOI = "doi"
    RECORD_KEY = "record_key"
    AUTHOR_YEAR_TITLE = "author_year_title"


class Ambiguity(StrEnum):
    SEVERAL_RECORDS = "several_records"  # the name fits more than one record
    SEVERAL_FILES = "several_files"  # another file in the same upload fits the same record


@dataclass(frozen=True)
class Match:
    name: str
    record_id: int
    rule: Rule


@dataclass(frozen=True)
class Ambiguous:
    name: str
    record_ids: tuple[int, ...]
    reason: Ambiguity


@dataclass
class MatchResult:
    matched: list[Match] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


def _contains_run(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    size = len(needle)
    return size > 0 and any(
        list(haystack[start : start + size]) == list(needle)
        for start in range(len(haystack) - size + 1)
    )


def _doi_words(doi: str) -> list[str]:
    found = words(doi)
    # A DOI is "10.<registrant>/<suffix>": anything shorter would match too much.
    return found if len(found) >= 3 and found[0] == "10" else []


def _author_year_title(name_words: list[str], record: RecordKeys) -> bool:
    author = words(surname(record.first_author))
    title = words(record.title)
    if not author or record.year is None or not title:
        return False
    if name_words[: len(author)] != author:
        return False
    rest = name_words[len(author) :]
    if rest[:2] == _ET_AL:  # "et al." after the surname only: French titles have "et" too
        rest = rest[2:]
    if rest[:1] != [str(record.year)]:
        return False
    title_part = rest[1:]
    return (
        len(title_part) >= min(MIN_TITLE_WORDS, len(title))
        and title_part == (title[: len(title_part)])
    )


class Matcher:
    """Matches file names to a fixed set of records; build once per upload."""

    def __init__(self, records: Iterable[RecordKeys]):
        self.records = list(records)
        dois = ((r.record_id, _doi_words(r.doi)) for r in self.records)
        self._doi = [(record_id, doi) for record_id, doi in dois if doi]
        self._by_key = {tuple(words(r.file_key)): r.record_id for r in self.records}

    def candidates(self, name: str) -> tuple[Rule | None, tuple[int, ...]]:
        """The first rule that names any record, and every record it names."""
        name_words = words(file_stem(name))
        if not name_words:
            return None, ()
        found = sorted({rid for rid, doi in self._doi if _contains_run(name_words, doi)})
        if found:
            return Rule.DOI, tuple(found)
        by_key = self._by_key.get(tuple(name_words))
        if by_key is not None:
            return Rule.RECORD_KEY, (by_key,)
        found = sorted({r.record_id for r in self.records if _author_year_title(name_words, r)})
        if found:
            return Rule.AUTHOR_YEAR_TITLE, tuple(found)
        return None, ()

    def match(self, names: Iterable[str]) -> MatchResult:
        result = MatchResult()
        single: dict[int, list[tuple[str, Rule]]] = defaultdict(list)
        for name in names:
            rule, found = self.candidates(name)
            if not found:
                result.unmatched.append(name)
            elif len(found) > 1:
                result.ambiguous.append(Ambiguous(name, found, Ambiguity.SEVERAL_RECORDS))
            else:
                single[found[0]].append((name, rule))
        for record_id, hits in single.items():
            if len(hits) == 1:
                name, rule = hits[0]
                result.matched.append(Match(name, record_id, rule))
            else:
                result.ambiguous.extend(
                    Ambiguous(name, (record_id,), Ambiguity.SEVERAL_FILES) for name, _r in hits
                )
        return result

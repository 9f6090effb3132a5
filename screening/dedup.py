"""Find duplicate bibliographic records (pure Python, no Django here).

The import service hands over the records of a topic area; this module says
which pairs are the same work. It never changes a record: the caller merges
the records of each of `groups` and shows `review_pairs` to a person.

Method, in order:

1. Normalise each record once: DOI, PMID, a title key (markup, diacritics,
   case, punctuation and database notes such as "[Review] [33 refs]" removed),
   the year, author surnames, volume, issue and the first page ("123-9" and
   "123-129" both start at 123).
2. Block: two records are compared only when they share a key: DOI, PMID, the
   start of the title key, its end, or first author + year. Each record has at
   most five keys, and a block larger than `MAX_BLOCK` is compared only between
   neighbours in title order, so the cost grows close to linearly.
3. Score a candidate pair. The same DOI or PMID scores 1.0. Otherwise the
   score is the title similarity (rapidfuzz's normalised Indel similarity,
   1.0 for equal titles), plus 0.05 when the first page agrees or 0.10 when
   volume and first page agree, minus a penalty for each field that disagrees.
4. Decide. A pair merges on its own when its score reaches `auto_threshold`
   and no guard fires. The guards catch the classic false positives: two
   different DOIs or PMIDs; an erratum, reply or comment beside its article;
   generic titles ("Editorial"); different numbers in the titles ("Part 1" and
   "Part 2"); year, volume, issue, pages or authors that disagree; nothing but
   the title to go on. A pair that does not merge but scores at least
   `review_threshold` is left for a person, with the reason.
5. Group the automatic pairs into connected components, strongest first,
   refusing any link that would put two different DOIs (or PMIDs, or a pair a
   person called distinct) in one group.

One exception to the guards: when volume and first page agree (and the years
are at most one apart), the two records cite the same printed item. Then a
garbled author name, a missing "Erratum:" prefix or a typo in a number in the
title does not stop the merge; different DOIs or PMIDs still do.

Thresholds: 0.97 is a title with at most about three typos per hundred
characters, or a weaker title (0.87) whose volume and first page agree. Year and
first author agreeing add nothing to the score (one group publishes many
papers a year) but one of them must agree before anything merges on its own.
0.85 leaves titles that differ by a few words, or carry a conflict, to a person.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import Indel

from screening.bibrecord import ParsedRecord, normalise_doi

AUTO_THRESHOLD = 0.97
REVIEW_THRESHOLD = 0.85

# The first page agreeing is strong evidence, volume and first page together a
# citation; a volume alone is not (a volume holds many papers by one group).
PAGE_BONUS = 0.05
CITATION_BONUS = 0.10
PENALTIES = {
    "year": 0.20,  # two or more years apart
    "year by one": 0.05,  # online-first vs print; also a conference paper vs its journal version
    "first author": 0.15,
    "authors": 0.10,
    "volume": 0.10,
    "issue": 0.05,
    "pages": 0.10,
}
# A title this much shorter than its twin's, word for word the start or the
# end of it, counts as this similar: databases cut subtitles and long titles.
CONTAINED_TITLE_SIMILARITY = 0.90
CONTAINED_TITLE_MIN_WORDS = 5

# A block larger than this is compared only between neighbours in title order:
# a real duplicate sorts next to its twin, and a block of thousands of
# "Editorial" records must not cost millions of comparisons.
MAX_BLOCK = 64
NEIGHBOURS = 16
TITLE_KEY_CHARS = 24
MAX_AUTHORS = 10

# Titles that many different items share: they merge on their own only when
# year, first author, volume and first page all agree.
GENERIC_TITLES = frozenset(
    (
        "abstract", "abstracts", "acknowledgements", "acknowledgments", "announcement",
        "announcements", "book review", "book reviews", "comment", "commentary", "comments",
        "conclusion", "conclusions", "contents", "correction", "corrections", "correspondence",
        "corrigendum", "discussion", "editorial", "editorials", "editor s note", "editors note",
        "erratum", "errata", "foreword", "from the editor", "guest editorial", "in brief",
        "in memoriam", "in this issue", "index", "introduction", "letter", "letters",
        "letter to the editor", "news", "notes", "obituary", "overview", "preface", "reply",
        "response", "retraction", "review", "reviewers", "summary", "table of contents",
        "untitled",
    )
)  # fmt: skip

# Items that point at another item and repeat its title: an erratum is not a
# duplicate of the article it corrects. Read from the start of the title (and
# Web of Science's "Title (vol 5, pg 10, 2003)" for corrections). Not
# "[Erratum appears in ...]" or "Retracted:": those mark the article itself.
_NOTICES = [
    (kind, re.compile(pattern))
    for kind, pattern in [
        ("erratum", r"^(?:erratum|errata|corrigendum|corrigenda|correction(?: to|:| notice))\b"),
        ("erratum", r"\((?:vol|volume) [^)]*\bpg? ?\d"),
        ("retraction", r"^(?:retraction|notice of retraction|expression of concern)\b"),
        ("reply", r"^(?:reply|in reply|authors?'? reply|author response|response(?: to)? ?:)"),
        ("reply", r"^response to (?:the )?(?:comment|letter|correspondence|re:)"),
        ("reply", r"\b(?:author s |authors )?reply\s*$"),
        ("comment", r"^(?:comment(?:ary)? on|comments on|re:|letter to the editor|letter:)"),
    ]
]

_MARKUP_CHARS = re.compile(r"[&<\\{$]")
_TAG = re.compile(r"<[^>]{0,200}>")
_LATEX_COMMAND = re.compile(r"\\([a-zA-Z]+)\s*")
_LATEX_ACCENT = re.compile(r"\\[^a-zA-Z\s]")
# "[Spanish]", "[Review] [33 refs]", "[Erratum appears in ...]": notes databases add.
_TRAILING_NOTE = re.compile(r"\s*\[[^\[\]]*\]\W*$")
_NOT_WORD = re.compile(r"[\W_]+")
_NOT_NAME = re.compile(r"[^\w?]+|_")  # keeps "?", where an export lost a letter ("Mu?oz")
_NUMBER = re.compile(r"\d+")
_ROMAN_PART = re.compile(r"\bpart (i{1,3}|iv|v|vi{1,3}|ix|x)\b")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}
_ROMAN["x"] = 10
# "S417-29", "e12724", "c1804", "1038-1044". A start that is a word ("Suppl-29",
# "Pt 1:314-20") is not trusted: the page is then unknown, not different.
_PAGES = re.compile(r"^([a-z]{0,2})(\d+)(?:\s*[-\u2010-\u2015]+\s*[a-z]{0,2}(\d+))?")
_INITIALS = re.compile(r"^(?:[A-Z]{1,4}|(?:[A-Z]\.){1,4})$")
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    "chi", "psi", "omega",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DedupRecord:
    """The fields de-duplication reads, with the caller's id for the record."""

    id: Hashable
    title: str = ""
    authors: tuple[str, ...] = ()  # in order; "Last, First", "First Last" or "Last FM"
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""

    @classmethod
    def from_parsed(cls, id: Hashable, parsed: ParsedRecord) -> DedupRecord:
        return cls(
            id=id,
            title=parsed.title,
            authors=tuple(parsed.authors),
            year=parsed.year,
            journal=parsed.journal,
            volume=parsed.volume,
            issue=parsed.issue,
            pages=parsed.pages,
            doi=normalise_doi(parsed.doi),
            pmid=parsed.pmid,
        )


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two records judged to be the same work; `a` sorts before `b`."""

    a: Hashable
    b: Hashable
    score: float
    reason: str  # for a person: "same DOI", "title 0.98, year equal, first author equal"


@dataclass(slots=True)
class DedupResult:
    auto_pairs: list[DuplicatePair] = field(default_factory=list)  # merged automatically
    review_pairs: list[DuplicatePair] = field(default_factory=list)  # left for a person
    # The automatically merged records, one list per work: the record to keep
    # first (see `canonical_order`), then the others in id order.
    groups: list[list[Hashable]] = field(default_factory=list)

    def canonical_of(self) -> dict[Hashable, Hashable]:
        """Each merged-away record id -> the id of the record it merges into."""
        return {member: group[0] for group in self.groups for member in group[1:]}


def deduplicate(
    records: Sequence[DedupRecord],
    *,
    new_ids: Collection[Hashable] | None = None,
    known_distinct: Iterable[tuple[Hashable, Hashable]] = (),
    auto_threshold: float = AUTO_THRESHOLD,
    review_threshold: float = REVIEW_THRESHOLD,
) -> DedupResult:
    """Find the duplicates among `records`.

    new_ids: when given, only pairs with at least one record in it are
        considered: an import compared with the records a topic area already
        has, without comparing old records with each other again. No group
        then holds two old records, and an old record is kept before new ones.
    known_distinct: pairs of ids a person has called different works (a
        rejected review pair, an undone merge). They are never reported
        again, and no group joins them.
    """
    if not 0 < review_threshold <= auto_threshold <= 1:
        raise ValueError("need 0 < review_threshold <= auto_threshold <= 1")
    ids = [record.id for record in records]
    if len(set(ids)) != len(ids):
        raise ValueError("record ids must be unique")

    # Work in id order, so the result never depends on the order of the input.
    prepared = sorted((_prepare(record) for record in records), key=lambda p: p.sort_key)
    is_new = None if new_ids is None else [p.id in new_ids for p in prepared]
    distinct = {frozenset(pair) for pair in known_distinct}

    auto: list[tuple[int, int, DuplicatePair]] = []
    review: dict[tuple[int, int], DuplicatePair] = {}
    for i, j in _candidate_pairs(prepared, is_new):
        a, b = prepared[i], prepared[j]
        if distinct and frozenset((a.id, b.id)) in distinct:
            continue
        candidate = _compare(a, b, review_threshold)
        if candidate is None:
            continue
        pair = DuplicatePair(a.id, b.id, round(candidate.score, 3), candidate.reason())
        if candidate.score >= auto_threshold and not candidate.guards:
            auto.append((i, j, pair))
        else:
            review[(i, j)] = pair
    return _group(prepared, auto, review, distinct, is_new)


def canonical_order(
    records: Iterable[DedupRecord], new_ids: Collection[Hashable] = ()
) -> list[Hashable]:
    """The ids of one group's records, the record to keep first.

    Keep a record that was there before this import (screening decisions may
    already hang on it), then the most complete record (most of title,
    authors, year, journal, volume, issue, pages, DOI and PMID filled in), then
    the earliest id. The others follow in id order. `groups` use this rule.
    """
    prepared = sorted((_prepare(record) for record in records), key=lambda p: p.sort_key)
    if not prepared:
        return []
    keep = min(prepared, key=lambda p: (p.id in new_ids, -p.completeness, p.sort_key))
    return [keep.id] + [p.id for p in prepared if p is not keep]


def normalise_title(title: str) -> str:
    """'<i>Beta</i>-Blockers &amp; the Heart. [Review]' -> 'beta blockers and the heart'."""
    return _title_key(_fold(title))


def _title_key(folded_title: str) -> str:
    text = folded_title.strip()
    while "]" in text and (shorter := _TRAILING_NOTE.sub("", text)) != text:
        if not _NOT_WORD.sub("", shorter):
            break  # a title wholly in brackets: MEDLINE's translated titles
        text = shorter
    return " ".join(_NOT_WORD.sub(" ", text.replace("&", " and ")).split())


# --- normalisation ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pages:
    prefix: str  # "s" for supplement pages, "e" for an electronic article number...
    first: int
    last: int | None


@dataclass(slots=True)
class _Prepared:
    id: Hashable
    sort_key: tuple
    title_key: str
    generic: bool
    notice: str  # "" for an ordinary item, else "erratum", "retraction", "reply", "comment"
    numbers: tuple[str, ...]
    year: int | None
    surnames: tuple[str, ...]
    first_author_words: frozenset[str]
    volume: str
    issue: frozenset[str]
    pages: _Pages | None
    doi: str
    pmid: str
    completeness: int


def _prepare(record: DedupRecord) -> _Prepared:
    folded_title = _fold(record.title)
    title_key = _title_key(folded_title)
    # Ten names are plenty to tell author lists apart; some records list hundreds.
    names = [name for name in record.authors[:MAX_AUTHORS] if name and name.strip()]
    authors = [_parse_author(name) for name in names]
    authors = [author for author in authors if author[0]]
    return _Prepared(
        id=record.id,
        sort_key=_id_sort_key(record.id),
        title_key=title_key,
        generic=title_key in GENERIC_TITLES or len(title_key.split()) <= 2,
        notice=_notice_kind(folded_title),
        numbers=_title_numbers(title_key),
        year=record.year,
        surnames=tuple(surname for surname, _ in authors),
        first_author_words=authors[0][1] if authors else frozenset(),
        volume=_normalise_volume(record.volume),
        issue=frozenset(_NUMBER.findall(record.issue or "")),
        pages=_parse_pages(record.pages),
        doi=normalise_doi(record.doi),
        pmid=(record.pmid or "").strip(),
        completeness=sum(
            bool(value)
            for value in (
                record.title,
                record.authors,
                record.year,
                record.journal,
                record.volume,
                record.issue,
                record.pages,
                record.doi,
                record.pmid,
            )
        ),
    )


def _id_sort_key(record_id: Hashable) -> tuple:
    # Ids of one kind compare naturally (integers numerically); mixed kinds sort by kind name.
    return (type(record_id).__name__, record_id)


def _fold(text: str) -> str:
    """Unescape HTML, drop markup and diacritics, casefold."""
    text = text or ""
    if text.isascii() and not _MARKUP_CHARS.search(text):
        return text.casefold()  # most fields: nothing else to do, and this runs a lot
    text = _TAG.sub("", html.unescape(text))
    # LaTeX: "\beta" keeps its name, "\textit{x}" keeps x, "{\"o}" becomes o.
    text = _LATEX_COMMAND.sub(lambda m: f" {m[1]} " if m[1].lower() in _GREEK else "", text)
    text = _LATEX_ACCENT.sub("", text).replace("{", "").replace("}", "").replace("$", "")
    text = unicodedata.normalize("NFKD", text).replace("\ufffd", "?")
    if text.isascii():
        return text.casefold()
    letters = []
    for char in text:
        if unicodedata.combining(char):
            continue
        if "\u0370" <= char <= "\u03ff":  # Greek letters become their names, as in "beta"
            name = unicodedata.name(char, "").split()
            char = f" {name[-1].lower()} " if name and name[-1].lower() in _GREEK else char
        letters.append(char)
    return "".join(letters).casefold()


def _notice_kind(folded_title: str) -> str:
    folded = folded_title
    raw = " ".join(folded.split())
    words = " ".join(_NOT_WORD.sub(" ", folded).split())
    for kind, pattern in _NOTICES:
        if pattern.search(raw) or pattern.search(words):
            return kind
    return ""


def _title_numbers(title_key: str) -> tuple[str, ...]:
    text = _ROMAN_PART.sub(lambda m: f"part {_ROMAN[m[1]]}", title_key)
    return tuple(sorted(number.lstrip("0") or "0" for number in _NUMBER.findall(text)))


def _parse_author(name: str) -> tuple[str, frozenset[str]]:
    """'van den Brule, A. J.', 'A J van den Brule', 'van den Brule AJ' -> ('vandenbrule', words).

    The words (every part of the name, two letters or more) let 'Lopez, Rubio M.'
    match 'Rubio, M. L.' when databases split a double surname differently.
    """
    if "," in name:
        surname = name.split(",", 1)[0]
    else:
        parts = name.split()
        if len(parts) > 1 and _INITIALS.match(parts[-1]):  # MEDLINE style "Zuna RE"
            surname = " ".join(parts[:-1])
        else:
            # "A. J. van den Brule": lower-case words before the last belong to the surname.
            start = len(parts) - 1
            while start > 1 and parts[start - 1].islower():
                start -= 1
            surname = " ".join(parts[start:])
    surname_key = _NOT_NAME.sub("", _fold(surname))
    # Initials ("RE", "A.J.") are left out: "Zuna RE" must not match a Dr Re.
    given = " ".join(part for part in name.replace(",", " ").split() if not _INITIALS.match(part))
    words = {word for word in _NOT_NAME.sub(" ", _fold(given)).split() if len(word) > 1}
    return surname_key, frozenset(words | {surname_key})


def _normalise_volume(volume: str) -> str:
    numbers = _NUMBER.findall(volume or "")
    return numbers[0].lstrip("0") if numbers else _NOT_WORD.sub("", _fold(volume))


def _parse_pages(pages: str) -> _Pages | None:
    match = _PAGES.match(_fold(pages).strip())
    if not match:
        return None
    first_digits, last_digits = match[2], match[3]
    last = None
    if last_digits:
        if len(last_digits) < len(first_digits) and int(last_digits) < int(first_digits):
            # "123-9" means 123-129
            last_digits = first_digits[: len(first_digits) - len(last_digits)] + last_digits
        last = int(last_digits)
    return _Pages(match[1], int(first_digits), last)


# --- blocking --------------------------------------------------------------


def _block_keys(record: _Prepared) -> set[tuple]:
    keys: set[tuple] = set()
    if record.doi:
        keys.add(("doi", record.doi))
    if record.pmid:
        keys.add(("pmid", record.pmid))
    compact = record.title_key.replace(" ", "")
    if compact:
        # A typo near the end of a title leaves its start, one near the start its end.
        keys.add(("start", compact[:TITLE_KEY_CHARS]))
        keys.add(("end", compact[-TITLE_KEY_CHARS:]))
    if record.surnames and record.year:
        # For typos at both ends of a title, or a prefix added and a subtitle cut.
        keys.add(("author-year", record.surnames[0], record.year))
    return keys


def _candidate_pairs(prepared: list[_Prepared], is_new: list[bool] | None) -> set[tuple[int, int]]:
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for index, record in enumerate(prepared):
        for key in _block_keys(record):
            blocks[key].append(index)

    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        if is_new is not None and not any(is_new[m] for m in members):
            continue
        if len(members) > MAX_BLOCK:
            members = sorted(members, key=lambda m: (prepared[m].title_key, m))
            reach = NEIGHBOURS
        else:
            reach = len(members)
        for x, i in enumerate(members):
            for j in members[x + 1 : x + 1 + reach]:
                if is_new is None or is_new[i] or is_new[j]:
                    pairs.add((i, j) if i < j else (j, i))
    return pairs


# --- scoring ---------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    score: float
    facts: list[str]  # what agrees or differs, for the reason
    guards: list[str]  # why the pair must not merge on its own

    def reason(self) -> str:
        text = ", ".join(self.facts)
        if self.guards:
            text += "; not merged: " + ", ".join(self.guards)
        return text


def _compare(a: _Prepared, b: _Prepared, review_threshold: float) -> _Candidate | None:
    guards = []
    if a.doi and b.doi and a.doi != b.doi:
        guards.append("different DOIs")
    if a.pmid and b.pmid and a.pmid != b.pmid:
        guards.append("different PMIDs")
    both_titles = bool(a.title_key and b.title_key)
    title = _title_similarity(a.title_key, b.title_key) if both_titles else 0.0

    for identifier in ("doi", "pmid"):
        value = getattr(a, identifier)
        if value and value == getattr(b, identifier):
            if a.notice != b.notice:
                guards.append(f"{a.notice or 'article'} vs {b.notice or 'article'}")
            if both_titles and title < 0.6:
                # A proceedings volume or a book can lend one DOI to many items.
                guards.append(f"title {title:.2f}")
            return _Candidate(1.0, [f"same {identifier.upper()}"], guards)

    # Without both titles only the identifiers above can tell.
    if not both_titles or title < review_threshold - CITATION_BONUS:
        return None

    facts = [f"title {title:.2f}"]
    agree: set[str] = set()
    differ: list[str] = []

    def note(name: str, same: bool | None, conflict: str = "") -> None:
        if same is None:
            return
        facts.append(f"{name} {'equal' if same else 'differs'}")
        if same:
            agree.add(name)
        else:
            differ.append(conflict or name)

    year_gap = abs(a.year - b.year) if a.year and b.year else None
    note(
        "year", None if year_gap is None else year_gap == 0, "year by one" if year_gap == 1 else ""
    )
    note("first author", _same_first_author(a, b))
    note("volume", a.volume == b.volume if a.volume and b.volume else None)
    note("issue", bool(a.issue & b.issue) if a.issue and b.issue else None)
    note("pages", _same_first_page(a.pages, b.pages))
    if "first author" in agree and _author_lists_differ(a.surnames, b.surnames):
        note("author list", False, "authors")

    # Volume and first page are a citation: with them (and the year) agreeing,
    # the records describe one printed item, whatever else the databases garbled.
    # Page 1 is left out: each article of many electronic journals starts there.
    same_item = (
        {"volume", "pages"} <= agree
        and a.pages is not None
        and a.pages.first != 1
        and (year_gap or 0) <= 1
    )
    if same_item:
        # Issue numbers are often missing or wrong where volume and page are right.
        # A different first author is a garbled name only when the rest of the
        # byline is the same: a letter and another letter on the same page share
        # the title, not the authors.
        excused = {"issue"}
        if not _author_lists_differ(a.surnames, b.surnames, whole_lists=True):
            excused.add("first author")
        differ = [name for name in differ if name not in excused]
    bonus = 0.0
    if "pages" in agree:
        bonus = CITATION_BONUS if "volume" in agree else PAGE_BONUS
    score = title + bonus
    score = min(1.0, score - sum(PENALTIES[name] for name in differ))
    if score < review_threshold:
        return None

    if differ and not (differ == ["year by one"] and agree & {"volume", "pages"}):
        # One year apart is how online-first and print issues differ; with the
        # volume or page agreeing it is the same item, without it a conference
        # paper and its journal version look just like this.
        guards.append(", ".join(dict.fromkeys(differ)) + " differ")
    if a.notice != b.notice:
        guards.append(f"{a.notice or 'article'} vs {b.notice or 'article'}")
    if a.numbers != b.numbers and not same_item:
        guards.append("numbers in titles differ")  # part 1 and part 2, 5- and 10-year follow-up
    if (a.generic or b.generic) and not {"year", "first author", "volume", "pages"} <= agree:
        guards.append("generic title")
    if not agree & {"year", "first author"} and not same_item:
        guards.append("only the title agrees")
    return _Candidate(score, facts, guards)


def _title_similarity(title_a: str, title_b: str) -> float:
    similarity = Indel.normalized_similarity(title_a, title_b)
    shorter, longer = sorted((title_a, title_b), key=len)
    # Compared without spaces, as some exports glue the subtitle on ("statesthe examples").
    compact_shorter, compact_longer = shorter.replace(" ", ""), longer.replace(" ", "")
    if (
        similarity < CONTAINED_TITLE_SIMILARITY
        and len(shorter.split()) >= CONTAINED_TITLE_MIN_WORDS
        and (compact_longer.startswith(compact_shorter) or compact_longer.endswith(compact_shorter))
    ):
        return CONTAINED_TITLE_SIMILARITY
    return similarity


def _same_first_page(a: _Pages | None, b: _Pages | None) -> bool | None:
    if a is None or b is None:
        return None
    if a.first == b.first:
        return True  # "S251" and "251": one database dropped the supplement's letter
    if a.prefix != b.prefix:
        return None  # an article number ("e12724", "c1804") beside a page
    if (a.last is None and a.first == b.last) or (b.last is None and b.first == a.last):
        return None  # only one end of the range was kept
    return False


def _same_first_author(a: _Prepared, b: _Prepared) -> bool | None:
    if not a.surnames or not b.surnames:
        return None
    surname_a, surname_b = a.surnames[0], b.surnames[0]
    if surname_a == surname_b:
        return True
    if surname_a in b.first_author_words or surname_b in a.first_author_words:
        return True  # "Lopez, Rubio M." and "Rubio, M. L."
    for pattern, other in ((surname_a, surname_b), (surname_b, surname_a)):
        if "?" in pattern and re.fullmatch(re.escape(pattern).replace(r"\?", ".{0,2}"), other):
            return True  # "Mu?oz": an export lost a letter
    # A typo in a surname of some length ("Papillo" and "Papilio").
    return min(len(surname_a), len(surname_b)) >= 5 and (
        Indel.normalized_similarity(surname_a, surname_b) >= 0.85
    )


def _author_lists_differ(
    surnames_a: tuple[str, ...], surnames_b: tuple[str, ...], whole_lists: bool = False
) -> bool:
    """Fewer than half the shorter list's surnames appear in the other list.

    Measured against the shorter list because databases cut long author lists.
    A list of one name tells nothing here: it differs when `whole_lists` is
    asked for, and does not otherwise.
    """
    if len(surnames_a) < 2 or len(surnames_b) < 2:
        return whole_lists
    set_a, set_b = set(surnames_a), set(surnames_b)
    return len(set_a & set_b) < 0.5 * min(len(set_a), len(set_b))


# --- grouping --------------------------------------------------------------


def _group(
    prepared: list[_Prepared],
    auto: list[tuple[int, int, DuplicatePair]],
    review: dict[tuple[int, int], DuplicatePair],
    distinct: set[frozenset],
    is_new: list[bool] | None,
) -> DedupResult:
    parent = list(range(len(prepared)))
    members: dict[int, list[int]] = {}  # root -> its component, for components of two or more
    dois: dict[int, set[str]] = {}
    pmids: dict[int, set[str]] = {}
    partners: dict[Hashable, set[Hashable]] = defaultdict(set)
    for pair in distinct:
        if len(pair) == 2:
            left, right = pair
            partners[left].add(right)
            partners[right].add(left)

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def component(root: int) -> tuple[list[int], set[str], set[str]]:
        record = prepared[root]
        return (
            members.get(root, [root]),
            dois.get(root, {record.doi} - {""}),
            pmids.get(root, {record.pmid} - {""}),
        )

    def is_old(members_of: list[int]) -> bool:
        return is_new is not None and not all(is_new[m] for m in members_of)

    def problem(left: tuple, right: tuple) -> str:
        if is_old(left[0]) and is_old(right[0]):
            # Records that were there before were compared then (or a person kept
            # them apart); a new record resembling both is no reason to join them.
            return "would join two existing records"
        if len(left[1] | right[1]) > 1:
            return "would join different DOIs"
        if len(left[2] | right[2]) > 1:
            return "would join different PMIDs"
        right_ids = {prepared[m].id for m in right[0]}
        if partners and any(partners.get(prepared[m].id, set()) & right_ids for m in left[0]):
            return "would join records a person called distinct"
        return ""

    # Strongest links first, so a weak link cannot bridge two records that a
    # stronger one has already told apart.
    auto.sort(key=lambda item: (-item[2].score, item[0], item[1]))
    auto_pairs = []
    for i, j, pair in auto:
        root_i, root_j = find(i), find(j)
        if root_i != root_j:
            left, right = component(root_i), component(root_j)
            if reason := problem(left, right):
                review[(i, j)] = DuplicatePair(
                    pair.a, pair.b, pair.score, f"{pair.reason}; not merged: {reason}"
                )
                continue
            if len(left[0]) < len(right[0]):
                root_i, root_j, left, right = root_j, root_i, right, left
            parent[root_j] = root_i
            members[root_i] = left[0] + right[0]
            dois[root_i] = left[1] | right[1]
            pmids[root_i] = left[2] | right[2]
            members.pop(root_j, None)
        auto_pairs.append((i, j, pair))

    groups = []
    for indices in members.values():
        keep = min(
            indices,
            key=lambda m: (is_new is not None and is_new[m], -prepared[m].completeness, m),
        )
        groups.append([prepared[keep].id] + [prepared[m].id for m in sorted(indices) if m != keep])
    groups.sort(key=lambda group: _id_sort_key(group[0]))

    # A pair whose records merged through other links needs no one's review.
    review_pairs = [pair for (i, j), pair in sorted(review.items()) if find(i) != find(j)]
    return DedupResult(
        auto_pairs=[pair for _, _, pair in sorted(auto_pairs, key=lambda item: item[:2])],
        review_pairs=review_pairs,
        groups=groups,
    )

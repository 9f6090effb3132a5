"""Find duplicate bibliographic records (pure Python, no Django here).

The import service hands over the records of a topic area; this module says
which pairs are the same work. It never changes a record: the caller merges
the records of each of `groups` and shows `review_pairs` to a person.

Method, in order:

1. Normalise each record once: DOI, PMID, a title key (markup, diacritics,
   case, punctuation, British vs American spelling and database notes such as
   "[Review] [33 refs]" removed; for an erratum, also the citation of the
   article it corrects), the year, author names (surname and name words, so
   that "Luis Ferreira, Santos A" meets "Santos, A L"), the journal's words
   (abbreviations meet full names: "N Engl J Med"), volume, issue and pages
   ("123-9" is 123-129).
2. Block: two records are compared only when they share a key: DOI, PMID, the
   start of the title key, its end, or first author + year. Each record has at
   most five keys, and a block larger than `MAX_BLOCK` is compared only between
   neighbours in title order (for the end key, in order of the reversed
   title), so the cost grows close to linearly.
3. Score a candidate pair. The same DOI or PMID scores 1.0. Otherwise the
   score is the title similarity (rapidfuzz's normalised Indel similarity,
   1.0 for equal titles), plus 0.05 when the pages agree, 0.10 when volume
   and pages agree, or 0.20 when volume and the whole range of several pages
   agree, minus a penalty for each field that disagrees. Pages agree when the
   first page does, or the last one (a typo in the other).
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

Exceptions to the guards, where the citation shows one printed item:

- Volume and pages agree (and the years are at most one apart): a garbled
  author name or a typo in a number in the title does not stop the merge, nor
  does a wrong issue. A different first author is excused when the rest of
  the byline agrees, or when the whole page range agrees (and the journals do
  not differ): a study group's name beside its chair's.
- The volume agrees: a year one off is online-first vs print, no conflict.
- One page each, but different ones, in one volume, with the same byline: a
  conference abstract whose "page" is the page in one database and the
  abstract's number in another. The title alone must then reach the threshold.

- The same title with the whole byline (two names or more) and the journal
  (see `_excuse_on_byline`): a single page beside a range where one record has
  no volume, a year one off (proceedings; a preprint server beside the
  journal), or a subtitle one database cut, no longer stop the merge.
- A title in English with its original in brackets ("Title [Originaltitel]")
  is compared, and blocked, under both titles; volume + first page is a
  blocking key too, for copies whose titles differ at both ends.

What never merges without a person is `NEVER_MERGE_RULES`, each named with
its reason: different DOIs or PMIDs, and a notice (erratum, retraction, reply,
comment) beside its article; they always stop the merge, and no group joins two
DOIs or PMIDs.

Thresholds: 0.95 (chosen by leaving one benchmark set out, see
bench/dedup_eval.py --cv: each held-out set's own choice was 0.93-0.95, and
0.93 cost a false merge) is a title with at most about five typos per hundred
characters, or a weaker title (0.85) whose volume and first page agree, or
(0.75) whose volume and whole page range agree. Year and first author agreeing
add nothing to the score (one group publishes many papers a year) but one of
them must agree before anything merges on its own. 0.85 leaves titles that
differ by a few words, or carry a conflict, to a person.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Iterator
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Indel

from screening.bibrecord import ParsedRecord, normalise_doi

AUTO_THRESHOLD = 0.95
REVIEW_THRESHOLD = 0.85

# The first page agreeing is strong evidence, volume and first page together a
# citation; a volume alone is not (a volume holds many papers by one group).
PAGE_BONUS = 0.05
CITATION_BONUS = 0.10
# Volume and the whole page range (first and last page, several pages long):
# two different items cannot both fill the same pages of one volume.
RANGE_BONUS = 0.20
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
# The title a byline and journal must come with to excuse pages, a year or a
# cut subtitle (see `_excuse_on_byline`): at most a typo or two apart.
BYLINE_TITLE_SIMILARITY = 0.97

# What never merges without a person, whatever the rest of two records says.
# Each is a named rule, so that a benchmark can say what it costs where a
# ground truth calls such a pair one work (bench/dedup_eval.py --rules).
NEVER_MERGE_RULES = {
    # A DOI names one item. Two DOIs are two items, even where a ground truth
    # counts them one work (a preprint and its article, a guideline co-published
    # in two journals, a DOI with a typo): a person decides, and a wrong merge
    # hides a record from screening where a wrong "distinct" only costs a look.
    "different DOIs": "two different DOIs are two items",
    "different PMIDs": "two different PubMed ids are two PubMed records",
    # An erratum, retraction notice, reply or comment repeats its article's
    # title (and often its byline and journal) but is another item that a
    # reviewer must see beside the article: a retraction changes the verdict.
    "notice vs article": "an erratum, retraction, reply or comment is not its article",
}

# A block larger than this is compared only between neighbours in title order:
# a real duplicate sorts next to its twin, and a block of thousands of
# "Editorial" records must not cost millions of comparisons.
MAX_BLOCK = 64
NEIGHBOURS = 16
# Candidate pairs gathered before they are made unique, to bound the memory of duplicates,
# and the buckets (ranges of the first record) they are made unique in.
PAIR_CHUNK = 4_000_000
PAIR_BUCKETS = 16
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
# duplicate of the article it corrects. Read from the start of the title (and,
# for corrections, the cited article at its end: Web of Science's "Title (vol 5,
# pg 10, 2003)", Embase's "Title (Journal (2003) 5 (10-19))"). Not "[Erratum
# appears in ...]" or "Retracted:": those mark the article itself.
_WOS_CITED = r"\((?:vol|volume) [^)]*\bpg? ?\d[^)]*\)"
_EMBASE_CITED = r"\([^()]*\(\d{4}\)[^()]*(?:\([^()]*\)[^()]*)*\)"
# The cited article is left out of an erratum's title key, so that two records
# of one erratum (one database writes it one way, another the other) agree.
_CITED_ARTICLE = re.compile(rf"\s*(?:{_WOS_CITED}|{_EMBASE_CITED})\W*$")
# Each pattern is tried only on a title holding its literal (cheaper than the search).
_NOTICES = [
    (kind, literal, re.compile(pattern))
    for kind, literal, pattern in [
        (
            "erratum",
            "",
            r"^(?:erratum|errata|corrigendum|corrigenda|correction(?: to|:| notice))\b",
        ),
        ("erratum", "(", r"\((?:vol|volume) [^)]*\bpg? ?\d"),
        ("erratum", "(", _EMBASE_CITED + r"\W*$"),
        ("retraction", "", r"^(?:retraction|notice of retraction|expression of concern)\b"),
        ("reply", "", r"^(?:reply|in reply|authors?'? reply|author response|response(?: to)? ?:)"),
        ("reply", "", r"^response to (?:the )?(?:comment|letter|correspondence|re:)"),
        ("reply", "reply", r"\b(?:author s |authors )?reply\s*$"),
        ("comment", "", r"^(?:comment(?:ary)? on|comments on|re:|letter to the editor|letter:)"),
    ]
]

_MARKUP_CHARS = re.compile(r"[&<\\{$]")
_TAG = re.compile(r"<[^>]{0,200}>")
_LATEX_COMMAND = re.compile(r"\\([a-zA-Z]+)\s*")
_LATEX_ACCENT = re.compile(r"\\[^a-zA-Z\s]")
# "[Spanish]", "[Review] [33 refs]", "[Erratum appears in ...]": notes databases add.
_TRAILING_NOTE = re.compile(r"\s*\[[^\[\]]*\]\W*$")
_NOT_WORD = re.compile(r"[\W_]+")
# A trailing bracket of this many words or more that is not a database's note
# is the title in its original language: "Effects of X on Y [Wirkung von X auf Y]".
ORIGINAL_TITLE_MIN_WORDS = 4
_NOTE_START = re.compile(
    r"^(?:erratum|errata|retract|comment|published|see|review|refs?|\d+ refs|"
    r"letter|editorial|english|abstract|article in|in \w+$|corrected|update)"
)
# Journals that print preprints: a preprint and its publication are one study,
# a year apart or not, in another "journal".
_PREPRINT_SERVERS = frozenset(
    ("medrxiv", "biorxiv", "arxiv", "research square", "ssrn", "preprints", "chemrxiv",
     "psyarxiv", "osf preprints", "authorea", "sportrxiv", "edarxiv", "socarxiv")
)  # fmt: skip
# British and American spellings: haem/hem, oesophagus/esophagus (both by a
# plain replace of "ae" and "oe"), tumour/tumor, randomise/randomize. Folded on
# both sides, so a word that merely holds the letters ("aerobic" -> "erobic")
# still meets its twin.
_SPELLING = re.compile(r"our(?=s?\b)|(?<=[iy])z(?=[aeio])")
_SPELLING_FOLD = {"our": "or", "z": "s"}
_NOT_NAME = re.compile(r"[^\w?]+|_")  # keeps "?", where an export lost a letter ("Mu?oz")
_NUMBER = re.compile(r"\d+")
_ROMAN_PART = re.compile(r"\bpart (i{1,3}|iv|v|vi{1,3}|ix|x)\b")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}
_ROMAN["x"] = 10
# "S417-29", "e12724", "c1804", "1038-1044". A start that is a word ("Suppl-29",
# "Pt 1:314-20") is not trusted: the page is then unknown, not different.
_PAGES = re.compile(r"^([a-z]{0,2})(\d+)(?:\s*[-\u2010-\u2015]+\s*[a-z]{0,2}(\d+))?")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_JOURNAL_ALTERNATIVES = re.compile(r"/|=")
# Words ISO 4 journal abbreviations leave out.
_JOURNAL_STOP = frozenset(("the", "of", "and", "for", "in", "on", "de", "la", "der", "und", "fur"))
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
    records: Iterable[DedupRecord],
    *,
    new_ids: Collection[Hashable] | None = None,
    known_distinct: Iterable[tuple[Hashable, Hashable]] = (),
    auto_threshold: float = AUTO_THRESHOLD,
    review_threshold: float = REVIEW_THRESHOLD,
    never_merge: Collection[str] = tuple(NEVER_MERGE_RULES),
) -> DedupResult:
    """Find the duplicates among `records`.

    new_ids: when given, only pairs with at least one record in it are
        considered: an import compared with the records a topic area already
        has, without comparing old records with each other again. No group
        then holds two old records, and an old record is kept before new ones.
    known_distinct: pairs of ids a person has called different works (a
        rejected review pair, an undone merge). They are never reported
        again, and no group joins them.
    never_merge: the names of `NEVER_MERGE_RULES` to apply; all of them unless
        told otherwise. Only a benchmark leaves one out, to measure its cost.
    """
    if unknown := set(never_merge) - set(NEVER_MERGE_RULES):
        raise ValueError(f"unknown rules: {sorted(unknown)}")
    rules = frozenset(never_merge)
    if not 0 < review_threshold <= auto_threshold <= 1:
        raise ValueError("need 0 < review_threshold <= auto_threshold <= 1")
    # Work in id order, so the result never depends on the order of the input.
    # `records` is read once, so a caller can stream them.
    prepared = sorted(map(_prepare, records), key=_sort_key)
    if any(a.id == b.id for a, b in itertools.pairwise(prepared)):
        raise ValueError("record ids must be unique")
    is_new = None if new_ids is None else [p.id in new_ids for p in prepared]
    distinct = {frozenset(pair) for pair in known_distinct}

    auto: list[tuple[int, int, DuplicatePair]] = []
    review: dict[tuple[int, int], DuplicatePair] = {}
    title_keys = [p.title_key for p in prepared]
    for i, partners in _candidate_pairs(prepared, is_new):
        a = prepared[i]
        for j, similarity in _worth_comparing(a, partners, prepared, title_keys, review_threshold):
            b = prepared[j]
            if distinct and frozenset((a.id, b.id)) in distinct:
                continue
            candidate = _compare(a, b, review_threshold, similarity)
            if candidate is None:
                continue
            pair = DuplicatePair(a.id, b.id, round(candidate.score, 3), candidate.reason())
            blocked = [g for g in candidate.guards if g not in _RULE_GUARDS or g in rules]
            if candidate.score >= auto_threshold and not blocked:
                auto.append((i, j, pair))
            else:
                review[(i, j)] = pair
    return _group(prepared, auto, review, distinct, is_new, rules)


def canonical_order(
    records: Iterable[DedupRecord], new_ids: Collection[Hashable] = ()
) -> list[Hashable]:
    """The ids of one group's records, the record to keep first.

    Keep a record that was there before this import (screening decisions may
    already hang on it), then the most complete record (most of title,
    authors, year, journal, volume, issue, pages, DOI and PMID filled in), then
    the earliest id. The others follow in id order. `groups` use this rule.
    """
    prepared = sorted((_prepare(record) for record in records), key=_sort_key)
    if not prepared:
        return []
    keep = min(prepared, key=lambda p: (p.id in new_ids, -p.completeness, _sort_key(p)))
    return [keep.id] + [p.id for p in prepared if p is not keep]


def normalise_title(title: str) -> str:
    """'<i>Beta</i>-Blockers &amp; the Heart. [Review]' -> 'beta blockers and the heart'.

    British and American spellings meet: 'Haemolytic tumours, randomised' ->
    'hemolytic tumors randomised' ('ae' and 'oe' become 'e', a final 'our' 'or',
    and 'ize' 'ise').
    """
    return _title_key(_fold(title))


def _title_key(folded_title: str) -> str:
    text = folded_title.strip()
    while "]" in text and (shorter := _TRAILING_NOTE.sub("", text)) != text:
        if not _NOT_WORD.sub("", shorter):
            break  # a title wholly in brackets: MEDLINE's translated titles
        text = shorter
    text = _NOT_WORD.sub(" ", text.replace("&", " and ")).strip()
    text = text.replace("ae", "e").replace("oe", "e")
    if "our" in text or "z" in text:
        text = _SPELLING.sub(lambda m: _SPELLING_FOLD[m[0]], text)
    return text


def _original_title(folded_title: str, title_key: str) -> str:
    """The title key of the original-language title a record gives in brackets.

    MEDLINE and Embase write a translated title as "English title [Original
    title]"; another database gives the original title alone. The bracket is
    dropped from the title key (as a note), and kept here to compare with.
    """
    if "]" not in folded_title:
        return ""
    match = _TRAILING_NOTE.search(folded_title.strip())
    if not match:
        return ""
    inside = _title_key(match[0].strip().rstrip(".").strip().strip("[]"))
    if (
        inside == title_key
        or inside.count(" ") + 1 < ORIGINAL_TITLE_MIN_WORDS
        or _NOTE_START.match(inside)
    ):
        return ""
    return inside


@functools.lru_cache(maxsize=4096)
def _is_preprint_server(journal: str) -> bool:
    if not journal:
        return False
    words = " ".join(_NOT_WORD.sub(" ", _fold(journal)).split())
    return words in _PREPRINT_SERVERS or words.split(" ", 1)[0] in _PREPRINT_SERVERS


# --- normalisation ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pages:
    prefix: str  # "s" for supplement pages, "e" for an electronic article number...
    first: int
    last: int | None


@dataclass(slots=True)
class _Prepared:
    id: Hashable
    title_key: str
    generic: bool
    original_key: str  # the title key of an original-language title in brackets, or ""
    notice: str  # "" for an ordinary item, else "erratum", "retraction", "reply", "comment"
    numbers: tuple[str, ...]
    year: int | None
    # The first MAX_AUTHORS authors, as given, joined by _NAME_SEPARATOR: one string
    # rather than a list of them is 250 bytes less a record, 250 MB at a million.
    names: str
    first_surname: str
    # (surname, name words) of each of `names`, parsed on first need: see `_authors`.
    parsed_authors: list[tuple[str, frozenset[str]]] | None
    journal: tuple[tuple[str, ...], ...]  # the journal's names' words, see `_journal_names`
    preprint: bool  # the journal is a preprint server
    volume: str
    issue: frozenset[str]
    pages: _Pages | None
    doi: str
    pmid: str
    completeness: int


def _prepare(record: DedupRecord) -> _Prepared:
    folded_title = _fold(record.title)
    title_key = _title_key(folded_title)
    notice = _notice_kind(folded_title, title_key)
    if notice == "erratum":
        title_key = _title_key(_CITED_ARTICLE.sub("", folded_title)) or title_key
    # Ten names are plenty to tell author lists apart; some records list hundreds.
    names = [
        name.replace(_NAME_SEPARATOR, " ")
        for name in record.authors[:MAX_AUTHORS]
        if name and name.strip()
    ]
    first_surname = next((surname for surname, _ in map(_parse_author, names) if surname), "")
    return _Prepared(
        id=record.id,
        title_key=title_key,
        original_key=_original_title(folded_title, title_key),
        generic=title_key in GENERIC_TITLES or title_key.count(" ") < 2,
        notice=notice,
        numbers=_title_numbers(title_key),
        year=_YEARS.setdefault(record.year, record.year),  # one int object per year
        names=_NAME_SEPARATOR.join(names),
        first_surname=first_surname,
        parsed_authors=None,
        journal=_journal_names(record.journal),
        preprint=_is_preprint_server(record.journal),
        volume=_normalise_volume(record.volume),
        issue=_issue_numbers(record.issue) if record.issue else frozenset(),
        pages=_parse_pages(record.pages),
        doi=normalise_doi(record.doi) if record.doi else "",
        pmid=(record.pmid or "").strip(),
        completeness=sum(
            map(
                bool,
                (
                    record.title,
                    record.authors,
                    record.year,
                    record.journal,
                    record.volume,
                    record.issue,
                    record.pages,
                    record.doi,
                    record.pmid,
                ),
            )
        ),
    )


def _authors(record: _Prepared) -> list[tuple[str, frozenset[str]]]:
    """The record's authors as (surname, name words), parsed when a comparison first asks.

    Only pairs with similar titles get this far, so most records never need it.
    """
    if record.parsed_authors is None:
        names = record.names.split(_NAME_SEPARATOR) if record.names else ()
        parsed = (_parse_author(name) for name in names)
        record.parsed_authors = [author for author in parsed if author[0]]
    return record.parsed_authors


_NAME_SEPARATOR = "\x1f"  # ASCII's unit separator, which no name holds
_YEARS: dict[int | None, int | None] = {}


def _sort_key(record: _Prepared) -> tuple:
    return _id_sort_key(record.id)


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


def _notice_kind(folded_title: str, title_key: str) -> str:
    raw, words = " ".join(folded_title.split()), title_key
    for kind, literal, pattern in _NOTICES:
        if (literal in raw and pattern.search(raw)) or (literal in words and pattern.search(words)):
            return kind
    return ""


def _title_numbers(title_key: str) -> tuple[str, ...]:
    text = title_key
    if "part " in text:
        text = _ROMAN_PART.sub(lambda m: f"part {_ROMAN[m[1]]}", text)
    numbers = _NUMBER.findall(text)
    return tuple(sorted(number.lstrip("0") or "0" for number in numbers)) if numbers else ()


@functools.lru_cache(maxsize=1 << 15)  # one author writes many papers, each copied by databases
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


@functools.lru_cache(maxsize=4096)  # few volumes, many records: one string each
def _normalise_volume(volume: str) -> str:
    numbers = _NUMBER.findall(volume or "")
    return numbers[0].lstrip("0") if numbers else _NOT_WORD.sub("", _fold(volume))


@functools.lru_cache(maxsize=4096)  # few issues, many records: one frozenset each (200 B)
def _issue_numbers(issue: str) -> frozenset[str]:
    return frozenset(_NUMBER.findall(issue))


def _parse_pages(pages: str) -> _Pages | None:
    if not pages:
        return None
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
    compact = _compact(record.title_key)
    if compact:
        # A typo near the end of a title leaves its start, one near the start its end.
        keys.add(("start", compact[:TITLE_KEY_CHARS]))
        keys.add(("end", compact[-TITLE_KEY_CHARS:]))
    if record.original_key:
        original = record.original_key.replace(" ", "")
        keys.add(("start", original[:TITLE_KEY_CHARS]))
        keys.add(("end", original[-TITLE_KEY_CHARS:]))
    if record.volume and record.pages and record.pages.first > 1:
        # Volume and first page are a citation: two copies whose titles both
        # carry typos, or one translated, still share it.
        keys.add(("citation", record.volume, record.pages.first))
    if record.first_surname and record.year:
        # For typos at both ends of a title, or a prefix added and a subtitle cut.
        keys.add(("author-year", record.first_surname, record.year))
    return keys


def _candidate_pairs(
    prepared: list[_Prepared], is_new: list[bool] | None
) -> Iterator[tuple[int, list[int]]]:
    """Each record's candidates, by index: (i, the indices j > i it shares a block with),
    in order of i.

    Kept compact, so that a million records' blocks fit in a few hundred
    megabytes: each block key is held only as its 64-bit hash beside the
    record's index (two numpy arrays, sorted once), and each candidate pair as
    one 64-bit number i * n + j, made unique by numpy. Held as Python tuples,
    sets and dicts the same blocks and pairs took about 1.6 kB a record. Two
    keys whose hashes collide only add candidates, which `_compare` judges.
    """
    import numpy as np  # noqa: PLC0415 -- heavy; only de-duplication needs it here

    count = len(prepared)
    key_hashes = array("q")
    key_records = array("q")
    from_end = array("b")  # 1 where the key is an "end" block's: sorted from the end
    for index, record in enumerate(prepared):
        for key in _block_keys(record):
            key_hashes.append(hash(key))
            key_records.append(index)
            from_end.append(key[0] == "end")
    if not key_hashes:
        return
    hashes = np.frombuffer(key_hashes, dtype=np.int64)
    records = np.frombuffer(key_records, dtype=np.int64)
    order = np.lexsort((records, hashes))
    hashes, records = hashes[order], records[order]
    ends = np.frombuffer(from_end, dtype=np.int8)[order]
    del key_hashes, key_records, from_end, order
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    sizes = np.diff(np.r_[starts, len(hashes)])
    del hashes
    new = None if is_new is None else np.array(is_new, dtype=bool)

    # Only blocks of two or more with a new record make pairs.
    wanted = sizes > 1
    if new is not None:
        wanted &= np.maximum.reduceat(new[records], starts)
    starts, sizes = starts[wanted], sizes[wanted]
    # The pairs are filed in buckets by their first record (PAIR_BUCKETS ranges of it),
    # each bucket made unique on its own as it fills: the pairs of a million records are
    # never sorted all together, which held three copies of them at once (0.9 GB).
    buckets: list[list] = [[] for _ in range(PAIR_BUCKETS)]

    # Bucket b holds the pairs whose first record i has i * PAIR_BUCKETS // count == b:
    # in sorted codes, those from the code of its first such i on.
    firsts = [-(-bucket * count // PAIR_BUCKETS) * count for bucket in range(PAIR_BUCKETS + 1)]

    def file(codes) -> None:
        codes = np.unique(codes)  # sorted, so sorted by bucket too
        bounds = np.searchsorted(codes, firsts).tolist()
        for bucket, (begin, stop) in enumerate(itertools.pairwise(bounds)):
            if begin < stop:
                held = buckets[bucket]
                held.append(codes[begin:stop].copy())  # a copy: the chunk is let go
                if len(held) > 4:
                    buckets[bucket] = [np.unique(np.concatenate(held))]

    # Blocks of two, most of them, in one step: their members are in index order.
    pairs_of_two = starts[sizes == 2]
    file(records[pairs_of_two] * count + records[pairs_of_two + 1])
    codes = array("q")
    for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist(), strict=True):
        members = records[start : start + size].tolist()
        if size > MAX_BLOCK:
            if ends[start]:
                # Titles that end alike differ near their start: sort them from the end.
                members.sort(key=lambda m: (_compact(prepared[m].title_key)[::-1], m))
            else:
                members.sort(key=lambda m: (prepared[m].title_key, m))
            reach = NEIGHBOURS
        else:
            reach = size
        for x, i in enumerate(members):
            for j in members[x + 1 : x + 1 + reach]:
                codes.append(i * count + j if i < j else j * count + i)
        if len(codes) > PAIR_CHUNK:
            file(np.frombuffer(codes, dtype=np.int64))
            codes = array("q")
    file(np.frombuffer(codes, dtype=np.int64))
    del records, ends, starts, sizes, codes
    # Indices of the bucket being compared as 32 bits (below 2**31 records).
    index_type = np.int32 if count < 2**31 else np.int64
    for bucket, held in enumerate(buckets):
        buckets[bucket] = []  # each bucket is let go once its pairs are handed out
        if not held:
            continue
        pairs = np.unique(np.concatenate(held)) if len(held) > 1 else held[0]
        del held
        left = (pairs // count).astype(index_type)
        right = (pairs % count).astype(index_type)
        del pairs
        if new is not None:
            keep = new[left] | new[right]
            left, right = left[keep], right[keep]
        bounds = np.flatnonzero(np.r_[True, left[1:] != left[:-1]]).tolist() + [len(left)]
        for begin, stop in itertools.pairwise(bounds):
            if begin < stop:
                yield int(left[begin]), right[begin:stop].tolist()


def _worth_comparing(
    a: _Prepared,
    partners: list[int],
    prepared: list[_Prepared],
    title_keys: list[str],
    review_threshold: float,
) -> Iterator[tuple[int, float | None]]:
    """The partners of `a` that `_compare` does not turn away at its first test,
    each with the titles' similarity when it is known.

    Most candidates have titles too different to be a pair; rapidfuzz scores
    all of `a`'s candidates' titles in one call, which costs a fraction of a
    call per pair. The others are kept only for what `_compare` would keep them
    for: a shared DOI or PMID, or one title contained in the other.
    """
    indices = list(partners)
    similar: dict[int, float] = {}
    if a.title_key:
        found = process.extract(
            a.title_key,
            [title_keys[j] for j in indices],
            scorer=Indel.normalized_similarity,
            score_cutoff=max(0.0, review_threshold - RANGE_BONUS),
            limit=None,
        )
        similar = {indices[index]: similarity for _, similarity, index in found}
        yield from similar.items()
    doi, pmid = a.doi, a.pmid
    for j in indices:
        if j in similar:
            continue
        b = prepared[j]
        same_identifier = (doi and doi == b.doi) or (pmid and pmid == b.pmid)
        if same_identifier or (a.title_key and b.title_key and _contained_title(a, b)):
            yield j, None
        elif (a.original_key or b.original_key) and a.title_key and b.title_key:
            # The main titles differ, but one may be the other's original title.
            if _title_similarity(a, b) >= review_threshold - RANGE_BONUS:
                yield j, None
        elif a.volume and a.volume == b.volume and a.pages and b.pages and a.pages == b.pages:
            yield j, None  # one citation: the titles are weighed in `_compare`


# --- scoring ---------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    score: float
    facts: list[str]  # what agrees or differs, for the reason
    guards: list[str]  # why the pair must not merge on its own

    def reason(self) -> str:
        text = ", ".join(self.facts)
        if self.guards:
            text += "; not merged because " + "; ".join(self.guards)
        return text


def _differ_text(fields: list[str]) -> str:
    """'the volume differs', 'the year, volume and pages differ': for people to read."""
    if fields == ["year by one"]:
        return "the years are one apart"
    words = [{"year by one": "year (one apart)"}.get(name, name) for name in fields]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"the {listed} {'differ' if len(words) > 1 else 'differs'}"


def _compare(
    a: _Prepared, b: _Prepared, review_threshold: float, similarity: float | None = None
) -> _Candidate | None:
    """Score a candidate pair; `similarity`, when known, is the titles' Indel similarity."""
    both_titles = bool(a.title_key and b.title_key)
    title = _title_similarity(a, b, similarity) if both_titles else 0.0
    same_identifier = (a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid)
    # Without both titles only the identifiers can tell; most candidates end here.
    # Below the threshold only agreeing pages can lift a title (the bonuses), and
    # only the whole citation agreeing (RANGE_BONUS) lifts it more than CITATION_BONUS.
    if not same_identifier and (
        not both_titles
        or title < review_threshold - RANGE_BONUS
        or (
            title < review_threshold - CITATION_BONUS
            and not (a.volume and a.volume == b.volume and a.pages and a.pages == b.pages)
        )
        or (title < review_threshold and not _same_pages(a.pages, b.pages))
    ):
        return None

    guards = []
    if a.doi and b.doi and a.doi != b.doi:
        guards.append("different DOIs")
    if a.pmid and b.pmid and a.pmid != b.pmid:
        guards.append("different PMIDs")
    if a.notice != b.notice:
        guards.append("notice vs article")
    for identifier in ("doi", "pmid"):
        value = getattr(a, identifier)
        if value and value == getattr(b, identifier):
            if both_titles and title < 0.6:
                # A proceedings volume or a book can lend one DOI to many items.
                guards.append(f"title {title:.2f}")
            return _Candidate(1.0, [f"same {identifier.upper()}"], guards)

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
    note("pages", _same_pages(a.pages, b.pages))
    if "first author" in agree and _author_lists_differ(a, b):
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
    # The whole range of several pages, not only its first page: no other item
    # fills those pages of that volume (unless the journals differ).
    same_range = (
        same_item
        and a.pages.first == b.pages.first
        and a.pages.last is not None
        and a.pages.last == b.pages.last
        and a.pages.last > a.pages.first
    )
    if same_range and _same_journal(a.journal, b.journal) is False:
        facts.append("journal differs")
        same_range = False
    if same_item:
        # Issue numbers are often missing or wrong where volume and page are right.
        # A different first author is a garbled name (or a study group's name
        # beside its chair's) only when the rest of the byline is the same, or the
        # whole page range agrees: a letter and another letter on the same page
        # share the title, not the authors.
        excused = {"issue"}
        if same_range or not _author_lists_differ(a, b, whole_lists=True):
            excused.add("first author")
        differ = [name for name in differ if name not in excused]
    elif (
        "pages" in differ
        and {"volume", "first author"} <= agree
        and _one_page(a.pages)
        and _one_page(b.pages)
        and not _author_lists_differ(a, b, whole_lists=True)
    ):
        # One page each, not the same, in one volume, by the same byline: a
        # conference abstract, whose "page" one database gives as the page and
        # another as the abstract's number. The title must then carry the merge.
        differ.remove("pages")
    if "volume" in agree:
        # The volume fixes the item's year: one year apart is online-first vs print.
        differ = [name for name in differ if name != "year by one"]
    title, differ = _excuse_on_byline(a, b, title, agree, differ, year_gap, facts)
    bonus = 0.0
    if "pages" in agree:
        bonus = CITATION_BONUS if "volume" in agree else PAGE_BONUS
        if same_range:
            bonus = RANGE_BONUS
    score = title + bonus
    score = min(1.0, score - sum(PENALTIES[name] for name in differ))
    if score < review_threshold:
        return None

    if differ and not (differ == ["year by one"] and agree & {"volume", "pages"}):
        # One year apart is how online-first and print issues differ; with the
        # volume or page agreeing it is the same item, without it a conference
        # paper and its journal version look just like this.
        guards.append(_differ_text(list(dict.fromkeys(differ))))
    if a.numbers != b.numbers and not same_item:
        guards.append("numbers in titles differ")  # part 1 and part 2, 5- and 10-year follow-up
    if (a.generic or b.generic) and not {"year", "first author", "volume", "pages"} <= agree:
        guards.append("generic title")
    if not agree & {"year", "first author"} and not same_item:
        guards.append("only the title agrees")
    return _Candidate(score, facts, guards)


def _excuse_on_byline(
    a: _Prepared,
    b: _Prepared,
    title: float,
    agree: set[str],
    differ: list[str],
    year_gap: int | None,
    facts: list[str],
) -> tuple[float, list[str]]:
    """The whole byline (two names or more) and the journal agree: what they excuse.

    A list of several authors in the same order is rare enough that, with the
    journal, it carries what a DOI would: a single page beside a range where one
    record has no volume (one database gives an abstract's number), a year one
    off (a meeting's year and its volume's; a preprint a year before its
    publication), a subtitle one database cut. Never a volume that differs,
    nor more than one of these.
    """
    if "first author" not in agree or "volume" in differ:
        return title, differ
    if _author_lists_differ(a, b, whole_lists=True):
        return title, differ
    same_journal = _same_journal(a.journal, b.journal)
    if (
        title >= BYLINE_TITLE_SIMILARITY
        and differ == ["pages"]
        and year_gap == 0
        and same_journal
        and "volume" not in agree
        and (_one_page(a.pages) or _one_page(b.pages))
    ):
        # Without a volume to place them, a single page beside a range is one
        # database's abstract number or sequence number, not another item. (In one
        # volume it is an abstract and the article that followed it; two ranges
        # that differ are two printed items.)
        facts.append("byline and journal agree")
        return title, []
    if (
        title >= BYLINE_TITLE_SIMILARITY
        and differ == ["year by one"]
        and (same_journal or (a.preprint != b.preprint and _same_byline(a, b)))
    ):
        facts.append("byline agrees" + ("" if same_journal else ", one is a preprint"))
        return title, []
    if (
        not differ
        and year_gap == 0
        and same_journal
        and title < BYLINE_TITLE_SIMILARITY
        and _contained_title(a, b)
    ):
        facts.append("byline and journal agree, a subtitle cut")
        return 1.0, differ
    return title, differ


# The guards that are named rules (the others always apply).
_RULE_GUARDS = frozenset(NEVER_MERGE_RULES)


def _title_similarity(a: _Prepared, b: _Prepared, similarity: float | None = None) -> float:
    """How alike the titles are; `similarity`, when given, is their Indel similarity."""
    if similarity is None:
        similarity = Indel.normalized_similarity(a.title_key, b.title_key)
    if a.original_key or b.original_key:
        # A title in English with its original in brackets, beside the original.
        for x, y in ((a.original_key, b.title_key), (a.title_key, b.original_key)):
            if x and y:
                similarity = max(similarity, Indel.normalized_similarity(x, y))
    if similarity >= CONTAINED_TITLE_SIMILARITY:
        return similarity
    return CONTAINED_TITLE_SIMILARITY if _contained_title(a, b) else similarity


def _contained_title(a: _Prepared, b: _Prepared) -> bool:
    """The shorter title, of some words, is the start or the end of the longer one."""
    shorter, longer = (
        (a.title_key, b.title_key)
        if len(a.title_key) <= len(b.title_key)
        else (b.title_key, a.title_key)
    )
    if shorter.count(" ") + 1 < CONTAINED_TITLE_MIN_WORDS:
        return False
    # Compared without spaces, as some exports glue the subtitle on ("statesthe examples").
    shorter, longer = _compact(shorter), _compact(longer)
    return longer.startswith(shorter) or longer.endswith(shorter)


def _compact(title_key: str) -> str:
    """The title key without spaces: computed when needed rather than kept beside the key
    (140 bytes a record, at a cost of about 8 % of de-duplication's time)."""
    return title_key.replace(" ", "")


def _same_pages(a: _Pages | None, b: _Pages | None) -> bool | None:
    if a is None or b is None:
        return None
    if a.first == b.first:
        return True  # "S251" and "251": one database dropped the supplement's letter
    if a.last is not None and a.last == b.last and a.prefix == b.prefix:
        return True  # the same last page: a typo in the first ("2297-2108", "2097-2108")
    if a.prefix != b.prefix:
        return None  # an article number ("e12724", "c1804") beside a page
    if (a.last is None and a.first == b.last) or (b.last is None and b.first == a.last):
        return None  # only one end of the range was kept
    return False


def _one_page(pages: _Pages) -> bool:
    return pages.last is None or pages.last == pages.first


def _same_author(a: tuple[str, frozenset[str]], b: tuple[str, frozenset[str]]) -> bool:
    """Exactly the same surname, or one record's surname among the other's name words."""
    # "Lopez, Rubio M." and "Rubio, M. L."; "Luis Ferreira, Santos A" and "Santos, A L".
    return a[0] == b[0] or a[0] in b[1] or b[0] in a[1]


def _same_first_author(a: _Prepared, b: _Prepared) -> bool | None:
    if not a.first_surname or not b.first_surname:
        return None
    surname_a, surname_b = a.first_surname, b.first_surname
    if surname_a == surname_b or _same_author(_authors(a)[0], _authors(b)[0]):
        return True
    for pattern, other in ((surname_a, surname_b), (surname_b, surname_a)):
        if "?" in pattern and re.fullmatch(re.escape(pattern).replace(r"\?", ".{0,2}"), other):
            return True  # "Mu?oz": an export lost a letter
    # A typo in a surname of some length ("Papillo" and "Papilio").
    return min(len(surname_a), len(surname_b)) >= 5 and (
        Indel.normalized_similarity(surname_a, surname_b) >= 0.85
    )


def _same_byline(a: _Prepared, b: _Prepared) -> bool:
    """Every author of each list is in the other: no name added or dropped.

    A preprint is one record beside every later version of its study (a
    meeting abstract, the article); only the version with its very byline is
    the preprint's publication, and the others must not join through it.
    """
    left, right = _authors(a), _authors(b)
    return (
        len(left) == len(right) >= 2
        and all(any(_same_author(x, y) for y in right) for x in left)
        and all(any(_same_author(x, y) for y in left) for x in right)
    )


def _author_lists_differ(a: _Prepared, b: _Prepared, whole_lists: bool = False) -> bool:
    """Fewer than half the shorter list's authors appear in the other list.

    Measured against the shorter list because databases cut long author lists.
    A list of one name tells nothing here: it differs when `whole_lists` is
    asked for, and does not otherwise.
    """
    shorter, longer = sorted((_authors(a), _authors(b)), key=len)
    if len(shorter) < 2:
        return whole_lists
    found = sum(any(_same_author(x, y) for y in longer) for x in shorter)
    return found < 0.5 * len(shorter)


@functools.lru_cache(maxsize=4096)  # an import has few journals and many records
def _journal_names(journal: str) -> tuple[tuple[str, ...], ...]:
    """The words of each name a journal field gives, ISO 4's stop words left out.

    'Revista Panamericana de Salud Publica/Pan American Journal of Public Health'
    gives two names. What follows a colon (a subtitle, or "Conference: 44th
    Annual Meeting ...") and what stands in brackets ("(Online)", "(1972)") is
    left out, and so are "of", "the", "and" and the like: "J Clin Virol" is
    "Journal of Clinical Virology : the official publication of ...".
    """
    text = _BRACKETED.sub(" ", _fold(journal).replace("&", " and ").replace("'", ""))
    names = []
    for name in _JOURNAL_ALTERNATIVES.split(text.split(":", 1)[0]):
        words = tuple(
            word for word in _NOT_WORD.sub(" ", name).split() if word not in _JOURNAL_STOP
        )
        if words:
            names.append(words)
    return tuple(names)


def _same_journal(a: tuple[tuple[str, ...], ...], b: tuple[tuple[str, ...], ...]) -> bool | None:
    if not a or not b:
        return None
    return any(_same_journal_name(x, y) for x in a for y in b)


def _same_journal_name(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two journal names can be one journal, one or both abbreviated.

    Lenient, as it serves to tell journals apart: "N Engl J Med" is "New England
    Journal of Medicine", "JAMA" the "Journal of the American Medical
    Association", and a name is the same as a run of words of a longer one
    ("Pediatric Nephrology" and "Pediatric Nephrology Conference", "Journal of
    the National Comprehensive Cancer Network" and "JNCCN Journal of ...").
    """
    if a == b or "".join(a) == "".join(b):
        return True
    short, long = sorted((a, b), key=len)
    initials = "".join(word[0] for word in long)
    if len(short) == 1 and len(long) > 1 and len(short[0]) >= 3 and initials.startswith(short[0]):
        return True  # an acronym
    return any(
        all(
            _abbreviates(x, y) or _abbreviates(y, x)
            for x, y in zip(short, long[start : start + len(short)], strict=True)
        )
        for start in range(len(long) - len(short) + 1)
    )


def _abbreviates(short: str, full: str) -> bool:
    """'engl' and 'england', 'natl' and 'national': same first letter, then a subsequence."""
    if short == full:
        return True
    if not short or len(short) >= len(full) or short[0] != full[0]:
        return False
    letters = iter(full)
    return all(letter in letters for letter in short)


# --- grouping --------------------------------------------------------------


def _group(
    prepared: list[_Prepared],
    auto: list[tuple[int, int, DuplicatePair]],
    review: dict[tuple[int, int], DuplicatePair],
    distinct: set[frozenset],
    is_new: list[bool] | None,
    rules: frozenset[str] = frozenset(NEVER_MERGE_RULES),
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
        if "different DOIs" in rules and len(left[1] | right[1]) > 1:
            return "would join different DOIs"
        if "different PMIDs" in rules and len(left[2] | right[2]) > 1:
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

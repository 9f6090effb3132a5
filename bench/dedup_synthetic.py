"""Synthetic de-duplication sets with a known truth, built from real records.

Real benchmark sets stop at a couple of thousand records; an import can hold
100,000. To measure cost and accuracy at that size we make works and copies:

- works: the distinct works of the real sets as they are, then "siblings" of
  them: the same vocabulary and shape, a third of the title words replaced,
  other authors, year, volume and pages. Some siblings keep the authors and
  year of their model, the hard case of one group writing similar papers.
- copies: about one work in three gets one to three copies, each perturbed as
  databases do: case, a typo or two, a trailing full stop, markup, authors
  written "Last, F.", "Last F" or "F. Last" or cut to three, pages as
  "123-9", fields missing (DOI, PMID, year, volume, issue, pages), and now
  and then a year one off (online-first vs print).
- kinds (`kinds_set`): pairs planted among such a background, one kind each,
  modelled on what real exports do, each labelled as one work or deliberately
  not (an erratum beside its article, two different DOIs): see `KINDS`.

The truth is the set of copies of each work. Everything is drawn from one
seeded random generator, so a size and a seed always give the same set.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass, replace

from screening.dedup import DedupRecord


@dataclass(frozen=True, slots=True)
class Work:
    title: str
    authors: tuple[str, ...]  # "Last, Given" as in the real sets
    year: int | None
    journal: str
    volume: str
    issue: str
    pages: str
    doi: str
    pmid: str


def works_from_real(records: list[DedupRecord], truth: list[list]) -> list[Work]:
    """One work per real entity: the first record of each true group, and every singleton."""
    in_group = {record_id for group in truth for record_id in group}
    first_of_group = {group[0] for group in truth}
    return [
        Work(r.title, r.authors, r.year, r.journal, r.volume, r.issue, r.pages, r.doi, r.pmid)
        for r in records
        if r.title and (r.id not in in_group or r.id in first_of_group)
    ]


def synthetic_set(
    real_works: list[Work], size: int, seed: int = 1
) -> tuple[list[DedupRecord], list[list[str]]]:
    """About `size` records and the true duplicate groups (ids as strings)."""
    rng = random.Random(seed)
    vocabulary = sorted(
        {word for work in real_works for word in work.title.split() if len(word) > 3}
    )
    records: list[DedupRecord] = []
    truth: list[list[str]] = []
    work_number = 0
    while len(records) < size:
        model = real_works[work_number % len(real_works)]
        if work_number < len(real_works):
            work = model
        else:
            work = _sibling(model, rng.choice(real_works), vocabulary, rng)
        work = replace(
            work,
            doi=work.doi or (f"10.9999/syn.{work_number}" if rng.random() < 0.5 else ""),
            pmid=work.pmid or (str(30_000_000 + work_number) if rng.random() < 0.4 else ""),
        )
        copies = rng.choices([0, 1, 2, 3], weights=[65, 25, 8, 2])[0]
        ids = []
        for copy_number in range(copies + 1):
            record_id = f"w{work_number}c{copy_number}"
            ids.append(record_id)
            shown = work if copy_number == 0 else _perturb(work, rng)
            records.append(_record(record_id, shown))
        if len(ids) > 1:
            truth.append(ids)
        work_number += 1
    return records, truth


def _record(record_id: str, work: Work) -> DedupRecord:
    return DedupRecord(
        id=record_id,
        title=work.title,
        authors=work.authors,
        year=work.year,
        journal=work.journal,
        volume=work.volume,
        issue=work.issue,
        pages=work.pages,
        doi=work.doi,
        pmid=work.pmid,
    )


def _sibling(model: Work, other: Work, vocabulary: list[str], rng: random.Random) -> Work:
    words = model.title.split()
    for position in rng.sample(range(len(words)), k=min(len(words), max(2, len(words) // 3))):
        words[position] = rng.choice(vocabulary)
    same_group = rng.random() < 0.1
    first_page = rng.randint(1, 2000)
    return Work(
        title=" ".join(words),
        authors=model.authors if same_group else other.authors,
        year=model.year if same_group else rng.randint(1985, 2023),
        journal=other.journal,
        volume=str(rng.randint(1, 200)),
        issue=str(rng.randint(1, 12)) if rng.random() < 0.7 else "",
        pages=f"{first_page}-{first_page + rng.randint(3, 15)}",
        doi="",
        pmid="",
    )


def _perturb(work: Work, rng: random.Random) -> Work:
    title = work.title
    roll = rng.random()
    if roll < 0.15:
        title = title.upper()
    elif roll < 0.3:
        title = title.lower()
    if rng.random() < 0.3:
        for _ in range(rng.choice([1, 1, 2])):
            title = _typo(title, rng)
    if rng.random() < 0.3:
        title = title[:-1] if title.endswith(".") else title + "."
    if rng.random() < 0.05:
        words = title.split()
        position = rng.randrange(len(words))
        words[position] = f"<i>{words[position]}</i>"
        title = " ".join(words)
    if rng.random() < 0.1:
        title = title.replace(": ", " - ")

    authors = work.authors
    if authors and rng.random() < 0.5:
        style = rng.choice([_last_initials, _initials_last, _last_comma_initials])
        authors = tuple(style(author) for author in authors)
    if len(authors) > 3 and rng.random() < 0.1:
        authors = authors[:3]

    year = work.year
    if year and rng.random() < 0.05:
        year += rng.choice([-1, 1])
    pages = work.pages
    match = re.fullmatch(r"(\d+)-(\d+)", pages or "")
    if match and len(match[1]) == len(match[2]) and rng.random() < 0.3:
        start, end = match[1], match[2]
        common = next((i for i in range(len(start)) if start[i] != end[i]), len(start))
        if common < len(end):
            pages = f"{start}-{end[common:]}"  # "123-129" -> "123-9"

    def keep(value, chance):
        return value if rng.random() >= chance else type(value)()

    return Work(
        title=title,
        authors=keep(authors, 0.03),
        year=year if rng.random() >= 0.05 else None,
        journal=keep(work.journal, 0.05),
        volume=keep(work.volume, 0.1),
        issue=keep(work.issue, 0.2),
        pages=keep(pages, 0.1),
        doi=keep(work.doi, 0.3),
        pmid=keep(work.pmid, 0.4),
    )


def _typo(text: str, rng: random.Random) -> str:
    letters = [i for i, char in enumerate(text) if char.isalpha()]
    if not letters:
        return text
    i = rng.choice(letters)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + text[i + 1 :]


def _split(author: str) -> tuple[str, str]:
    last, _, given = author.partition(",")
    initials = "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part)
    return last.strip(), initials.upper()


def _last_initials(author: str) -> str:  # "Zuna RE" (MEDLINE)
    last, initials = _split(author)
    return f"{last} {initials}".strip()


def _initials_last(author: str) -> str:  # "R. E. Zuna"
    last, initials = _split(author)
    return " ".join([*(f"{letter}." for letter in initials), last])


def _last_comma_initials(author: str) -> str:  # "Zuna, R.E."
    last, initials = _split(author)
    return f"{last}, {''.join(f'{letter}.' for letter in initials)}" if initials else last


# --- perturbation kinds modelled on real exports ------------------------------
#
# Each kind turns one work into two records, and says whether they are the same
# work (True) or deliberately NOT (False: an erratum beside its article, two
# different DOIs). `kinds_set` plants pairs of every kind among a background of
# ordinary works and copies, so a matcher has to find them in a crowd.

# Subtitles that databases keep or drop, written as real titles carry them.
_SUBTITLES = (
    "a randomised controlled trial", "a systematic review and meta-analysis",
    "a prospective cohort study", "results of a multicentre study", "a pilot study",
    "a population-based study", "a retrospective analysis", "preliminary results",
    "a cross-sectional survey", "an observational study",
)  # fmt: skip
_SYLLABLES = (
    "ka", "lo", "vi", "ren", "sta", "mu", "dor", "be", "gel", "fa", "tiø", "nå", "sk",
    "und", "ter", "læ", "ing", "sj", "ho", "pe", "ri", "ck", "zu", "ver",
)  # fmt: skip


def _foreign(title: str) -> str:
    """A made-up 'original-language' title: each word mapped, always the same way."""
    words = []
    for word in re.findall(r"\w+", title.lower()):
        code = zlib.crc32(word.encode())
        syllables = [_SYLLABLES[(code >> (5 * i)) % len(_SYLLABLES)] for i in range(2 + code % 2)]
        words.append("".join(syllables))
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _doi(rng: random.Random, prefix: str = "10.1016") -> str:
    return f"{prefix}/j.syn.{rng.randint(1000, 9999)}.{rng.randint(100000, 999999)}"


def _other_pages(pages: str, rng: random.Random) -> str:
    first = rng.randint(1, 900)
    return f"{first}-{first + rng.randint(2, 12)}" if pages else ""


def _with_authors(work: Work, style) -> Work:
    return replace(work, authors=tuple(style(author) for author in work.authors))


def _kind_translated(work: Work, rng: random.Random) -> tuple[Work, Work]:
    # MEDLINE / Embase: the English title with the original in brackets; the
    # other database gives the original title alone.
    original = _foreign(work.title)
    english = replace(work, title=f"{work.title.rstrip('.')} [{original}]", doi="")
    if rng.random() < 0.5:
        english = replace(english, title=f"{work.title.rstrip('.')}. [{original}].")
    return english, replace(work, title=original, doi="", pages=rng.choice([work.pages, ""]))


def _kind_subtitle_dropped(work: Work, rng: random.Random) -> tuple[Work, Work]:
    main, colon, subtitle = work.title.partition(": ")
    if not colon:
        main, subtitle = work.title.rstrip("."), rng.choice(_SUBTITLES)
    full = replace(work, title=f"{main}: {subtitle}", doi="")
    return full, replace(work, title=main, doi="", pages=rng.choice([work.pages, ""]))


def _kind_subtitle_dash(work: Work, rng: random.Random) -> tuple[Work, Work]:
    main, colon, subtitle = work.title.partition(": ")
    if not colon:
        main, subtitle = work.title.rstrip("."), rng.choice(_SUBTITLES)
    dash = rng.choice([" - ", " -- ", "-", " \u2013 "])
    return replace(work, title=f"{main}: {subtitle}"), replace(
        work, title=f"{main}{dash}{subtitle}", doi=""
    )


def _kind_doi_one_side(work: Work, rng: random.Random) -> tuple[Work, Work]:
    with_doi = replace(work, doi=work.doi or _doi(rng))
    return with_doi, _perturb(replace(work, doi=""), rng)


def _kind_wrong_doi(work: Work, rng: random.Random) -> tuple[Work, Work]:
    # One database has a DOI with a typo or of another item: the truth calls
    # them one work, our rule leaves two different DOIs to a person.
    doi = work.doi or _doi(rng)
    return replace(work, doi=doi), replace(work, doi=doi[:-1] + str((int(doi[-1]) + 1) % 10))


def _kind_pages_style(work: Work, rng: random.Random) -> tuple[Work, Work]:
    first = rng.randint(100, 989)
    last = first + rng.randint(2, 9)
    full = f"{first}-{last}"
    other = rng.choice(
        [f"{first}-{str(last)[-1]}", f"e{first}", f"{first}", f"{first}\u2013{last}"]
    )
    return replace(work, pages=full, doi=""), replace(work, pages=other, doi="")


def _kind_no_doi_pages_differ(work: Work, rng: random.Random) -> tuple[Work, Work]:
    # Same title, journal and year, no DOI; pages missing on one side, or an
    # abstract number on one side and a page on the other.
    first = rng.randint(10, 900)
    one = replace(work, doi="", pmid="", pages=f"{first}-{first + rng.randint(3, 12)}")
    other_pages = rng.choice(["", "", str(rng.randint(1, 400)), f"S{rng.randint(1, 400)}"])
    other = replace(
        work, doi="", pmid="", pages=other_pages, volume=rng.choice([work.volume, ""]), issue=""
    )
    return one, other


def _kind_initials(work: Work, rng: random.Random) -> tuple[Work, Work]:
    style = rng.choice([_last_initials, _initials_last, _last_comma_initials])
    return replace(work, doi=""), replace(_with_authors(work, style), doi="")


def _kind_entities(work: Work, rng: random.Random) -> tuple[Work, Work]:
    words = work.title.split()
    position = rng.randrange(len(words))
    marked = rng.choice(
        [
            f"<i>{words[position]}</i>",
            f"\\textit{{{words[position]}}}",
            f"{{{words[position]}}}",
            f"<sup>{words[position]}</sup>",
        ]
    )
    words[position] = marked
    title = " ".join(words).replace(" and ", rng.choice([" &amp; ", " & ", " \\& "]))
    title = title.replace("beta", "&#946;").replace("alpha", "{$\\alpha$}")
    return replace(work, doi=""), replace(work, title=title, doi="")


def _kind_non_latin(work: Work, rng: random.Random) -> tuple[Work, Work]:
    # Greek letters written out or as letters, names with diacritics or transliterated.
    title = work.title
    greek = rng.choice([("beta", "\u03b2"), ("alpha", "\u03b1"), ("gamma", "\u03b3")])
    title = f"{greek[1]}-Adrenergic {title[:1].lower()}{title[1:]}"
    plain = f"{greek[0]}-Adrenergic {work.title[:1].lower()}{work.title[1:]}"
    names = [
        ("M\u00fcller", "Mueller"), ("Sch\u00f6n", "Schoen"), ("J\u00f8rgensen", "Jorgensen"),
        ("Garc\u00eda", "Garcia"), ("\u00c5berg", "Aberg"),
    ]  # fmt: skip
    accented, transliterated = rng.choice(names)
    authors = work.authors or ("Smith, J.",)
    return (
        replace(work, title=title, authors=(f"{accented}, K.", *authors[1:]), doi=""),
        replace(work, title=plain, authors=(f"{transliterated}, K.", *authors[1:]), doi=""),
    )


def _kind_preprint(work: Work, rng: random.Random) -> tuple[Work, Work]:
    # A preprint (medRxiv, no volume or pages, a year earlier) beside its publication.
    preprint = replace(
        work,
        journal=rng.choice(["medRxiv", "bioRxiv", "Research Square"]),
        volume="",
        issue="",
        pages="",
        doi="",
        pmid="",
        year=(work.year - 1) if work.year and rng.random() < 0.5 else work.year,
    )
    return replace(work, doi=work.doi or _doi(rng)), preprint


def _kind_proceedings_year(work: Work, rng: random.Random) -> tuple[Work, Work]:
    # A proceedings paper: the meeting's year in one database, the volume's in another.
    year = work.year or 2015
    journal = f"Proceedings of the {rng.randint(10, 40)}th Annual Meeting of {work.journal}"
    paper = replace(work, journal=journal, volume="", issue="", doi="", pmid="", year=year)
    return paper, replace(paper, year=year + 1, pages=rng.choice([paper.pages, ""]))


# Deliberately NOT duplicates.


def _kind_erratum(work: Work, rng: random.Random) -> tuple[Work, Work]:
    prefix = rng.choice(["Erratum: ", "Correction to: ", "Corrigendum to \u201c", "Erratum to: "])
    title = prefix + work.title.rstrip(".") + ("\u201d" if "\u201c" in prefix else "")
    notice = replace(work, title=title, pages=str(rng.randint(1, 999)), doi="", pmid="")
    return replace(work, doi=""), notice


def _kind_retraction(work: Work, rng: random.Random) -> tuple[Work, Work]:
    prefix = rng.choice(["Retraction: ", "Notice of retraction: ", "Retraction notice to \u201c"])
    title = prefix + work.title.rstrip(".") + ("\u201d" if "\u201c" in prefix else "")
    notice = replace(work, title=title, pages=str(rng.randint(1, 999)), doi="", pmid="")
    return replace(work, doi=""), notice


def _kind_two_dois(work: Work, rng: random.Random) -> tuple[Work, Work]:
    # One title, two items with their own DOIs: a guideline printed in two
    # journals, a report and its update. Not merged without a person.
    return replace(work, doi=_doi(rng)), replace(
        _perturb(work, rng), doi=_doi(rng, "10.1097"), pages=_other_pages(work.pages, rng)
    )


def _kind_conference_abstract(work: Work, rng: random.Random) -> tuple[Work, Work]:
    # The meeting abstract (a supplement, one page, a year earlier) and the
    # full article: one study, two items; the app keeps them apart.
    year = work.year or 2015
    abstract = replace(
        work,
        journal=work.journal,
        volume=str(rng.randint(1, 90)),
        issue="Suppl 1",
        pages=f"S{rng.randint(1, 400)}",
        year=year - 1,
        doi="",
        pmid="",
    )
    return replace(work, doi=""), abstract


# kind -> (make, the two records are one work)
KINDS = {
    "translated title": (_kind_translated, True),
    "subtitle dropped": (_kind_subtitle_dropped, True),
    "subtitle dash vs colon": (_kind_subtitle_dash, True),
    "DOI on one record": (_kind_doi_one_side, True),
    "wrong DOI": (_kind_wrong_doi, True),
    "page styles": (_kind_pages_style, True),
    "no DOI, pages differ or missing": (_kind_no_doi_pages_differ, True),
    "initials vs full names": (_kind_initials, True),
    "HTML/LaTeX entities": (_kind_entities, True),
    "non-Latin letters": (_kind_non_latin, True),
    "preprint vs publication": (_kind_preprint, True),
    "proceedings year off by one": (_kind_proceedings_year, True),
    "erratum vs article": (_kind_erratum, False),
    "retraction vs article": (_kind_retraction, False),
    "two different DOIs": (_kind_two_dois, False),
    "conference abstract vs article": (_kind_conference_abstract, False),
}


def kinds_set(
    real_works: list[Work], size: int = 4000, per_kind: int = 40, seed: int = 7
) -> tuple[list[DedupRecord], list[list[str]], dict[str, list[tuple[str, str, bool]]]]:
    """A background synthetic set plus `per_kind` planted pairs of every kind.

    Returns the records, the true duplicate groups (for record-level scoring,
    as the real sets) and, per kind, its pairs as (id, id, same work). The
    planted pairs use works the background does not, so their only twin is
    the planted one.
    """
    rng = random.Random(seed)
    order = list(real_works)
    rng.shuffle(order)
    needed = per_kind * len(KINDS)
    usable = [index for index, work in enumerate(order) if len(work.title.split()) >= 4]
    if len(usable) < needed:
        raise ValueError(f"need {needed} works of four words or more, have {len(usable)}")
    planted = set(usable[:needed])
    models = iter([order[index] for index in usable[:needed]])
    background = [work for index, work in enumerate(order) if index not in planted]
    records, truth = synthetic_set(background, size, seed=seed)
    pairs: dict[str, list[tuple[str, str, bool]]] = {}
    for number, (kind, (make, same)) in enumerate(KINDS.items()):
        pairs[kind] = []
        for n in range(per_kind):
            one, other = make(next(models), rng)
            ids = (f"k{number}n{n}a", f"k{number}n{n}b")
            records += [_record(ids[0], one), _record(ids[1], other)]
            pairs[kind].append((*ids, same))
            if same:
                truth.append(list(ids))
    return records, truth, pairs

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

The truth is the set of copies of each work. Everything is drawn from one
seeded random generator, so a size and a seed always give the same set.
"""

from __future__ import annotations

import random
import re
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

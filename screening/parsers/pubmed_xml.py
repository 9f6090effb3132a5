"""PubMed XML (efetch `retmode=xml`, PubMed's "Save: XML"): PubmedArticle and PubmedBookArticle."""

from collections.abc import Iterator
from pathlib import Path

from screening.bibrecord import ParsedRecord, normalise_doi

from .errors import ParseError, ParseWarning
from .fields import first_year, page_range
from .xmltools import flatten, iter_records, text_of

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle")


def read_pubmed_xml(
    path: Path, filename: str, encoding: str | None, warnings: list[ParseWarning] | None = None
) -> Iterator[ParsedRecord]:
    found = False
    for element in iter_records(path, filename, _RECORD_TAGS, encoding):
        found = True
        yield pubmed_record(element, filename, warnings)
    if not found:
        raise ParseError(filename, "no PubMed records found: no <PubmedArticle> element.")


def pubmed_record(
    element, filename: str = "", warnings: list[ParseWarning] | None = None
) -> ParsedRecord:
    # Journal articles keep their data in MedlineCitation/Article, books in BookDocument.
    article = element.find("MedlineCitation/Article")
    if article is None:
        article = element.find("BookDocument")
    if article is None:
        article = element
    journal_issue = article.find("Journal/JournalIssue")
    pub_date = journal_issue.find("PubDate") if journal_issue is not None else None
    return ParsedRecord(
        title=text_of(article.find("ArticleTitle"))
        or text_of(article.find("Book/BookTitle"))
        or text_of(article.find("VernacularTitle")),
        abstract=_abstract(article),
        authors=_authors(article),
        year=first_year(
            text_of(pub_date.find("Year")) if pub_date is not None else "",
            text_of(pub_date.find("MedlineDate")) if pub_date is not None else "",
            text_of(article.find("ArticleDate/Year")),
            text_of(article.find("Book/PubDate/Year")),
        ),
        journal=text_of(article.find("Journal/Title"))
        or text_of(article.find("Journal/ISOAbbreviation")),
        volume=text_of(journal_issue.find("Volume")) if journal_issue is not None else "",
        issue=text_of(journal_issue.find("Issue")) if journal_issue is not None else "",
        pages=_pages(article),
        doi=_doi(element, article),
        pmid=text_of(element.find("MedlineCitation/PMID"))
        or text_of(element.find("BookDocument/PMID")),
        keywords=[text_of(term) for term in element.iterfind(".//MeshHeading/DescriptorName")]
        + [text_of(keyword) for keyword in element.iterfind(".//KeywordList/Keyword")],
        language=text_of(article.find("Language")),
        publication_type=text_of(article.find("PublicationTypeList/PublicationType")),
        raw=flatten(element, filename, warnings),
        line=element.sourceline or 0,
    )


def _abstract(article) -> str:
    parts = []
    for section in article.iterfind("Abstract/AbstractText"):
        label = section.get("Label")
        text = text_of(section)
        parts.append(f"{label}: {text}" if label and text else text)
    return "\n".join(part for part in parts if part)


def _authors(article) -> list[str]:
    names = []
    for author in article.iterfind("AuthorList/Author"):
        last = text_of(author.find("LastName"))
        given = text_of(author.find("ForeName")) or text_of(author.find("Initials"))
        name = (
            f"{last}, {given}" if last and given else last or text_of(author.find("CollectiveName"))
        )
        if name:
            names.append(name)
    return names


def _pages(article) -> str:
    medline_pages = text_of(article.find("Pagination/MedlinePgn"))
    if medline_pages:
        return page_range(medline_pages)
    return page_range(
        text_of(article.find("Pagination/StartPage")), text_of(article.find("Pagination/EndPage"))
    )


def _doi(element, article) -> str:
    for article_id in element.iterfind("PubmedData/ArticleIdList/ArticleId"):
        if article_id.get("IdType") == "doi":
            return normalise_doi(text_of(article_id))
    for location in article.iterfind("ELocationID"):
        if location.get("EIdType") == "doi":
            return normalise_doi(text_of(location))
    return ""

"""The four lists of a record's fields are one: ParsedRecord's (screening.bibrecord)."""

from dataclasses import fields

from django.db.models import NOT_PROVIDED

from screening.api.serializers import RecordSerializer
from screening.bibrecord import DEDUP_COMPARED_FIELDS, RECORD_FIELDS, ParsedRecord
from screening.dedup import DedupRecord
from screening.models import Record
from screening.parsers import CSV_FIELDS
from screening.services.duplicates import DEDUP_FIELDS
from screening.services.imports import COPY_COLUMNS

PARSED = [item.name for item in fields(ParsedRecord)]


def test_record_fields_are_parsed_records_fields_but_the_file_s_own():
    assert [*RECORD_FIELDS, "raw", "line"] == PARSED


def test_csv_mapping_fields_are_the_record_fields():
    assert list(RECORD_FIELDS) == CSV_FIELDS


def test_copy_columns_hold_the_record_fields_in_order_and_are_record_columns():
    assert COPY_COLUMNS[4 : 4 + len(RECORD_FIELDS)] == list(RECORD_FIELDS)
    columns = {field.column for field in Record._meta.concrete_fields}
    assert set(COPY_COLUMNS) <= columns


def test_copy_columns_hold_every_column_that_needs_a_value():
    # COPY bypasses the model's defaults: a NOT NULL column it leaves out fails every import
    # on PostgreSQL (the record version did, while SQLite's bulk_create filled it).
    needed = {
        field.column
        for field in Record._meta.concrete_fields
        if not field.null and not field.primary_key and field.db_default is NOT_PROVIDED
    }
    assert needed <= set(COPY_COLUMNS)


def test_duplicate_comparison_reads_the_fields_dedup_record_holds():
    assert ["id", *DEDUP_COMPARED_FIELDS] == DEDUP_FIELDS
    assert [item.name for item in fields(DedupRecord)] == DEDUP_FIELDS
    assert set(DEDUP_COMPARED_FIELDS) <= set(RECORD_FIELDS)


def test_api_record_has_every_record_field():
    names = RecordSerializer.Meta.fields
    start = names.index(RECORD_FIELDS[0])
    assert names[start : start + len(RECORD_FIELDS)] == list(RECORD_FIELDS)

"""Screening pages, one module per part of the work: imports and duplicates,
screening stages and decisions."""

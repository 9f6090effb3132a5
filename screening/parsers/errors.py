"""What the importers report: ParseError for a file they cannot read, ParseWarning for
a file they read with a repair the user should hear about."""

from dataclasses import dataclass


def _place(filename: str, line: int | None, field: str | None) -> str:
    place = filename
    if line is not None:
        place += f", line {line}"
    if field is not None:
        place += f", field {field}"
    return place


class ParseError(Exception):
    """A file that cannot be read as a bibliographic export, with where and why.

    `str(error)` is meant for the person who uploaded the file, e.g.
    "scopus.ris, line 120, field PY: year 'abcd' is not a number".
    """

    def __init__(
        self, filename: str, reason: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.filename = filename
        self.line = line
        self.field = field
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{_place(self.filename, self.line, self.field)}: {self.reason}"

    def __reduce__(self):
        # Keyword-only arguments need this to survive pickling (Celery results, multiprocessing).
        return _rebuild, (self.filename, self.reason, self.line, self.field)


def _rebuild(filename: str, reason: str, line: int | None, field: str | None) -> ParseError:
    return ParseError(filename, reason, line=line, field=field)


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something read with a repair: a record cut short, a value shortened, a line re-decoded.

    The records are still yielded; the warning says what was changed and where, in the
    same words as a ParseError: "scopus.ris, line 120, field AB: ...". Readers append
    them to the `warnings` list the caller hands to `parse_file`; a list is complete
    once the record stream is exhausted.
    """

    filename: str
    reason: str
    line: int | None = None
    field: str | None = None
    # Set when a whole entry (a record, or a line between records) was read with a repair
    # or left out: the entry's number in the file, what was done (REPAIRED or SKIPPED) and
    # the entry's key where it has one. An import with such a warning waits for the user
    # to confirm it (`screening.services.imports.import_job_confirm`).
    entry: int | None = None
    action: str = ""
    key: str = ""

    def __str__(self) -> str:
        if not self.action:
            return f"{_place(self.filename, self.line, self.field)}: {self.reason}"
        where = self.filename
        if self.entry is not None:
            where += f", entry {self.entry}"
            if self.line is not None:
                where += f" (line {self.line}" + (f", key {self.key})" if self.key else ")")
        elif self.line is not None:
            where += f", line {self.line}"
        return f"{where}: {self.action}: {self.reason}"

    @property
    def changes_entries(self) -> bool:
        """Whether an entry was repaired or left out (the user confirms such an import)."""
        return self.action in {REPAIRED, SKIPPED}


REPAIRED = "repaired"
SKIPPED = "skipped"


# Warnings listed per file; a hostile file could otherwise produce one per line. The last
# one kept says how many more there were.
WARNINGS_LISTED = 100


def warn(
    warnings: list[ParseWarning] | None,
    filename: str,
    reason: str,
    *,
    line: int | None = None,
    field: str | None = None,
    entry: int | None = None,
    action: str = "",
    key: str = "",
) -> None:
    """Add a warning to the caller's list (nothing when the caller passed none)."""
    if warnings is None:
        return
    if len(warnings) < WARNINGS_LISTED:
        warnings.append(
            ParseWarning(
                filename, reason, line=line, field=field, entry=entry, action=action, key=key
            )
        )
    elif len(warnings) == WARNINGS_LISTED:
        warnings.append(
            ParseWarning(
                filename,
                "more warnings like the ones above were left out.",
                action=SKIPPED if action else "",
            )
        )
    elif action and not warnings[-1].action:
        # The list is full, but the user must still hear that entries were changed:
        # the closing note says so, and keeps the import waiting for confirmation.
        warnings[-1] = ParseWarning(
            filename,
            "more warnings like the ones above were left out, among them entries that "
            "were repaired or skipped.",
            action=SKIPPED,
        )

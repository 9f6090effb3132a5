"""The one error type the importers raise for files they cannot read."""


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
        place = self.filename
        if self.line is not None:
            place += f", line {self.line}"
        if self.field is not None:
            place += f", field {self.field}"
        return f"{place}: {self.reason}"

    def __reduce__(self):
        # Keyword-only arguments need this to survive pickling (Celery results, multiprocessing).
        return _rebuild, (self.filename, self.reason, self.line, self.field)


def _rebuild(filename: str, reason: str, line: int | None, field: str | None) -> ParseError:
    return ParseError(filename, reason, line=line, field=field)

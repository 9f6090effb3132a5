"""Text that a spreadsheet must never run as a formula."""

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets; record titles and abstracts come from databases nobody here controls.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value, with text that would start a formula prefixed by an apostrophe (OWASP's
    advice for CSV injection); numbers and other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value

"""Every CSV and XLSX the application writes goes through here: text that a spreadsheet would
run as a formula is neutralised. Record titles, source and stage names, exclusion reasons and
people's names come from databases and users nobody here controls (OWASP: CSV injection).
No Django here: the report's pure writers use it too."""

import csv

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value, with text that would start a formula prefixed by an apostrophe; numbers
    and other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose every cell is neutralised."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row):
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose every cell is neutralised (the header row too)."""

    def writerow(self, rowdict):
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        # DictWriter.writerows bypasses writerow: every row goes through it here.
        for rowdict in rowdicts:
            self.writerow(rowdict)

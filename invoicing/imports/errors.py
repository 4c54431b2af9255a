from __future__ import annotations

from invoicing.errors import ValidationError


class ImportFileError(ValidationError):
    """The file as a whole cannot be imported: unreadable, wrong format, missing or unknown columns."""

    code = "IMPORT_FILE_INVALID"


class ImportRowsInvalid(ValidationError):
    """Some rows are invalid, so nothing was imported (unless invalid rows were to be skipped)."""

    code = "IMPORT_ROWS_INVALID"

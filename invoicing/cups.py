"""CUPS (Código Universal del Punto de Suministro), the Spanish supply point code.

ES + 16 digits + 2 check letters, optionally a border-point digit and a letter in FPRCXYZ.
Check letters: r = int(16 digits) mod 529; q, s = divmod(r, 23); letters = T[q] + T[s].
The database enforces the same rule with the SQL function `invoicing_cups_is_valid`.
"""

from __future__ import annotations

import re

CHECK_TABLE = "TRWAGMYFPDXBNJZSQVHLCKE"
BORDER_POINT_LETTERS = "FPRCXYZ"
# ASCII digits only: int() would also read other scripts' digits, which the SQL function refuses.
_PATTERN = re.compile(rf"ES([0-9]{{16}})([A-Z]{{2}})(?:[0-9][{BORDER_POINT_LETTERS}])?")
# What `cups_from_input` reads, as a regular expression (ECMA-262 and Python alike; anchor it to use it).
CUPS_INPUT_PATTERN = r"[Ee][Ss][0-9]{16}[A-Za-z]{2}(?:[0-9][FfPpRrCcXxYyZz])?"
CUPS_SHAPE_MESSAGE = (
    "Not a CUPS: expected ES, 16 digits and 2 check letters, optionally followed by a border-point digit "
    f"and one of {', '.join(BORDER_POINT_LETTERS)}."
)


def normalize_cups(value: str) -> str:
    """Upper-case and strip spaces, as CUPS are stored."""
    return re.sub(r"\s+", "", value).upper()


def cups_check_letters(digits: str) -> str:
    quotient, remainder = divmod(int(digits) % 529, 23)
    return CHECK_TABLE[quotient] + CHECK_TABLE[remainder]


def cups_error(value: str) -> str | None:
    """Why a normalised CUPS is not valid (its shape, or check letters that do not match its digits), or None."""
    match = _PATTERN.fullmatch(value)
    if match is None:
        return CUPS_SHAPE_MESSAGE
    digits, letters = match.group(1), match.group(2)
    if cups_check_letters(digits) != letters:
        return f"Wrong check letters: {letters} do not match the digits {digits} (a typo in either?)."
    return None


def cups_from_input(text: str) -> str:
    """A CUPS as an API client types it (any case, no spaces), upper-cased; ValueError saying why it
    is not valid (`cups_error`)."""
    value = text.upper() if text.isascii() else text  # some non-ASCII letters upper-case to ASCII ones
    problem = cups_error(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def is_valid_cups(value: str) -> bool:
    """True for a normalised CUPS whose check letters match its digits."""
    return cups_error(value) is None


def cups_base(value: str) -> str:
    """The 20-character base, without the optional border-point suffix."""
    return value[:20]


# Installed by migration invoicing.0001; mirrors is_valid_cups() above.
SQL_CREATE_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION invoicing_cups_is_valid(value text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT value ~ '^ES[0-9]{16}[A-Z]{2}([0-9][FPRCXYZ])?$'
     AND substr(value, 19, 2) =
         substr('TRWAGMYFPDXBNJZSQVHLCKE', ((substr(value, 3, 16)::numeric % 529)::int / 23) + 1, 1)
      || substr('TRWAGMYFPDXBNJZSQVHLCKE', ((substr(value, 3, 16)::numeric % 529)::int % 23) + 1, 1)
$$;
CREATE OR REPLACE FUNCTION invoicing_cups_all_valid(values_ text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(bool_and(invoicing_cups_is_valid(v)), true) FROM unnest(values_) AS v
$$;
"""

SQL_DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS invoicing_cups_all_valid(text[]);
DROP FUNCTION IF EXISTS invoicing_cups_is_valid(text);
"""

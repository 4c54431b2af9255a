"""CUPS (Código Universal del Punto de Suministro), the Spanish supply point code.

ES + 16 digits + 2 check letters, optionally a border-point digit and a letter in FPRCXYZ.
Check letters: r = int(16 digits) mod 529; q, s = divmod(r, 23); letters = T[q] + T[s].
The database enforces the same rule with the SQL function `invoicing_cups_is_valid`.
"""

from __future__ import annotations

import re

CHECK_TABLE = "TRWAGMYFPDXBNJZSQVHLCKE"
INVALID_CUPS_MESSAGE = "Not a valid CUPS (ES + 16 digits + 2 check letters [+ border point])."
_PATTERN = re.compile(r"^ES(\d{16})([A-Z]{2})(\d[FPRCXYZ])?$")


def normalize_cups(value: str) -> str:
    """Upper-case and strip spaces, as CUPS are stored."""
    return re.sub(r"\s+", "", value).upper()


def cups_check_letters(digits: str) -> str:
    quotient, remainder = divmod(int(digits) % 529, 23)
    return CHECK_TABLE[quotient] + CHECK_TABLE[remainder]


def is_valid_cups(value: str) -> bool:
    """True for a normalised CUPS whose check letters match its digits."""
    match = _PATTERN.match(value)
    return match is not None and cups_check_letters(match.group(1)) == match.group(2)


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

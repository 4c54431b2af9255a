"""Country codes: ISO 3166-1 alpha-2, from the ISO data that pycountry ships (Debian's iso-codes).

The one place that says whether a country code exists: facility creation (and through it the API) and
`create_api_key` check with `country_error`; the API documents the same list in its schema.
"""

from __future__ import annotations

import pycountry

COUNTRY_CODES: frozenset[str] = frozenset(country.alpha_2 for country in pycountry.countries)


def _any_case_pattern(codes: frozenset[str]) -> str:
    by_first_letter: dict[str, list[str]] = {}
    for code in sorted(codes):
        by_first_letter.setdefault(code[0], []).append(code[1])
    return "|".join(
        f"[{first}{first.lower()}][{''.join(f'{second}{second.lower()}' for second in seconds)}]"
        for first, seconds in by_first_letter.items()
    )


# The codes in any case, as a regular expression (ECMA-262 and Python alike): `^(?:[Aa][DdEe…]|…)$`.
COUNTRY_INPUT_PATTERN = f"^(?:{_any_case_pattern(COUNTRY_CODES)})$"


def country_error(code: str) -> str | None:
    """Why `code` (already upper-cased) is not an ISO 3166-1 alpha-2 country code, or None if it is one."""
    if code in COUNTRY_CODES:
        return None
    return f"{code!r} is not an ISO 3166-1 alpha-2 country code such as ES, GB or FR."

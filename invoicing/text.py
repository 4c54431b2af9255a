"""Words that meet a count: `1 invoice`, `2 invoices`, `an electricity invoice`."""

from __future__ import annotations

from django.utils.translation import ngettext


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`1 invoice`, `0 invoices`, `1,234 invoices` (plural: singular + "s" unless given)."""
    return f"{count:,} {ngettext(singular, plural or f'{singular}s', count)}"


def with_article(noun_phrase: str) -> str:
    """`an electricity invoice`, `a heat invoice` (by the first letter's sound: a vowel takes `an`)."""
    return f"{'an' if noun_phrase[:1].lower() in 'aeiou' else 'a'} {noun_phrase}"

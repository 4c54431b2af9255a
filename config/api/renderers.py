"""JSON responses with decimals written exactly as stored: `1500`, `245.5`, never through a float."""

from __future__ import annotations

from typing import Any

import simplejson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder


class ExactJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, but a `Decimal` is written with its own digits (simplejson `use_decimal`).

    DRF's encoder turns a Decimal into a float: 12345678901234.123456 would be sent as
    12345678901234.123 and 0.1 + 0.2 summed by a client from floats already rounded once.
    Other types (UUID, dates, lazy strings) are encoded as DRF does.
    """

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        text = simplejson.dumps(
            data,
            use_decimal=True,
            default=JSONEncoder().default,
            ensure_ascii=self.ensure_ascii,
            allow_nan=not self.strict,
            separators=(",", ":"),
        )
        # Escaped as DRF does, so that the output stays a strict JavaScript subset.
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()

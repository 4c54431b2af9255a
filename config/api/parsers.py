"""Request body parsers of the API (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"])."""

from __future__ import annotations

import codecs
from decimal import Decimal
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, with numbers read exactly and nesting refused (400) past API_MAX_JSON_DEPTH.

    A JSON number with a fraction becomes a Decimal of the digits sent, never a float: 12345678901234.123456
    would otherwise be stored as 12345678901234.123 without a word. Python's json module recurses once
    per level: a few kilobytes of brackets would end in a RecursionError (a 500) there, or later in
    whatever walks the value. No API body needs more than a few levels.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.API_MAX_JSON_DEPTH
        too_deep = ParseError(f"JSON parse error - nested deeper than {limit} levels.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            value = json.loads(
                codecs.getreader(encoding)(stream).read(),
                parse_float=Decimal,
                parse_constant=json.strict_constant if self.strict else None,
            )
        except RecursionError:
            raise too_deep from None
        except ValueError as exc:  # not JSON, or not in the encoding
            raise ParseError(f"JSON parse error - {exc}") from None
        if nesting_depth(value, stop_after=limit) > limit:
            raise too_deep
        return value


def nesting_depth(value: Any, *, stop_after: int) -> int:
    """How many arrays/objects deep `value` nests (a scalar is 0, [[1]] is 2), counting no further
    than `stop_after` + 1. Walks level by level, without recursion."""
    depth = 0
    level = [value]
    while depth <= stop_after:
        containers = [item for item in level if isinstance(item, dict | list)]
        if not containers:
            break
        depth += 1
        level = [child for item in containers for child in (item.values() if isinstance(item, dict) else item)]
    return depth

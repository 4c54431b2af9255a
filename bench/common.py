from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Result:
    """One measured figure, with its target when the issue names one."""

    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None
    extra: dict[str, object] = field(default_factory=dict)

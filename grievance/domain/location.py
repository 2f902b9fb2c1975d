"""How precisely the public may see where a complaint came from.

A complaint about an official can put its author at risk, and a pin on a house finds them.
The public feed therefore never shows the point a platform sent (that stays with the handling
fund). It shows the place codes' names (commune, district, province) and, when a point was
sent, the centre of the 0.25° grid cell holding it: about 28 km by 28 km, some 760 km², seven
times the average Cambodian commune (181,035 km² / 1,652 communes ≈ 110 km²), so a
published point is never closer than the commune it lies in.

Pure functions: no Flask, no database.
"""

from __future__ import annotations

import math

GRID_DEGREES = 0.25


def coarsen(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    """The centre of the grid cell holding the point, rounded to the grid; None without a point."""
    if latitude is None or longitude is None:
        return None
    centre = GRID_DEGREES / 2

    def snap(value: float, limit: float) -> float:
        cell = math.floor(value / GRID_DEGREES) * GRID_DEGREES + centre
        return round(max(-limit, min(limit, cell)), 3)

    return snap(latitude, 90.0), snap(longitude, 180.0)

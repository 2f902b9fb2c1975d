"""The admin blueprint with every page attached: the app registers `bp` from here."""

from grievance.admin import (  # noqa: F401 - each module adds its pages to the blueprint
    calendar_views,
    categories_views,
    offices_views,
    organisations_views,
    replies_views,
    routing_views,
    service_levels_views,
    settings_views,
    users_views,
)
from grievance.admin.routes import bp

__all__ = ["bp"]

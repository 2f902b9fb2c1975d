"""Who may change settings: administrators only, checked in every admin service verb."""

from __future__ import annotations

from grievance.models import User


class AdminRefused(PermissionError):
    """The actor is not an administrator: nothing was changed."""


def require_admin(actor: User | None) -> None:
    """Refuse anyone but an active administrator; None is the operator at the console (flask CLI)."""
    if actor is None:
        return
    if actor.role != "admin" or not actor.active:
        raise AdminRefused(f"user {actor.id} is not an administrator")

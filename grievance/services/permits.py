"""The refusal every service raises when a role may not do what it was asked.

Permissions are `can_*` functions next to the rules they guard (cases/permissions.py,
monitoring/permissions.py, frontdesk/service.py, ...); each service verb calls `require` with
one of them before it changes anything, so a rule holds however the verb is reached — a page,
a form posted by hand, the API, the command line. The app answers a refusal with 403, or 404
where even the thing's existence must not be confirmed (create_app's error handlers).
"""

from __future__ import annotations


class NotPermitted(Exception):
    """`user` may not do `action`; nothing was done."""

    def __init__(self, action: str, user=None, *, hidden: bool = False) -> None:
        super().__init__(f"{getattr(user, 'role', 'nobody')} may not {action}")
        self.action = action
        self.user_id = getattr(user, "id", None)
        self.hidden = hidden


def require(allowed: bool, action: str, user, *, hidden: bool = False) -> None:
    """Raise NotPermitted unless `allowed` (hidden: answer as if the thing did not exist)."""
    if not allowed:
        raise NotPermitted(action, user, hidden=hidden)

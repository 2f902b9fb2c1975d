"""Factory functions for users and cases, through the real services."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

from grievance.auth.service import create_user
from grievance.extensions import db
from grievance.intake.service import Submission, submit, tracking_key

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


class Factory:
    def __init__(self, app) -> None:
        self.app = app
        self.key = tracking_key(app.config["SECRET_KEY"])

    def user(
        self,
        role: str,
        *,
        fund: str | None = "NSAF",
        org: str | None = "Test CSO",
        password: str = PASSWORD,
        office_id: int | None = None,
    ):
        n = next(_counter)
        user = create_user(
            f"{role}{n}@example.org",
            password,
            role,
            name=f"{role.title()} {n}",
            fund_code=fund if role in ("officer", "supervisor") else None,
            org_name=org if role == "monitor" else None,
            office_id=office_id,
        )
        db.session.commit()
        return user

    def case(
        self,
        category: str = "NSAF-CT-MISSING",
        *,
        now: datetime | None = None,
        commit: bool = True,
        **fields,
    ):
        """A case received at `now` (default: real now); returns (case, tracking_code)."""
        fields.setdefault("description", "ខ្ញុំមិនទាន់បានទទួលប្រាក់ឧបត្ថម្ភ។")
        fields.setdefault("province_code", "12")
        receipt = submit(
            Submission(category_code=category, **fields),
            key=self.key,
            now=now or datetime.now(timezone.utc),
        )
        if commit:
            db.session.commit()
        return receipt.case, receipt.tracking_code

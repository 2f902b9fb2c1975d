"""All models, imported so Alembic and the app see one metadata."""

from grievance.models import search_index  # noqa: F401 - the description search index, made with `cases`
from grievance.models.appeal import Appeal
from grievance.models.audit import ChainHead, Event
from grievance.models.case import (
    ApiSubmission,
    Attachment,
    Case,
    Complainant,
    ExtensionRequest,
    IdentityAlert,
    IdentityView,
    ReferenceCounter,
)
from grievance.models.draft import ChatLink, Draft, InboundMessage, PendingUpload
from grievance.models.figures import FigureSnapshot, FigureTouch
from grievance.models.incidents import CaseIncident, Incident
from grievance.models.monitoring import CaseFlag, CaseFlagNote, CaseFollow, MonitorScope
from grievance.models.org import ApiKey, Fund, Organisation
from grievance.models.outbox import OutboxMessage
from grievance.models.outreach import InfoPage, Office
from grievance.models.reference import Category, ClosureDay, RoutingRule, SlaPolicy
from grievance.models.reply import ReplyTemplate
from grievance.models.setting import Setting
from grievance.models.user import AccountToken, User

__all__ = [
    "Appeal",
    "CaseIncident",
    "Incident",
    "AccountToken",
    "ChatLink",
    "Draft",
    "InboundMessage",
    "PendingUpload",
    "CaseFlag",
    "CaseFlagNote",
    "CaseFollow",
    "InfoPage",
    "MonitorScope",
    "Office",
    "ApiKey",
    "ApiSubmission",
    "ExtensionRequest",
    "IdentityAlert",
    "IdentityView",
    "OutboxMessage",
    "Attachment",
    "Case",
    "Category",
    "ChainHead",
    "ClosureDay",
    "Complainant",
    "Event",
    "FigureSnapshot",
    "FigureTouch",
    "Fund",
    "Organisation",
    "ReferenceCounter",
    "ReplyTemplate",
    "RoutingRule",
    "Setting",
    "SlaPolicy",
    "User",
]

"""Reply texts for status checks by SMS, in the case's language: the reference and plain words only."""

from __future__ import annotations

STATUS = {
    "received": {
        "km": "{ref}៖ យើងបានទទួលពាក្យបណ្តឹងរបស់អ្នកហើយ។ មូលនិធិមិនទាន់ឆ្លើយតបនៅឡើយទេ។ មូលនិធិត្រូវឆ្លើយតបត្រឹមថ្ងៃ {due}។",
        "en": "{ref}: we have received your complaint. The fund has not answered yet. It must answer by {due}.",
    },
    "acknowledged": {
        "km": "{ref}៖ មូលនិធិបានឃើញពាក្យបណ្តឹងរបស់អ្នក ហើយនឹងពិនិត្យ។ មូលនិធិត្រូវឆ្លើយតបត្រឹមថ្ងៃ {due}។",
        "en": "{ref}: the fund has seen your complaint and will look into it. It must answer by {due}.",
    },
    "in_progress": {
        "km": "{ref}៖ មូលនិធិកំពុងដោះស្រាយពាក្យបណ្តឹងរបស់អ្នក។ មូលនិធិត្រូវឆ្លើយតបត្រឹមថ្ងៃ {due}។",
        "en": "{ref}: the fund is working on your complaint. It must answer by {due}.",
    },
    "awaiting_info": {
        "km": "{ref}៖ មូលនិធិត្រូវការព័ត៌មានបន្ថែមពីអ្នក។ សូមឆ្លើយតបតាមទំព័រតាមដាន ឬនៅបញ្ជរទទួលភ្ញៀវ។",
        "en": "{ref}: the fund needs more information from you. Please answer on the tracking page or at a front desk.",
    },
    "resolved": {
        "km": "{ref}៖ មូលនិធិបានឆ្លើយតបពាក្យបណ្តឹងរបស់អ្នកហើយ។ សូមអានចម្លើយនៅលើទំព័រតាមដាន។",
        "en": "{ref}: the fund has answered your complaint. Read the answer on the tracking page.",
    },
    "rejected": {
        "km": "{ref}៖ មូលនិធិសម្រេចថាមិនអាចដោះស្រាយពាក្យបណ្តឹងរបស់អ្នកបាន ហើយបានពន្យល់ពីមូលហេតុ។ សូមអាននៅលើទំព័រតាមដាន។",
        "en": "{ref}: the fund decided it cannot act on your complaint and said why. Read it on the tracking page.",
    },
    "closed": {
        "km": "{ref}៖ ពាក្យបណ្តឹងរបស់អ្នកត្រូវបានបិទហើយ។",
        "en": "{ref}: your complaint is closed.",
    },
    "reopened": {
        "km": "{ref}៖ ពាក្យបណ្តឹងរបស់អ្នកត្រូវបានបើកឡើងវិញ ហើយមូលនិធិកំពុងពិនិត្យ។",
        "en": "{ref}: your complaint was opened again and the fund is looking at it.",
    },
}
# While an appeal waits, the status says who reviews it and by when (its own clock, not the first one's).
APPEAL = {
    "fund": {
        "km": "{ref}៖ បណ្តឹងឧទ្ធរណ៍របស់អ្នកកំពុងត្រូវបានពិនិត្យដោយមូលនិធិ ដោយអ្នកពិនិត្យដែលមិនមែនជាអ្នកឆ្លើយលើកដំបូង។ ការសម្រេចត្រឹមថ្ងៃ {due}។",
        "en": (
            "{ref}: your appeal is being reviewed by someone at the fund who did not give the first answer. "
            "Decision by {due}."
        ),
    },
    "council": {
        "km": "{ref}៖ បណ្តឹងឧទ្ធរណ៍របស់អ្នកកំពុងត្រូវបានពិនិត្យដោយក្រុមប្រឹក្សាជាតិគាំពារសង្គម។ ការសម្រេចត្រឹមថ្ងៃ {due}។",
        "en": "{ref}: your appeal is being reviewed by the National Social Protection Council. Decision by {due}.",
    },
}
# After an appeal was decided, the answer's status is followed by what became of the first answer.
APPEAL_DECIDED = {
    "upheld": {
        "km": " បណ្តឹងឧទ្ធរណ៍ត្រូវបានសម្រេច៖ ចម្លើយលើកដំបូងនៅតែមានសុពលភាព។",
        "en": " The appeal was decided: the first answer stands.",
    },
    "overturned": {
        "km": " បណ្តឹងឧទ្ធរណ៍ត្រូវបានសម្រេច៖ ចម្លើយលើកដំបូងត្រូវបានផ្លាស់ប្តូរ។",
        "en": " The appeal was decided: the first answer was changed.",
    },
}
ESCALATED = {
    "km": " ពាក្យបណ្តឹងនេះត្រូវបានបញ្ជូនទៅក្រុមប្រឹក្សាជាតិគាំពារសង្គម។",
    "en": " It has been sent to the National Social Protection Council.",
}
# One text for an unknown reference, a wrong code and a garbled message alike: it reveals nothing.
# It also says how to make a complaint, since a text we did not understand may be someone trying to.
NOT_FOUND = (
    "យើងរកមិនឃើញពាក្យបណ្តឹងដែលមានលេខយោង និងលេខកូដនេះទេ។ "
    "សូមពិនិត្យលេខទាំងពីរ ហើយផ្ញើម្តងទៀតក្នុងសារតែមួយ ឧទាហរណ៍៖ GRV-2026-000123 ABCD-EFGH-JKMN-PQRS។ "
    "ដើម្បីដាក់បណ្ដឹង ផ្ញើ៖ ប្ដឹង"
)


def status_text(
    reference: str,
    status: str,
    language: str,
    due: str,
    escalated: bool,
    *,
    appeal_by: str | None = None,
    appeal_outcome: str | None = None,
) -> str:
    """The status in plain words; `appeal_by` (fund/council) while an appeal waits, `appeal_outcome` after."""
    lang = language if language in ("km", "en") else "km"
    if appeal_by in APPEAL and status == "reopened":
        return APPEAL[appeal_by][lang].format(ref=reference, due=due)
    text = STATUS.get(status, STATUS["received"])[lang].format(ref=reference, due=due)
    if appeal_outcome in APPEAL_DECIDED and status in ("resolved", "rejected"):
        text += APPEAL_DECIDED[appeal_outcome][lang]
    return text + (ESCALATED[lang] if escalated else "")

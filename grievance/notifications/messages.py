"""Message texts, in the recipient's language, with no personal data beyond the reference."""

from __future__ import annotations

from grievance.models import Case

COMPLAINANT_SMS = {
    "acknowledge": {
        "km": "ពាក្យបណ្តឹង {ref} ត្រូវបានទទួលស្គាល់ដោយមូលនិធិ។ ពិនិត្យស្ថានភាពដោយប្រើលេខកូដតាមដានរបស់អ្នក។",
        "en": "Complaint {ref} has been acknowledged by the fund. Check its status with your tracking code.",
    },
    "public_update": {
        "km": "មានព័ត៌មានថ្មីអំពីពាក្យបណ្តឹង {ref}។ ពិនិត្យដោយប្រើលេខកូដតាមដានរបស់អ្នក។",
        "en": "There is news about complaint {ref}. Check it with your tracking code.",
    },
    "request_info": {
        "km": "មូលនិធិត្រូវការព័ត៌មានបន្ថែមសម្រាប់ពាក្យបណ្តឹង {ref}។ សូមឆ្លើយតបតាមទំព័រតាមដាន។",
        "en": "The fund needs more information about complaint {ref}. Please answer on the tracking page.",
    },
    "resolve": {
        "km": "មូលនិធិបានឆ្លើយតបពាក្យបណ្តឹង {ref}។ សូមប្រាប់យើងថាតើបញ្ហារបស់អ្នកត្រូវបានដោះស្រាយឬទេ។",
        "en": "The fund has answered complaint {ref}. Please tell us whether it solved your problem.",
    },
    "reject": {
        "km": "មូលនិធិបានឆ្លើយតបពាក្យបណ្តឹង {ref} ហើយបានពន្យល់ពីមូលហេតុ។",
        "en": "The fund has answered complaint {ref} and explained why.",
    },
    "escalated": {
        "km": "ពាក្យបណ្តឹង {ref} ត្រូវបានបញ្ជូនទៅក្រុមប្រឹក្សាជាតិគាំពារសង្គម ព្រោះលើសពេលកំណត់។",
        "en": "Complaint {ref} was sent to the National Social Protection Council because it is late.",
    },
}

STAFF_EMAIL = {
    "sla_breach": {
        "en": ("Service level breached: {ref}", "Case {ref} ({fund}) has passed a service-level deadline."),
        "km": ("លើសពេលកំណត់សេវា៖ {ref}", "ករណី {ref} ({fund}) បានហួសពេលកំណត់សេវា។"),
    },
    "escalated": {
        "en": ("Escalated to the council: {ref}", "Case {ref} ({fund}) was escalated 5 working days after a breach."),
        "km": ("បានបញ្ជូនទៅក្រុមប្រឹក្សា៖ {ref}", "ករណី {ref} ({fund}) ត្រូវបានបញ្ជូនបន្ត ៥ ថ្ងៃធ្វើការក្រោយការហួសពេល។"),
    },
    "identity_alert": {
        "en": (
            "Identity-access alert",
            "A staff member opened complainants' personal data more often in an hour than the limit allows "
            "(last on case {ref}). /oversight/identity-access",
        ),
        "km": (
            "ការជូនដំណឹងអំពីការចូលមើលអត្តសញ្ញាណ",
            "បុគ្គលិកម្នាក់បានបើកមើលព័ត៌មានផ្ទាល់ខ្លួនរបស់អ្នកប្តឹងញឹកញាប់ជាងការកំណត់ក្នុងមួយម៉ោង "
            "(ចុងក្រោយលើករណី {ref})។ /oversight/identity-access",
        ),
    },
    "extension_requested": {
        "en": ("Extension requested: {ref}", "An officer asked for more time on case {ref} ({fund})."),
        "km": ("ស្នើសុំពន្យារពេល៖ {ref}", "មន្ត្រីបានស្នើសុំពេលបន្ថែមសម្រាប់ករណី {ref} ({fund})។"),
    },
}


def complainant_sms(kind: str, reference: str, language: str) -> str | None:
    texts = COMPLAINANT_SMS.get(kind)
    if texts is None:
        return None
    return texts.get(language, texts["km"]).format(ref=reference)


def staff_email(kind: str, case: Case, language: str) -> tuple[str, str]:
    texts = STAFF_EMAIL[kind]
    subject, body = texts.get(language, texts["en"])
    return subject.format(ref=case.reference), body.format(ref=case.reference, fund=case.fund.code)

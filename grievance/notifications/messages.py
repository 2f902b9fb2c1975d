"""Message texts, in the recipient's language, with no personal data beyond the reference."""

from __future__ import annotations

from datetime import datetime

from grievance.domain import dates
from grievance.domain.calendar import TZ
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
    "duplicate": {
        "km": "ពាក្យបណ្តឹង {ref} ដូចគ្នានឹងពាក្យបណ្តឹងមួយទៀត ហើយនឹងត្រូវឆ្លើយតបជាមួយវា។ មើលលម្អិតដោយប្រើលេខកូដតាមដានរបស់អ្នក។",
        "en": (
            "Complaint {ref} is the same as another complaint and will be answered with it. "
            "See which one with your tracking code."
        ),
    },
    "code_reissued": {
        "km": ("លេខកូដតាមដានថ្មីសម្រាប់ពាក្យបណ្តឹង {ref} ត្រូវបានចេញនៅបញ្ជរទទួលភ្ញៀវ។ បើមិនមែនអ្នកទេ សូមទៅបញ្ជរជាមួយអត្តសញ្ញាណប័ណ្ណ។"),
        "en": (
            "A new tracking code for complaint {ref} was issued at a front desk. "
            "If it was not you, go to a desk with your ID card."
        ),
    },
    "escalated": {
        "km": "ពាក្យបណ្តឹង {ref} ត្រូវបានបញ្ជូនទៅក្រុមប្រឹក្សាជាតិគាំពារសង្គម ព្រោះលើសពេលកំណត់។",
        "en": "Complaint {ref} was sent to the National Social Protection Council because it is late.",
    },
    "due_extended": {
        "km": "មូលនិធិត្រូវការពេលបន្ថែមដើម្បីឆ្លើយតបពាក្យបណ្តឹង {ref}។ ថ្ងៃឆ្លើយតបថ្មីគឺ {due}។ មូលហេតុមាននៅលើទំព័រតាមដាន។",
        "en": (
            "The fund needs more time to answer complaint {ref}. The new date for an answer is {due}. "
            "The reason is on the tracking page."
        ),
    },
    "appeal": {
        "km": "ពាក្យបណ្តឹង {ref} ឥឡូវជាបណ្តឹងឧទ្ធរណ៍។ អ្នកពិនិត្យម្នាក់ដែលមិនមែនជាអ្នកឆ្លើយលើកដំបូង នឹងសម្រេចត្រឹមថ្ងៃ {due}។",
        "en": ("Complaint {ref} is now an appeal. A reviewer who did not give the first answer will decide by {due}."),
    },
    "appeal_decided": {
        "km": "បណ្តឹងឧទ្ធរណ៍សម្រាប់ពាក្យបណ្តឹង {ref} ត្រូវបានសម្រេច។ មើលការសម្រេច និងមូលហេតុនៅលើទំព័រតាមដាន។",
        "en": "The appeal on complaint {ref} was decided. The decision and its reason are on the tracking page.",
    },
    "appeal_decided_regulated": {
        "km": (
            "បណ្តឹងឧទ្ធរណ៍សម្រាប់ពាក្យបណ្តឹង {ref} ត្រូវបានសម្រេច (មើលទំព័រតាមដាន)។ "
            "បើអ្នកមិនយល់ព្រម អ្នកអាចប្តឹងទៅនិយ័តករសន្តិសុខសង្គមក្នុងរយៈពេល {days} ថ្ងៃ។"
        ),
        "en": (
            "The appeal on complaint {ref} was decided (see the tracking page). If you disagree, you may "
            "take it to the Social Security Regulator within {days} days."
        ),
    },
    "referral": {
        "km": "ពាក្យបណ្តឹង {ref} ត្រូវបានបញ្ជូនទៅស្ថាប័នខាងក្រៅ។ មើលព័ត៌មាននៅលើទំព័រតាមដាន។",
        "en": "Complaint {ref} was referred to an outside body. See the tracking page.",
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
    "appeal_opened": {
        "en": (
            "Appeal to review: {ref}",
            "The complainant of case {ref} ({fund}) says the answer did not solve the problem. "
            "Review the appeal before its due date.",
        ),
        "km": (
            "បណ្តឹងឧទ្ធរណ៍ត្រូវពិនិត្យ៖ {ref}",
            "អ្នកប្តឹងនៃករណី {ref} ({fund}) ថាចម្លើយមិនបានដោះស្រាយបញ្ហា។ សូមពិនិត្យបណ្តឹងឧទ្ធរណ៍មុនថ្ងៃកំណត់។",
        ),
    },
    "appeal_breach": {
        "en": (
            "Appeal decision late: {ref}",
            "The appeal on case {ref} ({fund}) has passed its due date without a decision.",
        ),
        "km": ("ការសម្រេចបណ្តឹងឧទ្ធរណ៍យឺត៖ {ref}", "បណ្តឹងឧទ្ធរណ៍លើករណី {ref} ({fund}) ហួសថ្ងៃកំណត់ដោយគ្មានការសម្រេច។"),
    },
    "extension_requested": {
        "en": ("Extension requested: {ref}", "An officer asked for more time on case {ref} ({fund})."),
        "km": ("ស្នើសុំពន្យារពេល៖ {ref}", "មន្ត្រីបានស្នើសុំពេលបន្ថែមសម្រាប់ករណី {ref} ({fund})។"),
    },
}


# To a staff member about their own account (nothing of any case).
ACCOUNT_EMAIL = {
    "failed_logins": {
        "en": (
            "Wrong passwords tried on your account",
            "{count} wrong passwords were tried for your account {email} in the last hour. Your account is "
            "not locked: from a browser you have logged in with before you can log in as usual; from any "
            "other, each new try now has to wait a little. If this was not you, tell your administrator and "
            "change your password after you log in.",
        ),
        "km": (
            "មានការសាកល្បងពាក្យសម្ងាត់ខុសលើគណនីរបស់អ្នក",
            "ក្នុងមួយម៉ោងចុងក្រោយនេះ មានការសាកល្បងពាក្យសម្ងាត់ខុស {count} ដងសម្រាប់គណនី {email} របស់អ្នក។ "
            "គណនីរបស់អ្នកមិនត្រូវបានចាក់សោទេ៖ ពីកម្មវិធីរុករកដែលអ្នកធ្លាប់ចូលពីមុន អ្នកអាចចូលបានដូចធម្មតា។ "
            "ពីកម្មវិធីរុករកផ្សេងទៀត ការសាកល្បងថ្មីនីមួយៗត្រូវរង់ចាំបន្តិច។ ប្រសិនបើមិនមែនជាអ្នកទេ "
            "សូមប្រាប់អ្នកគ្រប់គ្រងរបស់អ្នក ហើយប្តូរពាក្យសម្ងាត់ក្រោយពេលអ្នកចូល។",
        ),
    },
}


def account_email(kind: str, language: str, **values: object) -> tuple[str, str]:
    texts = ACCOUNT_EMAIL[kind]
    subject, body = texts.get(language, texts["en"])
    return subject, body.format(**values)


def complainant_sms(
    kind: str,
    reference: str,
    language: str,
    *,
    due: datetime | None = None,
    khmer_digits: bool = False,
    days: int | None = None,
) -> str | None:
    """The SMS about a public event; `due` (an extension's new answer date) as the reader writes a day."""
    texts = COMPLAINANT_SMS.get(kind)
    if texts is None:
        return None
    lang = language if language in texts else "km"
    day = "" if due is None else dates.day(due.astimezone(TZ), lang, khmer=khmer_digits)
    count = "" if days is None else dates.number(days, lang, khmer=khmer_digits)
    return texts[lang].format(ref=reference, due=day, days=count)


def staff_email(kind: str, case: Case, language: str) -> tuple[str, str]:
    texts = STAFF_EMAIL[kind]
    subject, body = texts.get(language, texts["en"])
    return subject.format(ref=case.reference), body.format(ref=case.reference, fund=case.fund.code)

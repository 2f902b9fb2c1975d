"""What the SMS and Telegram conversations say, Khmer first, English second.

Written as tables (like sms/replies.py) so each reply can be measured: every SMS reply fits in
three parts (domain/smslen.py, tests/chat/test_texts.py). `{secret}` marks where a tracking code
or a one-time code goes: the outbox keeps it apart from the text and drops it once delivered.
"""

from __future__ import annotations

SECRET = "{secret}"  # noqa: S105 - the placeholder, not a secret

TEXTS: dict[str, dict[str, str]] = {
    "situation": {
        "km": "បណ្ដឹងថ្មី៖ តើមានបញ្ហាអ្វី? ឆ្លើយលេខ៖",
        "en": "New complaint: what happened? Reply with a number:",
    },
    "situation.money": {"km": "ប្រាក់ឧបត្ថម្ភ ឬជំនួយ", "en": "Money or support"},
    "situation.work": {"km": "ការងារ និង ប.ស.ស.", "en": "Work and NSSF"},
    "situation.health": {"km": "សុខាភិបាល", "en": "Health care"},
    "situation.other": {"km": "មន្ត្រី និងបញ្ហាផ្សេងៗ", "en": "Officials and other"},
    "category": {"km": "ជ្រើសរើស៖", "en": "Choose:"},
    "province": {
        "km": "តើនៅខេត្តណា? សរសេរឈ្មោះខេត្ត ឬលេខ៖",
        "en": "Which province? Reply with its name or number:",
    },
    "more": {"km": "0 បន្ថែមទៀត", "en": "0 more"},
    "describe": {
        "km": "សូមរៀបរាប់ពីអ្វីដែលបានកើតឡើង ក្នុងសារតែមួយ។",
        "en": "Describe what happened in one message.",
    },
    "photo": {
        "km": "ផ្ញើរូបថត ឬឯកសារ PDF (រហូតដល់ 3) ឥឡូវនេះ ឬឆ្លើយ 0 ដើម្បីបន្ត។",
        "en": "Send up to 3 photos or PDF documents now, or reply 0 to go on.",
    },
    "photo.got": {
        "km": "បានទទួលឯកសារ {n}។ ផ្ញើទៀត ឬឆ្លើយ 0 ដើម្បីបន្ត។",
        "en": "File {n} received. Send another, or reply 0 to go on.",
    },
    "photo.full": {
        "km": "បានទទួលឯកសារ 3 ហើយ ដែលជាចំនួនអតិបរមា។",
        "en": "3 files received: that is the most we take.",
    },
    "photo.refused": {
        "km": "យើងមិនអាចទទួលឯកសារនេះបានទេ៖ តែរូបថត (JPEG, PNG) ឬ PDF ទំហំមិនលើស 5 MB។",
        "en": "We cannot take this file: only photos (JPEG, PNG) or PDF, 5 MB at most.",
    },
    "identity.sms": {
        "km": (
            "1 រក្សាលេខនេះជាមួយបណ្ដឹង (មានតែមូលនិធិឃើញ ទទួលសារ SMS និងអាចសុំលេខកូដថ្មីបើបាត់)។ "
            "2 មិនបញ្ចេញឈ្មោះ (បើបាត់លេខកូដ មិនអាចរកវិញបានទេ)។"
        ),
        "en": (
            "1 Keep this number with the complaint (only the fund sees it; SMS news; a lost code can be "
            "replaced). 2 Stay anonymous (a lost code cannot be recovered)."
        ),
    },
    "identity.telegram": {
        "km": (
            "1 មិនបញ្ចេញឈ្មោះ (បើបាត់លេខកូដ មិនអាចរកវិញបានទេ)។ "
            "2 ផ្ដល់ឈ្មោះ និងលេខទូរស័ព្ទ (មានតែមូលនិធិឃើញ បើបាត់លេខកូដ អាចសុំលេខថ្មីតាម SMS)។"
        ),
        "en": (
            "1 Stay anonymous (a lost code cannot be recovered). 2 Give your name and phone (only the fund "
            "sees them; a lost code can be replaced by SMS)."
        ),
    },
    "name": {"km": "សូមសរសេរឈ្មោះរបស់អ្នក (មានតែមូលនិធិឃើញ)។", "en": "Your name, please (only the fund sees it)."},
    "phone": {"km": "លេខទូរស័ព្ទរបស់អ្នក ឬឆ្លើយ 0 បើមិនចង់ផ្ដល់។", "en": "Your phone number, or reply 0 to skip."},
    "phone.bad": {
        "km": "លេខទូរស័ព្ទនេះមិនត្រឹមត្រូវ។ សរសេរតែលេខ ឧទាហរណ៍ 012 345 678 ឬឆ្លើយ 0។",
        "en": "This is not a phone number. Digits only, e.g. 012 345 678, or reply 0.",
    },
    "updates": {
        "km": "ផ្ញើព័ត៌មានថ្មីអំពីបណ្ដឹងនេះមកការជជែកនេះទេ? 1 បាទ/ចាស 2 ទេ",
        "en": "Send news about this complaint to this chat? 1 Yes 2 No",
    },
    "received": {
        "km": ("បានទទួលបណ្ដឹង {ref}។ លេខកូដតាមដាន៖ {secret}។ សូមកត់ទុក និងរក្សាជាការសម្ងាត់។ មូលនិធិត្រូវឆ្លើយតបត្រឹមថ្ងៃ {due}។"),
        "en": (
            "Complaint {ref} received. Tracking code: {secret}. Write it down and keep it private. "
            "The fund must answer by {due}."
        ),
    },
    "received.anonymous": {"km": " បើបាត់លេខកូដ មិនអាចរកវិញបានទេ។", "en": " A lost code cannot be recovered."},
    "again": {"km": "យើងមិនយល់ចម្លើយនេះទេ។ ", "en": "We did not understand that. "},
    "text.bad": {
        "km": "សារនេះមានតួអក្សរដែលមិនអាចរក្សាទុកបាន ឬវែងពេក។ សូមសរសេរម្ដងទៀត។",
        "en": "This message has characters we cannot keep, or is too long. Please write it again.",
    },
    "cancelled": {
        "km": "បានបោះបង់។ គ្មានអ្វីត្រូវបានផ្ញើទេ។ ផ្ញើ ប្ដឹង ដើម្បីចាប់ផ្ដើមម្ដងទៀត។",
        "en": "Stopped. Nothing was sent. Text COMPLAIN to start again.",
    },
    "timed_out": {
        "km": "ចម្លើយមុនរបស់អ្នកហួសពេល ហើយមិនត្រូវបានផ្ញើទេ។ ផ្ញើ ប្ដឹង ដើម្បីចាប់ផ្ដើមម្ដងទៀត។",
        "en": "Your earlier answers timed out and were not sent. Text COMPLAIN to start again.",
    },
    "follow": {"km": "ឆ្លើយ៖", "en": "Reply:"},
    "follow.info": {"km": "1 បន្ថែមព័ត៌មាន", "en": "1 Add information"},
    "follow.yes": {"km": "2 បញ្ហាត្រូវបានដោះស្រាយ", "en": "2 It solved my problem"},
    "follow.no": {"km": "3 មិនទាន់ដោះស្រាយ (ប្ដឹងឧទ្ធរណ៍)", "en": "3 It did not (appeal)"},
    "follow.council": {
        "km": "4 មិនទាន់ដោះស្រាយ ហើយសុំឱ្យក្រុមប្រឹក្សាជាតិគាំពារសង្គមពិនិត្យ",
        "en": "4 It did not, and I want the council to review it",
    },
    "info.ask": {"km": "សូមផ្ញើព័ត៌មានបន្ថែមក្នុងសារតែមួយ។", "en": "Send the information in one message."},
    "info.done": {"km": "បានបន្ថែមព័ត៌មានទៅបណ្ដឹង {ref}។", "en": "The information was added to complaint {ref}."},
    "feedback.yes": {
        "km": "អរគុណ។ បានកត់ត្រាថាបណ្ដឹង {ref} បានដោះស្រាយបញ្ហារបស់អ្នក។",
        "en": "Thank you. We noted that complaint {ref} solved your problem.",
    },
    "feedback.appeal": {
        "km": "បានកត់ត្រា។ បណ្ដឹង {ref} ត្រូវបានបើកឡើងវិញជាបណ្ដឹងឧទ្ធរណ៍។",
        "en": "Noted. Complaint {ref} is open again as an appeal.",
    },
    "feedback.late": {
        "km": "បានកត់ត្រាចម្លើយរបស់អ្នក។ ពេលសម្រាប់ប្ដឹងឧទ្ធរណ៍បានហួសហើយ៖ សូមទៅបញ្ជរទទួលភ្ញៀវ។",
        "en": "Your answer is recorded. The time to appeal has passed: please go to a front desk.",
    },
    "cannot": {"km": "មិនអាចធ្វើបានឥឡូវនេះទេ។", "en": "This cannot be done now."},
    "recover.sent": {
        "km": ("បើលេខនេះជាលេខដែលបានផ្ដល់ជាមួយបណ្ដឹង {ref} អ្នកនឹងទទួលលេខកូដមួយដង។ បើមិនទទួលបាន សូមទៅបញ្ជរទទួលភ្ញៀវ ជាមួយអត្តសញ្ញាណប័ណ្ណ។"),
        "en": (
            "If this number was given with complaint {ref}, a one-time code is on its way. "
            "If nothing comes, go to a front desk with your ID card."
        ),
    },
    "recover.otp": {
        "km": "លេខកូដមួយដងសម្រាប់ {ref}៖ {secret}។ ឆ្លើយលេខនេះក្នុង 10 នាទី ដើម្បីទទួលលេខកូដតាមដានថ្មី។ កុំប្រាប់នរណា។",
        "en": (
            "One-time code for {ref}: {secret}. Reply with it within 10 minutes to get a new tracking code. "
            "Tell no one."
        ),
    },
    "recover.done": {
        "km": "លេខកូដតាមដានថ្មីសម្រាប់ {ref}៖ {secret}។ លេខកូដចាស់លែងប្រើបានទៀតហើយ។ សូមកត់ទុក។",
        "en": "New tracking code for {ref}: {secret}. The old code no longer works. Write it down.",
    },
    "recover.wrong": {"km": "លេខកូដមិនត្រឹមត្រូវ។ សូមព្យាយាមម្ដងទៀត។", "en": "That code is not right. Try again."},
    "recover.failed": {
        "km": "ខុសច្រើនដងពេក។ ផ្ញើ លេខកូដ និងលេខយោង ដើម្បីចាប់ផ្ដើមម្ដងទៀត។",
        "en": "Too many wrong codes. Text CODE and the reference to start again.",
    },
    "recover.how": {
        "km": "ផ្ញើ៖ លេខកូដ GRV-2026-000123 ពីលេខទូរស័ព្ទដែលបានផ្ដល់ជាមួយបណ្ដឹង។",
        "en": "Send: CODE GRV-2026-000123 from the phone number given with the complaint.",
    },
    "recover.telegram": {
        "km": "ដើម្បីសុំលេខកូដថ្មី សូមផ្ញើ SMS៖ លេខកូដ GRV-2026-000123 ពីលេខទូរស័ព្ទដែលបានផ្ដល់ជាមួយបណ្ដឹង។",
        "en": "To get a new code, send an SMS: CODE GRV-2026-000123 from the phone number given with the complaint.",
    },
    "welcome": {
        "km": "សួស្ដី។ នេះជាប្រព័ន្ធបណ្ដឹងគាំពារសង្គម។ ផ្ញើ ប្ដឹង ដើម្បីដាក់បណ្ដឹង ឬលេខយោង និងលេខកូដ ដើម្បីតាមដាន។",
        "en": "Hello. This is the social protection complaints service. Send COMPLAIN to make a complaint, "
        "or your reference and code to follow one.",
    },
    "track.ask": {
        "km": "ផ្ញើលេខយោង និងលេខកូដតាមដានក្នុងសារតែមួយ ឧទាហរណ៍៖ GRV-2026-000123 ABCD-EFGH-JKMN-PQRS",
        "en": "Send the reference and the tracking code in one message, e.g. GRV-2026-000123 ABCD-EFGH-JKMN-PQRS",
    },
    "last_message": {"km": "សារចុងក្រោយពីមូលនិធិ៖ {message}", "en": "Last message from the fund: {message}"},
    "stopped": {"km": "ការជជែកនេះនឹងមិនទទួលព័ត៌មានថ្មីទៀតទេ។", "en": "This chat will get no more news."},
    "button.complain": {"km": "ប្ដឹង", "en": "Complain"},
}


def say(key: str, lang: str, **values: object) -> str:
    """The text in the reader's language (Khmer when unsure), placeholders filled; {secret} is left."""
    table = TEXTS[key]
    text = table.get(lang) or table["km"]
    return text.format(secret=SECRET, **values) if values or "{" in text else text

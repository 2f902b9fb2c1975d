"""The words printed on the PDFs, Khmer first then English.

The printed documents carry both languages from one place, so a Khmer scorecard never falls
back to English for a missing catalogue entry.
"""

from __future__ import annotations

from datetime import date

from grievance.domain.dates import MONTHS_EN, MONTHS_KM

ZWSP = "\u200b"


def _zw(words: str) -> str:
    """Khmer written without spaces, with a zero-width space between words: where a line may break.

    Khmer puts no space between words and the PDF's text shaper breaks lines only at spaces and
    zero-width spaces, so a narrow column heading needs them (or it overflows its cell).
    """
    return ZWSP.join(words.split(" "))


WORDS: dict[str, tuple[str, str]] = {
    # scorecard
    "title": ("តារាងពិន្ទុគណនេយ្យភាពប្រចាំខែ", "Monthly accountability scorecard"),
    "subtitle": (
        "ការដោះស្រាយបណ្តឹងនៅក្នុងមូលនិធិគាំពារសង្គម",
        "Complaint handling in the social protection funds",
    ),
    "council": ("ក្រុមប្រឹក្សាជាតិគាំពារសង្គម", "National Social Protection Council"),
    "month": ("ខែ", "Month"),
    "funds": ("មូលនិធិ", "Funds"),
    "all_funds": ("មូលនិធិទាំងអស់", "All funds"),
    "generated": ("ថ្ងៃបង្កើត", "Generated"),
    "digest": ("ស្នាមម្រាមតួលេខ (SHA-256)", "Figures digest (SHA-256)"),
    "chain_head": ("ចុងខ្សែសង្វាក់សវនកម្ម", "Audit chain head"),
    "event_no": ("ព្រឹត្តិការណ៍លេខ", "event"),
    "summary": ("សេចក្តីសង្ខេបតាមមូលនិធិ", "Summary by fund"),
    "indicator": ("សូចនាករ", "Indicator"),
    "total": ("សរុប", "Total"),
    "received": (_zw("បណ្តឹង បាន ទទួល"), "Complaints received"),
    "people": ("ចំនួនមនុស្សពាក់ព័ន្ធ", "People affected"),
    "ack_on_time": (_zw("ឆ្លើយ ទទួល ទាន់ ពេល"), "Acknowledged on time"),
    "resolve_on_time": (_zw("ដោះស្រាយ ទាន់ ពេល"), "Resolved on time"),
    "ack_on_time_pct": ("ឆ្លើយទទួលទាន់ពេល (%)", "Acknowledged on time (%)"),
    "resolve_on_time_pct": ("ដោះស្រាយទាន់ពេល (%)", "Resolved on time (%)"),
    "backlog_total": (_zw("បណ្តឹង មិន ទាន់ ដោះស្រាយ នៅ ចុង ខែ"), "Open at month end"),
    "see_method": ("កម្រិតនីមួយៗត្រូវបានពន្យល់នៅទំព័រវិធីសាស្ត្រ។", "Each threshold is explained on the method page."),
    # short column heads of the breakdown tables
    "h_received": (_zw("ទទួល"), "Received"),
    "h_people": ("មនុស្ស", "People"),
    "h_ack": (_zw("ឆ្លើយ ទទួល ទាន់ ពេល"), "Ack. on time"),
    "h_resolve": (_zw("ដោះស្រាយ ទាន់ ពេល"), "Resolved on time"),
    "h_open": (_zw("នៅ បើក"), "Open at end"),
    "h_breached": (_zw("រំលង ពេល"), "Breached"),
    "resolved": ("ដោះស្រាយលើកដំបូងក្នុងខែ", "First resolutions in the month"),
    "days_median": ("មេដ្យានថ្ងៃធ្វើការដើម្បីដោះស្រាយ", "Median working days to resolve"),
    "days_p90": ("ថ្ងៃធ្វើការដើម្បីដោះស្រាយ (ភាគរយទី ៩០)", "90th percentile working days to resolve"),
    "backlog": ("បណ្តឹងមិនទាន់ដោះស្រាយនៅចុងខែ", "Open at month end (backlog)"),
    "backlog_age": ("អាយុបណ្តឹងមិនទាន់ដោះស្រាយ (ថ្ងៃធ្វើការ)", "Age of open cases (working days)"),
    "backlog_over_30_pct": ("បណ្តឹងចាស់ជាង ៣០ ថ្ងៃធ្វើការ", "Open over 30 working days"),
    "breaches": ("ការរំលងពេលកំណត់", "Service-level breaches"),
    "escalations": ("ការបញ្ជូនទៅក្រុមប្រឹក្សា", "Escalations to the council"),
    "transfers_in": ("ផ្ទេរចូល", "Transfers in"),
    "transfers_out": ("ផ្ទេរចេញ", "Transfers out"),
    "reopen_rate_pct": ("អត្រាបើកឡើងវិញ", "Reopen rate"),
    "satisfaction_pct": ("ការពេញចិត្តរបស់អ្នកដាក់បណ្តឹង", "Complainant satisfaction"),
    "appeals_opened": ("បណ្តឹងឧទ្ធរណ៍ថ្មី (អ្នកប្តឹងថាមិនបានដោះស្រាយ)", "Appeals opened (the complainant said not solved)"),
    "appeals_on_time": ("បណ្តឹងឧទ្ធរណ៍សម្រេចទាន់ពេល", "Appeals decided on time"),
    "appeals_overturned": ("បណ្តឹងឧទ្ធរណ៍ដែលបដិសេធចម្លើយដំបូង", "Appeals that overturned the first answer"),
    "rating": ("ការវាយតម្លៃ", "Rating"),
    "good": ("ល្អ", "good"),
    "fair": ("មធ្យម", "fair"),
    "poor": ("ខ្សោយ", "poor"),
    "none": ("–", "–"),
    "of": ("ក្នុងចំណោម", "of"),
    "said_solved": ("បាននិយាយថាបានដោះស្រាយ", "said it was solved"),
    "fund_page": ("មូលនិធិ", "Fund"),
    "headline": ("តួលេខសំខាន់ៗ", "Headline figures"),
    "by_category": ("តាមប្រភេទបណ្តឹង", "By category"),
    "by_province": ("តាមរាជធានី-ខេត្ត", "By province"),
    "by_group": ("តាមក្រុមងាយរងគ្រោះ", "By vulnerable group"),
    "category": ("ប្រភេទ", "Category"),
    "province": ("រាជធានី-ខេត្ត", "Province"),
    "group": ("ក្រុម", "Group"),
    "open_at_end": ("មិនទាន់ដោះស្រាយនៅចុងខែ", "Open at month end"),
    "breached_cases": (_zw("ករណី រំលង ពេល កំណត់"), "Cases with a breach"),
    "no_cases": ("គ្មានករណីក្នុងខែនេះទេ។", "No cases this month."),
    "trend": ("និន្នាការប្រាំមួយខែ", "Six-month trend"),
    "flagged": ("ករណីរំលងពេលកំណត់ និងបញ្ជូនទៅក្រុមប្រឹក្សា", "Breached and escalated cases"),
    "flagged_note": (
        "បង្ហាញតែលេខយោង គ្មានឈ្មោះ លេខទូរស័ព្ទ ឬការពិពណ៌នាឡើយ។",
        "References only: no names, phone numbers or descriptions.",
    ),
    "flagged_more": (
        "និង {n} ករណីទៀត៖ បញ្ជីពេញត្រូវបានភ្ជាប់ជាមួយ PDF នេះជាឯកសារ {file}។",
        "… and {n} more: the full list is attached to this PDF as {file}.",
    ),
    "reference": ("លេខយោង", "Reference"),
    "clocks": ("ពេលកំណត់ដែលបានរំលង", "Clocks breached"),
    "escalated": (_zw("បញ្ជូន ទៅ ក្រុមប្រឹក្សា"), "Escalated"),
    "yes": ("បាទ/ចាស", "yes"),
    "acknowledge": ("ឆ្លើយទទួល", "acknowledge"),
    "resolve": ("ដោះស្រាយ", "resolve"),
    "keep_in_loop": ("ផ្តល់ព័ត៌មានបន្ត", "keep in the loop"),
    "unknown_province": ("មិនបានបញ្ជាក់", "Not given"),
    "women": ("ស្ត្រី", "Women"),
    "disability": ("ជនមានពិការភាព", "Persons with disabilities"),
    "idpoor": ("គ្រួសារក្រីក្រ (IDPoor)", "IDPoor households"),
    "informal_worker": ("កម្មករក្រៅប្រព័ន្ធ", "Informal workers"),
    "indigenous": ("ជនជាតិដើមភាគតិច", "Indigenous people"),
    "method": ("វិធីសាស្ត្រគណនា", "How each figure is computed"),
    "page": ("ទំព័រ", "Page"),
    "masked_note": (
        "ចំនួនតិចជាង ៥ ត្រូវបានបង្ហាញជា «<5» ដើម្បីកុំឱ្យគេស្គាល់អត្តសញ្ញាណបុគ្គល។",
        "Counts below 5 are printed as “<5” so that no one can be identified.",
    ),
    # approved extensions, intake by channel and office
    "extensions_requested": (_zw("សំណើ សុំ ពន្យារ ពេល កំណត់"), "Extensions requested"),
    "extensions_approved": (_zw("ការ ពន្យារ ពេល កំណត់ ដែល បាន អនុម័ត"), "Extensions approved"),
    "extensions": ("ការពន្យារពេលកំណត់", "Extensions of the resolve deadline"),
    "by_channel": ("តាមមធ្យោបាយដាក់បណ្តឹង", "By channel"),
    "intake": ("បណ្តឹងបានទទួល តាមមធ្យោបាយ និងតាមការិយាល័យ", "Complaints received by channel and by office"),
    "intake_note": (
        "ករណីដែលបានទទួលក្នុងខែ រាប់ក្រោមមូលនិធិដែលកាន់វានៅចុងខែ។ ការិយាល័យ គឺការិយាល័យច្រកចេញចូលតែមួយដែលបានទទួលបណ្តឹងដោយផ្ទាល់។",
        "Cases received in the month, under the fund that held them at month end. The office is the "
        "single-window office where the complaint was filed in person.",
    ),
    "channel_col": ("មធ្យោបាយ", "Channel"),
    "office": (_zw("ការិយាល័យ ទទួល បណ្តឹង"), "Intake office"),
    "no_office": (_zw("មិន បាន ដាក់ នៅ ការិយាល័យ"), "Not filed at an office"),
    "web": (_zw("ទម្រង់ លើ គេហទំព័រ"), "Web form"),
    "api": ("កម្មវិធីដៃគូ (API)", "Partner app (API)"),
    "assisted": (_zw("ដាក់ ជំនួស ដោយ អង្គការ"), "Filed by an organisation"),
    "in_person": (_zw("ដោយ ផ្ទាល់ នៅ ការិយាល័យ"), "In person at an office"),
    "sms": ("សារ SMS", "SMS"),
    "telegram": ("កម្មវិធី Telegram", "Telegram"),
    # cover
    "at_a_glance": ("ខែនេះដោយសង្ខេប", "This month at a glance"),
    "incident_apart": (
        "ករណីប្រចាំថ្ងៃ និងករណីនៃឧប្បត្តិហេតុទ្រង់ទ្រាយធំ (រាប់ដោយឡែក)",
        "Everyday cases and mass-incident cases, counted apart",
    ),
    "incident_everyday": ("ក្រៅពីករណីនៃឧប្បត្តិហេតុ", "Excluding incident cases"),
    "incident_incident": ("ករណីនៃឧប្បត្តិហេតុ", "Incident cases"),
    "how_to_read": ("របៀបអានតារាងពិន្ទុនេះ", "How to read this scorecard"),
    "read_1": (
        "ទំព័រសេចក្តីសង្ខេបដាក់មូលនិធិនីមួយៗក្នុងជួរឈរ និងសូចនាករក្នុងជួរដេក។ ពណ៌បង្ហាញ ល្អ មធ្យម ឬខ្សោយ តាមកម្រិតនៅទំព័រវិធីសាស្ត្រ។",
        "The summary page puts each fund in a column and each indicator in a row; the coloured chips "
        "say good, fair or poor by the thresholds on the method page.",
    ),
    "read_2": (
        "តួលេខទាំងអស់គិត «នៅចុងខែ»៖ ករណីនីមួយៗរាប់ក្រោមមូលនិធិដែលកាន់វានៅពេលនោះ។",
        "Every figure is as at the end of the month: a case counts under the fund that held it then.",
    ),
    "read_3": (
        "ពេលកំណត់គិតជាថ្ងៃធ្វើការ (ច័ន្ទ–សុក្រ ដកថ្ងៃឈប់សម្រាកសាធារណៈ)។ "
        "ការពន្យារពេលកំណត់ដែលបានអនុម័តត្រូវបានរាប់ដាច់ដោយឡែក ហើយមិនលុបការរំលងពេលកំណត់ឡើយ។",
        "Deadlines count working days (Monday to Friday, less public holidays). Approved extensions are "
        "counted on their own and never undo a breach.",
    ),
    "read_4": (
        "ស្នាមម្រាមតួលេខអនុញ្ញាតឱ្យពិនិត្យ PDF នេះនៅពេលក្រោយ៖ flask scorecard verify FILE។",
        "The figures digest lets anyone check this PDF later: flask scorecard verify FILE.",
    ),
    "flagged_legend": (
        "ជួរនីមួយៗ៖ លេខយោង មូលនិធិ លេខកូដប្រភេទ ពេលកំណត់ដែលបានរំលង "
        "(A = ឆ្លើយទទួល, R = ដោះស្រាយ, L = ផ្តល់ព័ត៌មានបន្ត) និង E ប្រសិនបើបានបញ្ជូនទៅក្រុមប្រឹក្សា។",
        "Each line: reference, fund, category code, the clocks breached (A = acknowledge, R = resolve, "
        "L = keep in the loop) and E if the case was escalated to the council.",
    ),
    # case documents
    "case_file": ("សំណុំរឿងបណ្តឹង", "Case file"),
    "receipt": ("បង្កាន់ដៃបណ្តឹង", "Complaint receipt"),
    "receipt_note": (
        "រក្សាទុកលេខយោងនេះ។ លេខកូដតាមដានរបស់អ្នកមិនត្រូវបានបោះពុម្ពនៅទីនេះទេ។",
        "Keep this reference. Your tracking code is not printed here.",
    ),
    "follow_web": (
        "តាមដានបណ្តឹងរបស់អ្នកនៅលើគេហទំព័រ {address} ដោយប្រើលេខយោង និងលេខកូដតាមដាន។",
        "Follow your complaint on the web at {address} with the reference number and the tracking code.",
    ),
    "follow_sms": (
        "ឬតាម SMS៖ ផ្ញើលេខយោង និងលេខកូដតាមដានក្នុងសារតែមួយ ទៅលេខ {number}។",
        "Or by SMS: send the reference number and the tracking code in one message to {number}.",
    ),
    "staff_only": ("សម្រាប់តែបុគ្គលិកមូលនិធិដែលដោះស្រាយប៉ុណ្ណោះ", "For the handling fund's staff only"),
    "status": ("ស្ថានភាព", "Status"),
    "handled_by": ("ដោះស្រាយដោយ", "Handled by"),
    "received_at": ("ថ្ងៃទទួល", "Received"),
    "ack_due": ("ត្រូវឆ្លើយទទួលត្រឹម", "Acknowledgement due by"),
    "resolve_due": ("ត្រូវឆ្លើយតបត្រឹម", "Answer due by"),
    "channel": ("មធ្យោបាយ", "Channel"),
    "identity": ("អត្តសញ្ញាណ", "Identity"),
    "sla_state": ("ស្ថានភាពពេលកំណត់", "Service level"),
    "description": ("អ្វីដែលបានកើតឡើង", "What happened"),
    "complainant": ("អ្នកដាក់បណ្តឹង", "Complainant"),
    "name": ("ឈ្មោះ", "Name"),
    "phone": ("ទូរស័ព្ទ", "Phone"),
    "email": ("អ៊ីមែល", "Email"),
    "programme_number": ("លេខកម្មវិធី", "Programme number"),
    "identity_hidden": ("មិនបង្ហាញ", "Not shown"),
    "identity_recorded": (
        "បានបើកដោយមានមូលហេតុ៖ ច្បាប់នេះត្រូវបានកត់ត្រាសម្រាប់ក្រុមប្រឹក្សា។ កុំចែករំលែក។",
        "Opened with a reason: this copy is on record for the council. Do not share it.",
    ),
    "timeline": ("ប្រវត្តិ", "History"),
    "when": ("ពេលវេលា", "When"),
    "what": ("ព្រឹត្តិការណ៍", "What"),
    "who": ("ដោយ", "By"),
    "details": ("ព័ត៌មានលម្អិត", "Details"),
    "internal": ("ផ្ទៃក្នុង", "internal"),
    "truncated": (
        "អត្ថបទត្រូវបានកាត់ខ្លី៖ តួអក្សរ {n} ទៀតមិនត្រូវបានបោះពុម្ព។ មើលអត្ថបទពេញនៅលើគេហទំព័រ។",
        "Text shortened: {n} more characters are not printed. The full text is on the case page.",
    ),
}

STATUS = {
    "received": ("បានទទួល", "Received"),
    "acknowledged": ("បានឆ្លើយទទួល", "Acknowledged"),
    "in_progress": ("កំពុងដោះស្រាយ", "In progress"),
    "awaiting_info": ("រង់ចាំព័ត៌មាន", "Awaiting information"),
    "resolved": ("បានដោះស្រាយ", "Resolved"),
    "rejected": ("បានបដិសេធ", "Rejected"),
    "closed": ("បានបិទ", "Closed"),
    "reopened": ("បានបើកឡើងវិញ", "Reopened"),
}

EVENT = {
    "received": ("បានទទួល", "Received"),
    "acknowledge": ("បានឆ្លើយទទួល", "Acknowledged"),
    "start": ("ចាប់ផ្តើមដោះស្រាយ", "Work started"),
    "assign": ("បានចាត់តាំង", "Assigned"),
    "request_info": ("ស្នើសុំព័ត៌មាន", "Information requested"),
    "provide_info": ("បានផ្តល់ព័ត៌មាន", "Information provided"),
    "public_update": ("ព័ត៌មានថ្មី", "Public update"),
    "note": ("កំណត់ចំណាំ", "Note"),
    "resolve": ("បានដោះស្រាយ", "Resolved"),
    "reject": ("បានបដិសេធ", "Rejected"),
    "close": ("បានបិទ", "Closed"),
    "reopen": ("បានបើកឡើងវិញ", "Reopened"),
    "flag_instruction": ("សេចក្តីណែនាំរបស់ក្រុមប្រឹក្សាលើសញ្ញា", "The council's instruction on a flag"),
    "flag_answer": ("មូលនិធិបានឆ្លើយក្រុមប្រឹក្សា", "The fund answered the council"),
    "flag_note": ("កំណត់ចំណាំរបស់ក្រុមប្រឹក្សាលើសញ្ញា", "Council note on a flag"),
    "transfer": ("បានផ្ទេរ", "Transferred"),
    "recategorise": ("បានកែប្រភេទបណ្តឹង", "Category corrected"),
    "duplicate": ("បានសម្គាល់ថាជាបណ្តឹងស្ទួន", "Marked as a duplicate"),
    "duplicate_linked": ("បណ្តឹងស្ទួនត្រូវបានភ្ជាប់ទៅករណីនេះ", "A duplicate was linked to this case"),
    "escalate": ("បានបញ្ជូនទៅក្រុមប្រឹក្សា", "Escalated"),
    "escalated": ("បានបញ្ជូនទៅក្រុមប្រឹក្សា", "Escalated"),
    "feedback": ("មតិរបស់អ្នកដាក់បណ្តឹង", "Complainant feedback"),
    "sla_warning": ("ជិតដល់ពេលកំណត់", "Service level at risk"),
    "sla_breach": ("រំលងពេលកំណត់", "Service level breached"),
    "due_extended": ("ពេលបន្ថែមដើម្បីឆ្លើយតប", "More time to answer"),
    "incident_linked": ("បានភ្ជាប់ទៅនឹងឧប្បត្តិហេតុ", "Linked to an incident"),
    "incident_unlinked": ("លែងភ្ជាប់ទៅនឹងឧប្បត្តិហេតុ", "No longer linked to an incident"),
    "identity_view": ("បានបើកព័ត៌មានផ្ទាល់ខ្លួន", "Personal data opened"),
    "attachments_added": ("បានភ្ជាប់ឯកសារ", "Files attached"),
    "state_recorded": ("កំណត់ត្រាត្រូវបានចាក់សោ", "Record keyed"),
    "in_person": ("បានដាក់នៅតុបម្រើ", "Filed at a front desk"),
    "visit": ("មកតុបម្រើ", "Visit to the front desk"),
}
# Why personal data was opened (models.case.IDENTITY_VIEW_REASONS), in the case file's timeline.
IDENTITY_REASON = {
    "contact": ("ដើម្បីទាក់ទងអ្នកប្តឹង", "To contact the complainant"),
    "verify": ("ដើម្បីពិនិត្យសិទ្ធិ ឬកំណត់ត្រាកម្មវិធី", "To check eligibility or programme records"),
    "investigate": ("ដើម្បីស៊ើបអង្កេត", "To investigate the complaint"),
    "legal": ("សំណើផ្លូវច្បាប់ ឬសវនកម្ម", "A legal or audit request"),
}


def words(lang: str):
    """A lookup function for templates: t('received') in the chosen language."""
    index = 0 if lang == "km" else 1

    def t(key: str, **values) -> str:
        pair = WORDS.get(key)
        text = key if pair is None else pair[index]
        return text.format(**values) if values else text

    return t


def pick(table: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    pair = table.get(code or "")
    return (code or "") if pair is None else pair[0 if lang == "km" else 1]


def month_name(first_day: date, lang: str) -> str:
    names = MONTHS_KM if lang == "km" else MONTHS_EN
    return f"{names[first_day.month - 1]} {first_day.year}"


# The method page: (indicator, Khmer, English), in the order the scorecard prints them.
METHOD: list[tuple[str, str, str]] = [
    (
        "month",
        "ខែមួយគិតពីម៉ោង ០០:០០ ថ្ងៃទី ១ ដល់ម៉ោង ០០:០០ ថ្ងៃទី ១ នៃខែបន្ទាប់ តាមម៉ោងភ្នំពេញ។ "
        "តួលេខទាំងអស់គិត «នៅចុងខែ»៖ ករណីនីមួយៗរាប់ក្រោមមូលនិធិដែលកាន់វានៅចុងខែ (តាមព្រឹត្តិការណ៍ផ្ទេរ)។",
        "A month runs from 00:00 on the 1st to 00:00 on the 1st of the next month, Phnom Penh time. "
        "Every figure is as at the end of the month: a case counts under the fund that held it then "
        "(replayed from the transfer events), so a later transfer does not change an earlier month.",
    ),
    (
        "received",
        "ចំនួនករណីដែលបានទទួលក្នុងខែ។ ចំនួនមនុស្សពាក់ព័ន្ធ = ផលបូកនៃចំនួនមនុស្សដែលបានប្រាប់ពេលដាក់បណ្តឹង។",
        "Cases received in the month. People affected is the sum of the number of people given at intake.",
    ),
    (
        "ack_on_time",
        "ក្នុងចំណោមករណីដែលពេលកំណត់ឆ្លើយទទួលធ្លាក់ក្នុងខែ ចំនួនដែលមូលនិធិបានផ្តល់ព័ត៌មានជាសាធារណៈលើកដំបូងមុនឬនៅពេលកំណត់។",
        "Of the cases whose acknowledgement deadline fell in the month, those whose first public update "
        "came at or before that deadline.",
    ),
    (
        "resolve_on_time",
        "ក្នុងចំណោមករណីដែលពេលកំណត់ដោះស្រាយធ្លាក់ក្នុងខែ ចំនួនដែលបានដោះស្រាយ ឬបដិសេធដោយមានហេតុផល "
        "លើកដំបូងមុនឬនៅពេលកំណត់ (ពេលកំណត់ពន្យារដោយរយៈពេលរង់ចាំអ្នកដាក់បណ្តឹង)។",
        "Of the cases whose resolution deadline fell in the month, those first resolved (or rejected with a "
        "reason) at or before that deadline. The deadline includes any pause while waiting for the complainant.",
    ),
    (
        "days_median",
        "សម្រាប់ករណីដែលបានដោះស្រាយលើកដំបូងក្នុងខែ៖ ចំនួនថ្ងៃធ្វើការពីការទទួលដល់ការដោះស្រាយ "
        "(ច័ន្ទ–សុក្រ ដកថ្ងៃឈប់សម្រាកសាធារណៈ)។ មេដ្យាន និងភាគរយទី ៩០ (វិធីចំណាត់ថ្នាក់ជិតបំផុត)។",
        "For cases first resolved in the month: working days (Monday–Friday minus Cambodian public holidays "
        "and closure days) from receipt to first resolution. Median, and the 90th percentile by the "
        "nearest-rank method.",
    ),
    (
        "backlog",
        "ករណីដែលនៅបើកនៅចុងខែ (មិនទាន់ដោះស្រាយ ឬបានបើកឡើងវិញ) តាមអាយុគិតជាថ្ងៃធ្វើការពេញ៖ ០–៥, ៦–១៥, ១៦–៣០, លើស ៣០។",
        "Cases open at the end of the month (never resolved, or reopened), by age in whole working days "
        "since receipt: 0–5, 6–15, 16–30, over 30.",
    ),
    (
        "breaches",
        "ករណីដែលពេលកំណត់ឆ្លើយទទួល ដោះស្រាយ ឬផ្តល់ព័ត៌មានបន្ត (១០ ថ្ងៃធ្វើការ) ត្រូវបានរំលងក្នុងខែ។ "
        "ការបញ្ជូនទៅក្រុមប្រឹក្សា៖ ករណីដែលបានបញ្ជូនក្នុងខែ (៥ ថ្ងៃធ្វើការក្រោយការរំលង ឬដោយដៃ)។",
        "Cases whose acknowledge, resolve or keep-in-the-loop (10 working days between public updates) "
        "deadline passed unmet in the month. Escalations: cases escalated to the council in the month "
        "(5 working days after a breach, or by hand).",
    ),
    (
        "transfers_in",
        "ព្រឹត្តិការណ៍ផ្ទេរក្នុងខែ រាប់តាមមូលនិធិដើម (ផ្ទេរចេញ) និងមូលនិធិទទួល (ផ្ទេរចូល)។",
        "Transfer events in the month, counted out of the fund that gave the case and into the fund that received it.",
    ),
    (
        "reopen_rate_pct",
        "ករណីដែលបានបើកឡើងវិញក្នុងខែ ចែកនឹងករណីដែលបានដោះស្រាយ ឬបដិសេធក្នុងខែ។",
        "Cases reopened in the month divided by cases resolved or rejected in the month.",
    ),
    (
        "satisfaction_pct",
        "ក្នុងចំណោមចម្លើយ «តើចម្លើយនេះបានដោះស្រាយបញ្ហារបស់អ្នកទេ?» ដែលទទួលបានក្នុងខែ ភាគរយនៃចម្លើយ «បាទ/ចាស»។",
        "Of the answers to “did this solve your problem?” given in the month, the share that said yes.",
    ),
    (
        "extensions",
        "សំណើសុំពន្យារពេលកំណត់៖ ព្រឹត្តិការណ៍ «ស្នើសុំពន្យារ» ក្នុងខែ។ ការពន្យារដែលបានអនុម័ត៖ "
        "ព្រឹត្តិការណ៍សម្រេចដែលអ្នកគ្រប់គ្រងមូលនិធិបានអនុម័តក្នុងខែ។ ការពន្យារផ្លាស់ទីពេលកំណត់ដោះស្រាយ "
        "ប៉ុន្តែការរំលងពេលកំណត់ដែលបានកត់ត្រារួចនៅតែរាប់។",
        "Extensions requested: the extension requests made in the month. Extensions approved: the decisions "
        "in the month by which a supervisor of the handling fund approved a request. Each is counted under "
        "the fund holding the case at month end. An approved extension moves the resolve deadline; a breach "
        "already recorded still counts.",
    ),
    (
        "intake",
        "ករណីដែលបានទទួលក្នុងខែ តាមមធ្យោបាយ (គេហទំព័រ API ដាក់ជំនួស ដោយផ្ទាល់ ទូរស័ព្ទ) និងតាមការិយាល័យច្រកចេញចូលតែមួយដែលបានទទួលវា។",
        "Cases received in the month by the channel they came in by (web, API, filed by an organisation, in "
        "person, phone) and by the single-window office that took them.",
    ),
    (
        "digest",
        "ស្នាមម្រាមគឺ SHA-256 នៃ JSON តួលេខ (សោតម្រៀប)។ បង្កើតម្តងទៀតពីមូលដ្ឋានទិន្នន័យដដែលផ្តល់ស្នាមម្រាមដដែល។ "
        "ពាក្យបញ្ជា «flask scorecard verify» គណនាឡើងវិញ ហើយប្រាប់ថាតួលេខណាបានផ្លាស់ប្តូរ។ "
        "ចុងខ្សែសង្វាក់សវនកម្ម គឺព្រឹត្តិការណ៍ចុងក្រោយដែលបានកត់ត្រាមុនចុងខែ៖ ពាក្យបញ្ជាដដែលពិនិត្យថា "
        "កំណត់ត្រារហូតដល់ព្រឹត្តិការណ៍នោះមិនបានផ្លាស់ប្តូរ ហើយនៅតែស្ថិតក្នុងខ្សែសង្វាក់។",
        "The digest is the SHA-256 of the canonical JSON of all figures (sorted keys). Building the month "
        "again from the same records gives the same digest; `flask scorecard verify FILE` recomputes it and "
        "names the figures that changed. The audit chain head is the last event of the tamper-evident log "
        "recorded before the month ended: the same command checks that the record up to that event is "
        "unchanged and still in the chain, and names the first event that is not.",
    ),
]


def short_month(text: str, lang: str) -> str:
    """'2026-10' -> 'តុលា 26' / 'Oct 26': the label under a trend bar."""
    year, month = int(text[:4]), int(text[5:7])
    name = MONTHS_KM[month - 1] if lang == "km" else MONTHS_EN[month - 1][:3]
    return f"{name} {year % 100:02d}"

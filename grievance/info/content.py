"""The default texts of the information pages, Khmer first. Seeded once; administrators edit them after.

Facts come from shared/domain.md. Service levels (how many working days a fund has) are NOT
written here: the page shows them from the database, so an administrator's change to a
service level shows at once. Markup: a blank line starts a paragraph, "- " starts a bullet.
"""

# Each paragraph is one line, as an administrator will see it in the editor: no wrapping.
# ruff: noqa: E501

from __future__ import annotations

# slug, fund code, title_km, title_en, body_km, body_en
SCHEMES = [
    (
        "family-package",
        "NSAF",
        "កញ្ចប់គ្រួសារ (មូលនិធិជាតិជំនួយសង្គម)",
        "The Family Package (National Social Assistance Fund)",
        """កញ្ចប់គ្រួសារ គឺជាប្រាក់ឧបត្ថម្ភពីមូលនិធិជាតិជំនួយសង្គម សម្រាប់គ្រួសារក្រីក្រ និងងាយរងគ្រោះ ដែលមានប័ណ្ណសមធម៌ (IDPoor)។ ចាប់ពីខែមេសា ឆ្នាំ២០២៤ កញ្ចប់នេះរួមបញ្ចូលជំនួយជាច្រើនប្រភេទ៖
- ប្រាក់ឧបត្ថម្ភសម្រាប់ស្ត្រីមានផ្ទៃពោះ និងកុមារអាយុក្រោម ២ ឆ្នាំ
- អាហារូបករណ៍សម្រាប់សិស្សក្រីក្រ នៅបឋមសិក្សា និងមធ្យមសិក្សា
- ប្រាក់ឧបត្ថម្ភសម្រាប់ជនមានពិការភាព
- ប្រាក់ឧបត្ថម្ភសម្រាប់មនុស្សចាស់អាយុ ៦០ ឆ្នាំឡើងទៅ
- ជំនួយមូលដ្ឋាន សម្រាប់គ្រួសារដែលមានសមាជិករស់នៅជាមួយមេរោគអេដស៍

មូលនិធិនេះក៏ផ្តល់ប្រាក់ឧបត្ថម្ភពេលមានគ្រោះអាសន្ន ឬទឹកជំនន់ និងបើកសោធននិវត្តន៍ឱ្យមន្ត្រីរាជការចូលនិវត្តន៍ និងអតីតយុទ្ធជនផងដែរ។

អ្នកណាអាចទទួលបាន៖ គ្រួសារដែលត្រូវបានកំណត់ថាជាគ្រួសារក្រីក្រ ហើយមានប័ណ្ណសមធម៌។ បើអ្នកគិតថាគ្រួសាររបស់អ្នកក្រីក្រ តែមិនមានប័ណ្ណ អ្នកអាចប្ដឹងថាអ្នកមិនត្រូវបានកំណត់ជាគ្រួសារក្រីក្រ។

អ្នកអាចប្ដឹងបាន បើ៖
- ប្រាក់មិនបានមកដល់ ឬមកយឺត
- ចំនួនប្រាក់មិនត្រឹមត្រូវ ឬភ្នាក់ងារកាត់ប្រាក់ខ្លះទុក
- អ្នកត្រូវបានបដិសេធ ឬត្រូវបានដកឈ្មោះចេញពីកម្មវិធី
- អាហារូបករណ៍ ឬសោធននិវត្តន៍មិនបានបើកឱ្យ

ការប្ដឹងមិនគិតថ្លៃទេ។ គ្មាននរណាម្នាក់មានសិទ្ធិសុំលុយពីអ្នក ដើម្បីដាក់ពាក្យប្ដឹង ឬដើម្បីឱ្យអ្នកទទួលបានប្រាក់ឧបត្ថម្ភនោះទេ។""",
        """The Family Package is cash support from the National Social Assistance Fund for poor and vulnerable households that hold an IDPoor card. Since April 2024 it brings several kinds of support together:
- cash for pregnant women and children under 2
- scholarships for poor students in primary and secondary school
- cash for persons with disabilities
- cash for people aged 60 and over
- base support for households with a member living with HIV

The fund also pays emergency and flood cash transfers, and pensions for retired civil servants and veterans.

Who can receive it: households identified as poor that hold an IDPoor card. If you think your household is poor but you have no card, you can complain that you were left out of IDPoor.

You can complain if:
- the money did not arrive, or came late
- the amount was wrong, or an agent kept part of it
- you were refused, or dropped from a programme
- a scholarship or a pension was not paid

Complaining is free. Nobody may ask you for money to file a complaint or to receive your support.""",
    ),
    (
        "nssf",
        "NSSF",
        "សន្តិសុខសង្គមសម្រាប់កម្មករ និយោជិត (ប.ស.ស.)",
        "Social security for workers (NSSF)",
        """បេឡាជាតិរបបសន្តិសុខសង្គម (ប.ស.ស.) ការពារកម្មករ និយោជិតក្នុងវិស័យឯកជនជាង ២ លាននាក់ និងមន្ត្រីក្នុងវិស័យសាធារណៈប្រមាណ ៤០០,០០០ នាក់។ ប.ស.ស. ផ្តល់៖
- ការថែទាំសុខភាព នៅពេលអ្នកឈឺ
- សំណង នៅពេលមានគ្រោះថ្នាក់ការងារ ឬជំងឺដោយសារការងារ
- សោធននិវត្តន៍ នៅពេលអ្នកចូលនិវត្តន៍
- ប្រាក់ឧបត្ថម្ភមាតុភាព នៅពេលសម្រាលកូន

អ្នកណាអាចទទួលបាន៖ កម្មករ និយោជិតដែលនិយោជកបានចុះឈ្មោះនៅ ប.ស.ស. និងបង់ភាគទានឱ្យ។ និយោជករបស់អ្នកត្រូវតែចុះឈ្មោះអ្នក និងបង់ភាគទាន។ បើគេកាត់ប្រាក់ខែអ្នកសម្រាប់ ប.ស.ស. តែអ្នកមិនមានឈ្មោះ អ្នកអាចប្ដឹងបាន។

អ្នកអាចប្ដឹងបាន បើ៖
- និយោជកមិនចុះឈ្មោះអ្នក ឬមិនបង់ភាគទាន
- មន្ទីរពេទ្យមិនព្រមទទួលប័ណ្ណ ប.ស.ស. ឬយកថ្លៃពីអ្នក
- សំណងគ្រោះថ្នាក់ការងារមិនទាន់បានបើក ឬយឺត
- សោធននិវត្តន៍ ឬប្រាក់ឧបត្ថម្ភមាតុភាពមិនបានបើក

បើអ្នកធ្វើការដោយខ្លួនឯង (អ្នកលក់ដូរនៅផ្សារ អ្នករត់តុកតុក កម្មករសំណង់) សូមអានទំព័រអំពីរបបសម្រាប់អ្នកប្រកបរបរដោយខ្លួនឯង។""",
        """The National Social Security Fund (NSSF) protects over 2 million private-sector workers and about 400,000 public-sector workers. It gives:
- health care when you are ill
- compensation after an accident at work or an illness caused by work (employment injury)
- a pension when you retire
- a maternity benefit when you give birth

Who can receive it: workers whose employer has registered them with the NSSF and pays their contributions. Your employer must register you and pay. If money is taken from your wage for the NSSF but you are not registered, you can complain.

You can complain if:
- your employer does not register you, or does not pay the contributions
- a hospital refuses your NSSF card, or charges you
- an employment injury claim is unpaid or late
- a pension or a maternity benefit is not paid

If you work for yourself (a market trader, a tuk-tuk driver, a construction worker), read the page on the scheme for the self-employed.""",
    ),
    (
        "nssf-self-employed",
        "NSSF",
        "របបសន្តិសុខសង្គមសម្រាប់អ្នកប្រកបរបរដោយខ្លួនឯង (ប.ស.ស.)",
        "Social security for the self-employed (NSSF voluntary scheme)",
        """អ្នកលក់ដូរនៅផ្សារ អ្នករត់តុកតុក ឬម៉ូតូឌុប កម្មករសំណង់ និងអ្នកប្រកបរបរដោយខ្លួនឯងផ្សេងទៀត អាចចូលជាសមាជិករបបស្ម័គ្រចិត្តរបស់ ប.ស.ស. បាន។

របៀបដែលវាដំណើរការ៖
- អ្នកបង់ភាគទានដោយខ្លួនឯង រៀងរាល់ខែ
- បន្ទាប់ពីបង់បាន ២ ខែ អ្នកអាចទទួលការថែទាំសុខភាពបាន
- បើអ្នកមិនបង់រយៈពេល ៦ ខែ អ្នកនឹងបាត់សមាជិកភាព

ការបាត់សមាជិកភាព គឺជាមូលហេតុញឹកញាប់នៃការប្ដឹង។ សូមរក្សាទុកបង្កាន់ដៃបង់ប្រាក់របស់អ្នកទាំងអស់ ព្រោះវាជួយបង្ហាញថាអ្នកបានបង់។

អ្នកអាចប្ដឹងបាន បើ៖
- អ្នកមិនអាចចុះឈ្មោះបាន
- គេប្រាប់ថាអ្នកបាត់សមាជិកភាព ទោះបីអ្នកបានបង់ហើយក៏ដោយ
- មន្ទីរពេទ្យមិនព្រមព្យាបាលអ្នក ឬយកថ្លៃ ទោះអ្នកជាសមាជិក""",
        """Market traders, tuk-tuk and motor-taxi drivers, construction workers and other self-employed people can join the NSSF voluntary scheme.

How it works:
- you pay a contribution yourself every month
- after two months of payments you can receive health care
- if you do not pay for six months, you lose your membership

Lost membership is a frequent cause of complaints. Keep every payment receipt: it helps to show that you paid.

You can complain if:
- you could not register
- you are told you lost your membership although you paid
- a hospital refuses to treat you, or charges you, although you are a member""",
    ),
    (
        "health-equity-fund",
        "HEALTH",
        "ការព្យាបាលដោយឥតគិតថ្លៃ ជាមួយមូលនិធិសមធម៌សុខាភិបាល",
        "Free health care with the Health Equity Fund",
        """មូលនិធិសមធម៌សុខាភិបាល បង់ថ្លៃព្យាបាលជំនួសអ្នកមានប័ណ្ណសមធម៌ (IDPoor) នៅមណ្ឌលសុខភាព និងមន្ទីរពេទ្យរដ្ឋ។ មូលនិធិនេះស្ថិតក្រោមក្រសួងសុខាភិបាល។

សិទ្ធិរបស់អ្នក៖
- ការព្យាបាលត្រូវតែឥតគិតថ្លៃសម្រាប់អ្នក ព្រោះមូលនិធិបង់ឱ្យមណ្ឌលសុខភាព ឬមន្ទីរពេទ្យរួចហើយ
- គេមិនអាចបដិសេធមិនព្យាបាលអ្នក ដោយសារអ្នកមិនមានលុយបានទេ
- បុគ្គលិកត្រូវនិយាយ និងព្យាបាលអ្នកដោយសេចក្តីគោរព

សូមយកប័ណ្ណសមធម៌របស់អ្នកទៅជាមួយ ពេលទៅព្យាបាល។

អ្នកអាចប្ដឹងបាន បើ៖
- គេយកថ្លៃពីអ្នក ទោះអ្នកមានប័ណ្ណ
- គេបដិសេធមិនព្យាបាលអ្នក
- បុគ្គលិកប្រព្រឹត្តមិនសមរម្យ ឬការថែទាំមិនល្អ

បណ្ដឹងអំពីការបដិសេធមិនព្យាបាល ត្រូវបានដោះស្រាយលឿនជាងគេ។""",
        """The Health Equity Fund pays for the care of IDPoor card holders at public health centres and hospitals. It is run under the Ministry of Health.

Your rights:
- care must be free for you: the fund pays the health centre or hospital
- you cannot be refused treatment because you have no money
- staff must speak to you and treat you with respect

Take your IDPoor card with you when you go for care.

You can complain if:
- you were charged although you have a card
- you were refused treatment
- staff behaved badly, or the care was poor

Complaints about being refused treatment are handled fastest.""",
    ),
]

# category code -> (title_km, title_en, body_km, body_en); one page per default category.
CATEGORIES = {
    "NSAF-CT-MISSING": (
        "មិនបានទទួលប្រាក់ឧបត្ថម្ភ ឬទទួលបានយឺត",
        "Cash support not received or late",
        """ប្រាក់ឧបត្ថម្ភពីកញ្ចប់គ្រួសារ ឬពីកម្មវិធីផ្សេងទៀតរបស់មូលនិធិជាតិជំនួយសង្គម គួរតែមកដល់តាមពេលកំណត់។ បើវាមិនមកដល់ ឬមកយឺត អ្នកអាចប្ដឹងបាន។

ត្រៀមទុកបើអាច៖
- លេខប័ណ្ណសមធម៌ (IDPoor) របស់អ្នក
- ខែណាដែលអ្នកមិនបានទទួលប្រាក់
- កន្លែង ឬភ្នាក់ងារដែលធ្លាប់បើកប្រាក់ឱ្យអ្នក

មូលនិធិជាតិជំនួយសង្គម ជាអ្នកដោះស្រាយបណ្ដឹងនេះ។""",
        """Cash from the Family Package or another programme of the National Social Assistance Fund should arrive on time. If it did not arrive, or came late, you can complain.

Have ready if you can:
- your IDPoor card number
- the months you were not paid
- the place or agent that used to pay you

The National Social Assistance Fund handles this complaint.""",
    ),
    "NSAF-CT-AMOUNT": (
        "ចំនួនប្រាក់មិនត្រឹមត្រូវ ឬភ្នាក់ងារកាត់ប្រាក់",
        "Wrong amount, or money deducted by an agent",
        """អ្នកត្រូវទទួលប្រាក់ឧបត្ថម្ភគ្រប់ចំនួន។ គ្មានភ្នាក់ងារ ឬមន្ត្រីណាម្នាក់មានសិទ្ធិកាត់ប្រាក់ខ្លះទុកសម្រាប់ខ្លួនឯង ឬសុំ «ថ្លៃសេវា» ពីអ្នកទេ។

ត្រៀមទុកបើអាច៖
- ចំនួនប្រាក់ដែលអ្នកគួរទទួល និងចំនួនដែលអ្នកបានទទួលពិតប្រាកដ
- ថ្ងៃ និងកន្លែងបើកប្រាក់
- បង្កាន់ដៃ ឬសារទូរស័ព្ទ បើមាន

អ្នកអាចប្ដឹងដោយមិនបញ្ចេញឈ្មោះបាន។ មូលនិធិជាតិជំនួយសង្គម ជាអ្នកដោះស្រាយបណ្ដឹងនេះ។""",
        """You must receive the full amount. No agent or official may keep part of it or ask you for a "fee".

Have ready if you can:
- how much you should have received, and how much you actually received
- the date and place of the payment
- a receipt or a phone message, if you have one

You can complain without giving your name. The National Social Assistance Fund handles this complaint.""",
    ),
    "NSAF-ELIG": (
        "ត្រូវបានបដិសេធ ឬដកចេញពីកម្មវិធី",
        "Refused or dropped from a programme",
        """បើអ្នកត្រូវបានបដិសេធមិនឱ្យចូលកម្មវិធីកញ្ចប់គ្រួសារ ឬត្រូវបានដកឈ្មោះចេញ ដោយគ្មានការពន្យល់ អ្នកមានសិទ្ធិសួរពីមូលហេតុ និងប្ដឹងបាន។

ត្រៀមទុកបើអាច៖
- លេខប័ណ្ណសមធម៌ (IDPoor) របស់អ្នក
- ឈ្មោះកម្មវិធី (ឧទាហរណ៍៖ ជនចាស់ ជនមានពិការភាព ស្ត្រីមានផ្ទៃពោះ)
- ពេលណាដែលប្រាក់ឈប់មក

បើអ្នកមិនមានប័ណ្ណសមធម៌ទាល់តែសោះ សូមជ្រើសរើស «មិនត្រូវបានកំណត់ជាគ្រួសារក្រីក្រ (IDPoor)» ជំនួសវិញ។""",
        """If you were refused the Family Package, or your name was removed without an explanation, you have the right to ask why and to complain.

Have ready if you can:
- your IDPoor card number
- the programme (for example: older people, persons with disabilities, pregnant women)
- when the payments stopped

If you have no IDPoor card at all, choose "Left out of IDPoor identification" instead.""",
    ),
    "NSAF-SCHOLAR": (
        "អាហារូបករណ៍សិស្សក្រីក្រមិនបានបើកឱ្យ",
        "Scholarship for a poor student not paid",
        """សិស្សក្រីក្រនៅបឋមសិក្សា និងមធ្យមសិក្សា ពីគ្រួសារដែលមានប័ណ្ណសមធម៌ អាចទទួលអាហារូបករណ៍ជាផ្នែកនៃកញ្ចប់គ្រួសារ។ បើអាហារូបករណ៍មិនបានបើក ឬមកយឺត អ្នកអាចប្ដឹងបាន។

ត្រៀមទុកបើអាច៖
- ឈ្មោះសាលា និងថ្នាក់របស់សិស្ស
- លេខប័ណ្ណសមធម៌ របស់គ្រួសារ
- ឆមាស ឬខែណាដែលមិនបានបើក""",
        """Poor students in primary and secondary school from households with an IDPoor card can receive a scholarship as part of the Family Package. If it was not paid, or came late, you can complain.

Have ready if you can:
- the student's school and grade
- the household's IDPoor card number
- the term or months that were not paid""",
    ),
    "NSAF-PENSION": (
        "សោធននិវត្តន៍មន្ត្រីរាជការ ឬអតីតយុទ្ធជន",
        "Pension of a retired civil servant or veteran",
        """មូលនិធិជាតិជំនួយសង្គម បើកសោធននិវត្តន៍ឱ្យមន្ត្រីរាជការដែលចូលនិវត្តន៍ និងអតីតយុទ្ធជន។ បើសោធននិវត្តន៍យឺត ខ្វះ ឬឈប់បើក អ្នកអាចប្ដឹងបាន។

ត្រៀមទុកបើអាច៖
- លេខសោធននិវត្តន៍ ឬលេខប័ណ្ណ
- ខែណាដែលមិនបានទទួល
- ក្រសួង ឬអង្គភាពដែលអ្នកធ្លាប់ធ្វើការ""",
        """The National Social Assistance Fund pays pensions to retired civil servants and to veterans. If a pension is late, short, or has stopped, you can complain.

Have ready if you can:
- the pension or card number
- the months not received
- the ministry or unit where the person worked""",
    ),
    "NSSF-INJURY": (
        "ការទាមទារសំណងគ្រោះថ្នាក់ការងារ",
        "Work accident (employment injury) claim",
        """បើអ្នករងរបួសនៅកន្លែងការងារ ឬតាមផ្លូវទៅ-មកធ្វើការ ឬឈឺដោយសារការងារ ប.ស.ស. ត្រូវចេញថ្លៃព្យាបាល និងសំណងឱ្យអ្នក។ បើការទាមទាររបស់អ្នកមិនទាន់បានបើក ឬត្រូវបានបដិសេធ អ្នកអាចប្ដឹងបាន។

ត្រៀមទុកបើអាច៖
- លេខប័ណ្ណ ប.ស.ស. របស់អ្នក
- ថ្ងៃ និងកន្លែងកើតហេតុ
- ឈ្មោះនិយោជក ឬក្រុមហ៊ុន
- ឯកសារពេទ្យ បើមាន""",
        """If you were injured at work, or on the way to or from work, or became ill because of your work, the NSSF must pay for your care and compensation. If your claim is unpaid, late or refused, you can complain.

Have ready if you can:
- your NSSF card number
- the date and place of the accident
- the name of your employer or company
- medical papers, if you have them""",
    ),
    "NSSF-HEALTH": (
        "សមាជិក ប.ស.ស. ត្រូវបានបដិសេធការព្យាបាល ឬត្រូវបង់ថ្លៃ",
        "NSSF member refused care or charged for it",
        """សមាជិក ប.ស.ស. មានសិទ្ធិទទួលការព្យាបាលនៅមន្ទីរពេទ្យ ឬមណ្ឌលសុខភាពដែលបានចុះកិច្ចសន្យាជាមួយ ប.ស.ស. ដោយមិនបាច់បង់ថ្លៃសេវាដែល ប.ស.ស. ធានា។ បើគេមិនព្រមទទួលប័ណ្ណរបស់អ្នក ឬយកថ្លៃ អ្នកអាចប្ដឹងបាន។

នេះជាបណ្ដឹងបន្ទាន់៖ វាត្រូវបានដោះស្រាយលឿនជាងបណ្ដឹងធម្មតា។

ត្រៀមទុកបើអាច៖
- លេខប័ណ្ណ ប.ស.ស. របស់អ្នក
- ឈ្មោះមន្ទីរពេទ្យ ឬមណ្ឌលសុខភាព
- ចំនួនប្រាក់ដែលគេយក និងបង្កាន់ដៃ បើមាន""",
        """NSSF members have the right to care at hospitals and health centres that work with the NSSF, without paying for the services the NSSF covers. If your card was refused, or you were charged, you can complain.

This is an urgent complaint: it is handled faster than ordinary ones.

Have ready if you can:
- your NSSF card number
- the name of the hospital or health centre
- how much you were charged, and a receipt if you have one""",
    ),
    "NSSF-CONTRIB": (
        "និយោជកមិនចុះឈ្មោះ ឬមិនបង់ភាគទាន",
        "Employer does not register me or pay contributions",
        """និយោជកត្រូវចុះឈ្មោះកម្មករ និយោជិតរបស់ខ្លួននៅ ប.ស.ស. និងបង់ភាគទានរៀងរាល់ខែ។ បើមិនដូច្នេះទេ អ្នកអាចបាត់សិទ្ធិទទួលការព្យាបាល សំណងគ្រោះថ្នាក់ការងារ និងសោធននិវត្តន៍។

អ្នកអាចប្ដឹងបាន បើ៖
- និយោជកមិនចុះឈ្មោះអ្នក
- គេកាត់ប្រាក់ខែអ្នកសម្រាប់ ប.ស.ស. តែមិនបង់ទៅ ប.ស.ស.

ត្រៀមទុកបើអាច៖
- ឈ្មោះ និងអាសយដ្ឋានក្រុមហ៊ុន ឬរោងចក្រ
- ពេលដែលអ្នកចាប់ផ្តើមធ្វើការ
- បង្កាន់ដៃប្រាក់ខែ បើមាន

អ្នកអាចប្ដឹងដោយមិនបញ្ចេញឈ្មោះបាន បើអ្នកខ្លាចនិយោជកដឹង។""",
        """Employers must register their workers with the NSSF and pay contributions every month. If they do not, you can lose your right to health care, employment injury compensation and a pension.

You can complain if:
- your employer has not registered you
- money is taken from your wage for the NSSF but not paid to the NSSF

Have ready if you can:
- the name and address of the company or factory
- when you started working there
- your pay slips, if you have them

You can complain without giving your name if you are afraid your employer will find out.""",
    ),
    "NSSF-PENSION": (
        "សោធននិវត្តន៍ ឬប្រាក់ឧបត្ថម្ភមាតុភាព",
        "Pension or maternity benefit",
        """ប.ស.ស. បើកសោធននិវត្តន៍ឱ្យសមាជិកដែលចូលនិវត្តន៍ និងប្រាក់ឧបត្ថម្ភមាតុភាពនៅពេលសម្រាលកូន។ បើប្រាក់នេះមិនបានបើក យឺត ឬខ្វះ អ្នកអាចប្ដឹងបាន។

ត្រៀមទុកបើអាច៖
- លេខប័ណ្ណ ប.ស.ស. របស់អ្នក
- ថ្ងៃដែលអ្នកបានដាក់ពាក្យស្នើសុំ
- ថ្ងៃសម្រាលកូន (សម្រាប់ប្រាក់ឧបត្ថម្ភមាតុភាព)""",
        """The NSSF pays a pension to members who retire, and a maternity benefit when a member gives birth. If this money is unpaid, late or short, you can complain.

Have ready if you can:
- your NSSF card number
- the date you applied
- the date of the birth (for the maternity benefit)""",
    ),
    "NSSF-INFORMAL": (
        "អ្នកធ្វើការដោយខ្លួនឯង៖ ការចុះឈ្មោះ ឬបាត់សមាជិកភាព",
        "Self-employed worker: registration or lost membership",
        """អ្នកប្រកបរបរដោយខ្លួនឯង អាចចូលរបបស្ម័គ្រចិត្តរបស់ ប.ស.ស.។ អ្នកបង់ភាគទានរៀងរាល់ខែ ទទួលការព្យាបាលបានបន្ទាប់ពីបង់ ២ ខែ ហើយបាត់សមាជិកភាព បើមិនបង់រយៈពេល ៦ ខែ។

អ្នកអាចប្ដឹងបាន បើ៖
- អ្នកមិនអាចចុះឈ្មោះបាន
- គេប្រាប់ថាអ្នកបាត់សមាជិកភាព ទោះបីអ្នកបានបង់ហើយក៏ដោយ
- ការបង់ប្រាក់របស់អ្នកមិនត្រូវបានកត់ត្រា

ត្រៀមទុកបើអាច៖
- លេខសមាជិក ប.ស.ស.
- បង្កាន់ដៃ ឬសារបញ្ជាក់ការបង់ប្រាក់ ប្រចាំខែ""",
        """Self-employed people can join the NSSF voluntary scheme. You pay a contribution every month, can receive care after two months of payments, and lose your membership after six months without paying.

You can complain if:
- you could not register
- you are told you lost your membership although you paid
- your payments were not recorded

Have ready if you can:
- your NSSF member number
- the receipts or messages that show your monthly payments""",
    ),
    "HEALTH-FEE": (
        "ត្រូវបង់ថ្លៃ ទោះមានប័ណ្ណក្រីក្រ ឬមូលនិធិសមធម៌",
        "Charged fees despite IDPoor / Health Equity Fund",
        """បើអ្នកមានប័ណ្ណសមធម៌ (IDPoor) ការព្យាបាលនៅមណ្ឌលសុខភាព និងមន្ទីរពេទ្យរដ្ឋ ត្រូវតែឥតគិតថ្លៃ។ មូលនិធិសមធម៌សុខាភិបាល បង់ឱ្យកន្លែងព្យាបាលរួចហើយ។ បើគេយកលុយពីអ្នក អ្នកអាចប្ដឹងបាន។

នេះជាបណ្ដឹងបន្ទាន់៖ វាត្រូវបានដោះស្រាយលឿនជាងបណ្ដឹងធម្មតា។

ត្រៀមទុកបើអាច៖
- ឈ្មោះមណ្ឌលសុខភាព ឬមន្ទីរពេទ្យ
- ថ្ងៃដែលអ្នកទៅព្យាបាល
- ចំនួនប្រាក់ដែលគេយក និងបង្កាន់ដៃ បើមាន""",
        """If you have an IDPoor card, care at public health centres and hospitals must be free. The Health Equity Fund pays the facility. If you were asked to pay, you can complain.

This is an urgent complaint: it is handled faster than ordinary ones.

Have ready if you can:
- the name of the health centre or hospital
- the date of your visit
- how much you paid, and a receipt if you have one""",
    ),
    "HEALTH-DENIED": (
        "ត្រូវបានបដិសេធមិនព្យាបាល",
        "Refused treatment",
        """គ្មានមណ្ឌលសុខភាព ឬមន្ទីរពេទ្យរដ្ឋណាមួយ អាចបដិសេធមិនព្យាបាលអ្នកមានប័ណ្ណសមធម៌ ដោយសារគាត់មិនមានលុយបានទេ។ បើអ្នក ឬសមាជិកគ្រួសារ ត្រូវបានបដិសេធ សូមប្ដឹងភ្លាម។

នេះជាបណ្ដឹងបន្ទាន់បំផុត៖ មូលនិធិមានពេលខ្លីបំផុតដើម្បីឆ្លើយតប។

បើជីវិតមានគ្រោះថ្នាក់ សូមទៅកន្លែងព្យាបាលមួយផ្សេងទៀតជាមុនសិន ហើយប្ដឹងក្រោយ។

ត្រៀមទុកបើអាច៖
- ឈ្មោះកន្លែងព្យាបាល
- ថ្ងៃ និងម៉ោង
- អ្វីដែលបុគ្គលិកបាននិយាយ""",
        """No public health centre or hospital may refuse to treat an IDPoor card holder because they have no money. If you or someone in your family was refused, complain at once.

This is the most urgent kind of complaint: the fund has the shortest time to answer.

If a life is in danger, go to another facility first and complain afterwards.

Have ready if you can:
- the name of the facility
- the date and time
- what the staff said""",
    ),
    "HEALTH-CONDUCT": (
        "អាកប្បកិរិយាបុគ្គលិក ឬគុណភាពនៃការថែទាំ",
        "Staff behaviour or quality of care",
        """អ្នកមានសិទ្ធិទទួលបានការគោរព និងការថែទាំត្រឹមត្រូវ នៅកន្លែងព្យាបាល។ បើបុគ្គលិកនិយាយមិនសមរម្យ មិនយកចិត្តទុកដាក់ ឬការថែទាំមិនល្អ អ្នកអាចប្ដឹងបាន។

ត្រៀមទុកបើអាច៖
- ឈ្មោះកន្លែងព្យាបាល និងផ្នែក
- ថ្ងៃ និងម៉ោង
- អ្វីដែលបានកើតឡើង តាមពាក្យរបស់អ្នក

អ្នកអាចប្ដឹងដោយមិនបញ្ចេញឈ្មោះបាន។""",
        """You have the right to respect and proper care at a health facility. If staff were rude, neglected you, or the care was poor, you can complain.

Have ready if you can:
- the name of the facility and the ward
- the date and time
- what happened, in your own words

You can complain without giving your name.""",
    ),
    "IDPOOR": (
        "មិនត្រូវបានកំណត់ជាគ្រួសារក្រីក្រ (IDPoor)",
        "Left out of IDPoor identification",
        """ប័ណ្ណសមធម៌ (IDPoor) សម្រេចថា គ្រួសារណាអាចទទួលកញ្ចប់គ្រួសារ និងការព្យាបាលដោយឥតគិតថ្លៃ។ ក្រសួងផែនការ ជាអ្នកកំណត់គ្រួសារក្រីក្រ មិនមែនមូលនិធិទេ។

បើអ្នកគិតថាគ្រួសាររបស់អ្នកក្រីក្រ តែមិនត្រូវបានកំណត់ ឬប័ណ្ណរបស់អ្នកផុតសុពលភាព អ្នកអាចប្ដឹងនៅទីនេះ។ ផ្នែកតម្រង់បណ្ដឹងនៃក្រុមប្រឹក្សាជាតិគាំពារសង្គម នឹងទទួលបណ្ដឹងរបស់អ្នក ហើយបញ្ជូនទៅកន្លែងត្រឹមត្រូវ។

ត្រៀមទុកបើអាច៖
- ភូមិ និងឃុំ ឬសង្កាត់របស់អ្នក
- ចំនួនសមាជិកក្នុងគ្រួសារ
- លេខប័ណ្ណចាស់ បើធ្លាប់មាន""",
        """The IDPoor card decides which households can receive the Family Package and free health care. The Ministry of Planning identifies poor households, not the funds.

If you think your household is poor but was left out, or your card has expired, you can complain here. The triage desk of the National Social Protection Council receives your complaint and passes it to the right place.

Have ready if you can:
- your village and commune
- how many people live in your household
- your old card number, if you had one""",
    ),
    "MISCONDUCT": (
        "ការសូកប៉ាន់ ការរំលោភ ឬការប្រព្រឹត្តខុសរបស់មន្ត្រី",
        "Bribery, abuse or misconduct by an official",
        """គ្មានមន្ត្រី មេភូមិ ភ្នាក់ងារ ឬបុគ្គលិកណាម្នាក់ មានសិទ្ធិសុំលុយ ឬអំណោយពីអ្នក ដើម្បីដាក់ឈ្មោះអ្នកក្នុងបញ្ជី ផ្តល់ប្រាក់ឧបត្ថម្ភ ឬព្យាបាលអ្នកទេ។ ការគំរាម ឬការរំលោភក៏មិនត្រូវបានអនុញ្ញាតដែរ។

បណ្ដឹងនេះងាយរងគ្រោះ៖
- អ្នកអាចប្ដឹងដោយមិនបញ្ចេញឈ្មោះ
- ក្រុមប្រឹក្សាជាតិគាំពារសង្គម ដោះស្រាយបណ្ដឹងនេះ មិនមែនការិយាល័យដែលមន្ត្រីនោះធ្វើការទេ
- វាជាបណ្ដឹងបន្ទាន់

បើអ្នកត្រូវបានគំរាម ក្រោយពេលប្ដឹង សូមប្រាប់យើងតាមទំព័រតាមដានបណ្ដឹង។""",
        """No official, village chief, agent or staff member may ask you for money or gifts to put your name on a list, give you support, or treat you. Threats and abuse are not allowed either.

This is a sensitive complaint:
- you can complain without giving your name
- the National Social Protection Council handles it, not the office where the official works
- it is urgent

If you are threatened after complaining, tell us on the tracking page.""",
    ),
    "OTHER": (
        "បញ្ហាផ្សេងទៀត",
        "Something else",
        """បើបញ្ហារបស់អ្នកមិនត្រូវនឹងប្រភេទណាមួយ ឬអ្នកមិនដឹងថាត្រូវប្ដឹងទៅណា សូមប្ដឹងនៅទីនេះ។ ផ្នែកតម្រង់បណ្ដឹងនៃក្រុមប្រឹក្សាជាតិគាំពារសង្គម នឹងអានបណ្ដឹងរបស់អ្នក ហើយបញ្ជូនទៅមូលនិធិដែលត្រឹមត្រូវ។

ពេលវេលាមិនចាប់ផ្តើមឡើងវិញទេ នៅពេលបណ្ដឹងត្រូវបានបញ្ជូនទៅមូលនិធិផ្សេង។

សូមប្រាប់យើងឱ្យបានច្បាស់៖ មានរឿងអ្វីកើតឡើង នៅពេលណា នៅកន្លែងណា និងអ្នកចង់ឱ្យមានអ្វីកើតឡើង។""",
        """If your problem fits no category, or you do not know where to complain, complain here. The triage desk of the National Social Protection Council reads your complaint and sends it to the right fund.

The time limits do not start again when a complaint is passed to another fund.

Tell us clearly: what happened, when, where, and what you would like to happen.""",
    ),
}

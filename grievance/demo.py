"""Demo accounts and a few hundred realistic cases over the last six months."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from grievance.auth.service import create_user
from grievance.cases import service as cases
from grievance.domain.workflow import TransitionRefused
from grievance.extensions import db
from grievance.frontdesk.offices import office_for_place
from grievance.intake.service import Submission, submit
from grievance.models import Case, Category, Fund, MonitorScope, Organisation, RoutingRule, User
from grievance.services.sweep import sweep

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - demo accounts only, printed by make run
DEMO_USERS = [
    # email, role, fund, organisation, name
    ("admin@demo.grievance.kh", "admin", None, None, "Admin Demo"),
    ("council@demo.grievance.kh", "oversight", None, None, "Sokha (NSPC)"),
    ("triage@demo.grievance.kh", "officer", "NSPC", None, "Kosal (NSPC triage desk)"),
    (
        "nsaf.supervisor@demo.grievance.kh",
        "supervisor",
        "NSAF",
        None,
        "Dara (NSAF supervisor)",
    ),
    ("nsaf.officer@demo.grievance.kh", "officer", "NSAF", None, "Vanna (NSAF officer)"),
    (
        "nssf.supervisor@demo.grievance.kh",
        "supervisor",
        "NSSF",
        None,
        "Chenda (NSSF supervisor)",
    ),
    ("nssf.officer@demo.grievance.kh", "officer", "NSSF", None, "Rith (NSSF officer)"),
    (
        "health.supervisor@demo.grievance.kh",
        "supervisor",
        "HEALTH",
        None,
        "Bopha (Health supervisor)",
    ),
    (
        "health.officer@demo.grievance.kh",
        "officer",
        "HEALTH",
        None,
        "Sophal (Health officer)",
    ),
    (
        "monitor@demo.grievance.kh",
        "monitor",
        None,
        "Social Protection CSO Network",
        "Kanha (CSO monitor)",
    ),
    (
        "union@demo.grievance.kh",
        "monitor",
        None,
        "Informal Workers Union",
        "Piseth (union monitor)",
    ),
    ("desk.siemreap@demo.grievance.kh", "frontdesk", None, None, "Srey Leak (Siem Reap front desk)"),
    ("desk.phnompenh@demo.grievance.kh", "frontdesk", None, None, "Visal (Phnom Penh sangkat desk)"),
    ("desk.battambang@demo.grievance.kh", "frontdesk", None, None, "Makara (Battambang front desk)"),
]
# Accounts the admin demo adds (an invitation not yet accepted, someone who left): nobody logs in with them.
DEMO_EXTRA_ACCOUNTS = ("new.officer@demo.grievance.kh", "left.officer@demo.grievance.kh")
DEMO_ORG_KINDS = {"Social Protection CSO Network": "cso", "Informal Workers Union": "union"}
# Front-desk accounts sit at one of the seeded offices: (district code, commune code).
DEMO_DESK_OFFICES = {
    "desk.siemreap@demo.grievance.kh": ("1710", None),
    "desk.phnompenh@demo.grievance.kh": ("1204", "120401"),
    "desk.battambang@demo.grievance.kh": ("0203", None),
}

STORIES = {
    "NSAF-CT-MISSING": [
        "ខ្ញុំមិនទាន់បានទទួលប្រាក់ឧបត្ថម្ភកញ្ចប់គ្រួសារ ចំនួនពីរខែហើយ។",
        "The Family Package payment for my children has not arrived for two months.",
    ],
    "NSAF-CT-AMOUNT": [
        "ភ្នាក់ងារបើកប្រាក់កាត់ប្រាក់ ១០,០០០ រៀល ពីប្រាក់ឧបត្ថម្ភរបស់ខ្ញុំ។",
        "The paying agent kept 10,000 riel from my cash support.",
    ],
    "NSAF-ELIG": [
        "ឈ្មោះម្តាយខ្ញុំត្រូវបានដកចេញពីកម្មវិធីជនចាស់ ដោយគ្មានហេតុផល។",
        "My mother was dropped from the older people programme.",
    ],
    "NSAF-SCHOLAR": [
        "កូនស្រីខ្ញុំរៀនថ្នាក់ទី៧ តែមិនបានទទួលអាហារូបករណ៍ឆមាសនេះ។",
        "My daughter's scholarship was not paid this term.",
    ],
    "NSAF-PENSION": [
        "សោធននិវត្តន៍អតីតយុទ្ធជនរបស់ឪពុកខ្ញុំយឺតបីខែ។",
        "My father's veteran pension is three months late.",
    ],
    "IDPOOR": [
        "គ្រួសារខ្ញុំក្រីក្រ តែមិនត្រូវបានចុះឈ្មោះក្នុងប័ណ្ណ IDPoor ទេ។",
        "We are poor but were left out of the IDPoor survey.",
    ],
    "NSSF-CONTRIB": [
        "រោងចក្រកាត់ប្រាក់ខែខ្ញុំ តែមិនបង់ភាគទានទៅ ប.ស.ស. ទេ។",
        "My factory deducts contributions but does not pay NSSF.",
    ],
    "NSSF-INJURY": [
        "ខ្ញុំរងរបួសដៃនៅកន្លែងការងារ តែសំណងមិនទាន់បានទទួល។",
        "I injured my hand at work and the claim is still unpaid.",
    ],
    "NSSF-PENSION": [
        "ប្រាក់ឧបត្ថម្ភមាតុភាពរបស់ខ្ញុំមិនទាន់បានបើក។",
        "My maternity benefit has not been paid.",
    ],
    "NSSF-INFORMAL": [
        "ខ្ញុំជាអ្នករត់តុកតុក បង់ភាគទានរួច តែគេថាខ្ញុំបាត់សមាជិកភាព។",
        "I drive a tuk-tuk and paid, but they say I lost membership.",
    ],
    "NSSF-HEALTH": [
        "មន្ទីរពេទ្យមិនព្រមទទួលប័ណ្ណ ប.ស.ស. របស់ខ្ញុំ។",
        "The hospital refused my NSSF card.",
    ],
    "HEALTH-FEE": [
        "មណ្ឌលសុខភាពយកថ្លៃ ២០,០០០ រៀល ទោះខ្ញុំមានប័ណ្ណក្រីក្រ។",
        "The health centre charged me although I hold an IDPoor card.",
    ],
    "HEALTH-DENIED": [
        "គេបដិសេធមិនព្យាបាលកូនខ្ញុំនៅពេលយប់។",
        "They refused to treat my child at night.",
    ],
    "HEALTH-CONDUCT": ["បុគ្គលិកនិយាយមិនសមរម្យជាមួយម្តាយខ្ញុំ។", "A nurse was rude to my mother."],
    "MISCONDUCT": [
        "មេភូមិសុំលុយ ដើម្បីដាក់ឈ្មោះខ្ញុំក្នុងបញ្ជី។",
        "The village chief asked for money to put my name on the list.",
    ],
    "OTHER": ["ខ្ញុំមិនដឹងថាត្រូវដាក់ពាក្យនៅណា។", "I do not know where to apply for support."],
}


def ensure_demo_users() -> list[tuple[str, str]]:
    created = []
    for email, role, fund, org, name in DEMO_USERS:
        if db.session.execute(select(User.id).where(User.email == email)).first() is None:
            office = office_for_place(*DEMO_DESK_OFFICES[email]) if role == "frontdesk" else None
            create_user(
                email,
                DEMO_PASSWORD,
                role,
                name=name,
                fund_code=fund,
                org_name=org,
                org_kind=DEMO_ORG_KINDS.get(org, "cso"),
                office_id=None if office is None else office.id,
            )
            created.append((email, role))
    return created


# What each demo organisation's monitors watch (a scope with no rows shows them only their own filings).
DEMO_SCOPES = {
    "Social Protection CSO Network": [(None, None)],  # every case
    "Informal Workers Union": [(None, "NSSF-INFORMAL"), (None, "NSSF-CONTRIB"), (None, "NSSF-INJURY")],
}


def ensure_demo_scopes() -> int:
    from grievance.monitoring.service import add_scope

    added = 0
    # Scopes are an administrator's to set: the demo's administrator sets them (on record as such).
    admin = db.session.execute(select(User).where(User.email == "admin@demo.grievance.kh")).scalar_one()
    for org_name, rules in DEMO_SCOPES.items():
        org = db.session.execute(select(Organisation).where(Organisation.name == org_name)).scalar()
        if (
            org is None
            or db.session.execute(select(MonitorScope.id).where(MonitorScope.organisation_id == org.id)).first()
        ):
            continue
        for province, code in rules:
            category = (
                None if code is None else db.session.execute(select(Category).where(Category.code == code)).scalar()
            )
            add_scope(org, admin, province, category)
            added += 1
    return added


def demo_cases_exist() -> bool:
    return db.session.execute(select(func.count()).select_from(Case)).scalar_one() > 0


def seed_demo(
    n_cases: int = 300,
    *,
    key: bytes,
    now: datetime | None = None,
    seed: int = 2026,
    progress=None,
) -> int:
    """Create demo cases with realistic histories; returns how many were made (0 if already there)."""
    ensure_demo_users()
    ensure_demo_scopes()
    if demo_cases_exist():
        return 0
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    categories = db.session.execute(select(Category).order_by(Category.position)).scalars().all()
    staff = {
        f.code: db.session.execute(select(User).where(User.fund_id == f.id, User.role == "officer")).scalar()
        for f in db.session.execute(select(Fund)).scalars()
    }
    nssf = db.session.execute(select(Fund).where(Fund.code == "NSSF")).scalar_one()
    monitor = db.session.execute(select(User).where(User.role == "monitor")).scalar()
    weights = [9, 5, 4, 3, 2, 4, 6, 3, 2, 4, 3, 5, 2, 2, 2, 2]
    for i in range(n_cases):
        received = now - timedelta(days=rng.uniform(0.2, 182), hours=rng.uniform(0, 8))
        cat = rng.choices(categories, weights=weights[: len(categories)])[0]
        story = rng.choice(STORIES[cat.code])
        khmer = not story.isascii()
        mode = rng.choice(["anonymous", "anonymous", "confidential", "named"])
        assisted = rng.random() < 0.1
        sub = Submission(
            category_code=cat.code,
            description=story,
            channel="assisted" if assisted else rng.choice(["web", "web", "web", "api", "phone"]),
            identity_mode=mode,
            language="km" if khmer else "en",
            province_code=f"{rng.randint(1, 25):02d}",
            name=None if mode == "anonymous" else rng.choice(["សុខ ស្រីមុំ", "ចាន់ ដារ៉ា", "Keo Sophea", "លី វណ្ណា"]),
            phone=None
            if mode == "anonymous"
            else f"0{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            gender=rng.choice(["female", "female", "male", None]),
            disability=rng.random() < 0.1,
            idpoor=rng.random() < 0.5,
            informal_worker=rng.random() < 0.3,
            indigenous=rng.random() < 0.05,
            people_affected=rng.choice([1] * 9 + [rng.randint(5, 60)]),
            consent_given=assisted,
        )
        receipt = submit(
            sub,
            key=key,
            actor=monitor if assisted else None,
            organisation=monitor.organisation if assisted else None,
            now=received,
        )
        _play_history(receipt.case, rng, received, now, staff, nssf)
        if progress and (i + 1) % 50 == 0:
            progress(i + 1)
    sweep(now)
    seed_admin_demo(now)
    db.session.flush()
    return n_cases


def seed_admin_demo(now: datetime) -> None:
    """Something for an administrator to see: a pending invitation, a disabled account, a platform with a
    relay key, a closure day ahead (moving open cases' dates), scheduled terms, a provincial routing rule,
    each done through the admin services so the change log shows them."""
    from grievance.admin import calendar, organisations, routing, service_levels, users
    from grievance.auth.service import AccountError
    from grievance.domain.calendar import local_date
    from grievance.services import reference

    admin = db.session.execute(select(User).where(User.email == "admin@demo.grievance.kh")).scalar_one()
    funds = {f.code: f for f in db.session.execute(select(Fund)).scalars()}
    try:
        users.invite(
            admin,
            email="new.officer@demo.grievance.kh",
            name="Nary (invited NSAF officer)",
            role="officer",
            fund=funds["NSAF"],
            locale="km",
            now=now,
        )
    except AccountError:
        pass  # no PUBLIC_BASE_URL: no invitation link can be built
    left = create_user(
        "left.officer@demo.grievance.kh", DEMO_PASSWORD, "officer", name="Kosal (left NSSF)", fund_code="NSSF"
    )
    users.disable(admin, left, left.version)
    platform = organisations.create(admin, name="FixMyStreet Cambodia (demo)", kind="platform")
    organisations.issue_key(admin, platform, "relay")
    informal = db.session.execute(select(Category).where(Category.code == "NSSF-INFORMAL")).scalar_one()
    general = db.session.execute(select(RoutingRule).where(RoutingRule.category_id == informal.id)).scalar_one()
    routing.add(
        admin,
        routing.table_version(),
        category=informal,
        province="17",
        fund=funds["NSSF"],
        office="NSSF Siem Reap branch",
        before=general,
    )
    closure = reference.working_calendar().add_working_days(local_date(now), 8)
    calendar.add(
        admin,
        calendar.calendar_version(),
        closure,
        reason_en="Commune election day (demo)",
        reason_km="ថ្ងៃបោះឆ្នោតឃុំ (សាកល្បង)",
        now=now,
    )
    first_of_next_month = (local_date(now).replace(day=1) + timedelta(days=32)).replace(day=1)
    urgent = service_levels.scope_from_key("urgent")
    service_levels.schedule(
        admin,
        urgent,
        service_levels.latest_id(urgent),
        first_of_next_month,
        {
            "ack_days": 1,
            "resolve_days": 4,
            "loop_days": 5,
            "warn_percent": 75,
            "escalate_after_days": 3,
            "reopen_window_days": 30,
            "appeal_days": 10,
        },
        now=now,
    )


def _play_history(case, rng, received, now, staff, nssf) -> None:
    officer = staff[case.fund.code]  # the council's triage desk handles NSPC's cases; its readers act on none
    t = received
    age_days = (now - received).days

    def step(hours_lo, hours_hi):
        nonlocal t
        t = t + timedelta(hours=rng.uniform(hours_lo, hours_hi))
        return t < now - timedelta(minutes=5)

    try:
        if rng.random() < 0.12 or not step(2, 60 if rng.random() < 0.85 else 150):
            return  # never acknowledged (some will breach)
        cases.acknowledge(
            case,
            officer,
            "សូមអរគុណ។ យើងបានទទួលពាក្យបណ្តឹងរបស់អ្នក ហើយកំពុងពិនិត្យ។"
            if case.language == "km"
            else "Thank you. We have received your complaint and are looking into it.",
            now=t,
        )
        if case.fund.code == "NSAF" and rng.random() < 0.06 and step(5, 30):
            cases.transfer(case, officer, nssf, "This concerns an NSSF contribution.", now=t)
            officer = staff.get("NSSF") or officer
        if not step(1, 40):
            return
        cases.start(case, officer, now=t)
        if rng.random() < 0.2 and step(4, 48):
            cases.request_info(case, officer, "Please send a photo of your card.", now=t)
            if rng.random() < 0.3 or not step(24, 24 * 6):
                return
            cases.provide_info(case, None, "I have sent the photo to the commune office.", now=t)
        if age_days < 10 and rng.random() < 0.6:
            return
        if not step(24, 24 * (8 if rng.random() < 0.8 else 40)):
            return
        if rng.random() < 0.88:
            cases.resolve(
                case,
                officer,
                rng.choice(["remedied", "remedied", "explained", "not_upheld", "referred"]),
                "The payment has been made to your account."
                if case.language == "en"
                else "ប្រាក់ត្រូវបានបើកចូលគណនីរបស់អ្នករួចហើយ។",
                now=t,
            )
        else:
            cases.reject(
                case,
                officer,
                "This is outside what the fund can do; please contact the commune council.",
                now=t,
            )
        if step(24, 24 * 10):
            solved = rng.random() < 0.75
            cases.record_feedback(case, solved, now=t)
            if not solved:
                return
        if step(24 * 5, 24 * 20):
            cases.close(case, officer, now=t)
    except TransitionRefused:
        return

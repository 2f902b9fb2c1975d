"""One conversation for SMS and Telegram: file a complaint, follow it, answer, recover a lost code.

Each inbound message moves a draft (intake/drafts.py) one question on, so nothing is lost between
messages and an exchange left alone is forgotten after `Settings.lifetime` (it can be restarted at
any time with the keyword). What a person asks for goes through the services every other channel
uses: the answers become a Submission through intake/mapping, information is added and "did this
solve it?" answered through cases/service, and anything the fund wrote passes through
services/disclosure before it is sent back. Nothing here logs a text, a number or a chat id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from grievance.cases import service as case_service
from grievance.chat.texts import say
from grievance.domain import codes, dates, phone, smslen
from grievance.domain.calendar import TZ
from grievance.domain.text import TextRejected, clean_text
from grievance.domain.workflow import TransitionRefused
from grievance.extensions import db
from grievance.geo import provinces
from grievance.intake import drafts, mapping, uploads
from grievance.intake import service as intake
from grievance.models import Case, Complainant, Draft
from grievance.models.timeutil import from_db
from grievance.services import audit, disclosure, reference

FILE_WORDS = {"ប្តឹង", "បណ្តឹង", "ដាក់បណ្តឹង", "ពាក្យបណ្តឹង", "complain", "complaint", "new", "file", "/start", "/new"}
CODE_WORDS = {"លេខកូដ", "កូដ", "code", "lost", "/code"}
CANCEL_WORDS = {"បោះបង់", "ឈប់", "cancel", "/cancel"}
TRACK_WORDS = {"តាមដាន", "track", "/track", "status"}
STOP_WORDS = {"/stop"}
HELP_WORDS = {"ជំនួយ", "help", "/help"}
KHMER_SCRIPT = re.compile("[\u1780-\u17ff]")
REFERENCE = re.compile(r"GRV[\s\-_.]*(\d{4})[\s\-_.]*(\d{1,9})", re.IGNORECASE)
SITUATIONS = ("money", "work", "health", "other")
MAX_FILES = uploads.MAX_FILES
OTP_MINUTES = 10
OTP_TRIES = 3


@dataclass(frozen=True)
class Settings:
    """What differs between the channels."""

    channel: str  # "sms" or "telegram"
    lifetime: timedelta
    upload_dir: str
    max_text: int  # the longest description or added information a message may carry
    files: bool = False  # Telegram: photos and documents
    sms_limit: bool = True  # keep every reply within smslen.MAX_PARTS
    khmer_digits: bool = False  # an administrator's choice (KHMER_DIGITS)


@dataclass(frozen=True)
class Incoming:
    owner: str  # the sender's phone number (SMS) or the chat id (Telegram): never stored as such
    text: str
    files: tuple[uploads.PreparedFile, ...] = ()
    refused_files: int = 0  # files that could not be accepted (wrong type, too large)
    language: str | None = None  # what the channel says the person reads (Telegram's language_code)


@dataclass
class Reply:
    text: str
    secret: str | None = None
    case: Case | None = None  # the outbox row names the case only when that reveals nothing
    to: str | None = None  # another recipient than the sender (the phone on record)
    options: tuple[str, ...] = ()  # Telegram shows them as buttons
    subscribe: str | None = None  # Telegram: this chat asked for news of this case (its reference)


@dataclass
class Outcome:
    replies: list[Reply] = field(default_factory=list)
    case: Case | None = None  # a case filed by this message


def normalise(text: str) -> str:
    """For recognising words and numbers: NFC, Khmer digits as 0-9, one spelling of coeng ta/da, no ZWSP."""
    text = unicodedata.normalize("NFC", text or "").translate(phone.KHMER_DIGITS)
    text = text.replace("\u17d2\u178a", "\u17d2\u178f").replace("\u200b", "")
    return " ".join(text.split()).strip().lower()


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0] if text else ""


def language_of(text: str, fallback: str | None) -> str:
    if KHMER_SCRIPT.search(text or ""):
        return "km"
    if fallback in ("km", "en"):
        return fallback
    return "en" if text and text.isascii() and any(ch.isalpha() for ch in text) else "km"


def parse_reference(text: str) -> tuple[str, str] | None:
    """(reference, what else was written: the code) from a free-form text; None without a reference."""
    match = REFERENCE.search(text[:400])
    if match is None:
        return None
    reference = f"GRV-{match.group(1)}-{int(match.group(2)):06d}"
    rest = text[: match.start()] + " " + text[match.end() :]
    return reference, "".join(ch for ch in rest[:400] if ch.isascii() and ch.isalnum())


def _choice(text: str) -> int | None:
    """The number a person answered with ('2', '2 Work and NSSF', '២')."""
    word = _first_word(normalise(text)).rstrip(".)")
    return int(word) if word.isdecimal() and len(word) <= 3 else None


def _hash(value: str, key: bytes) -> str:
    return hmac.new(key, value.encode("ascii"), hashlib.sha256).hexdigest()


class Conversation:
    """Answer one inbound message; the draft (if any) is the state, the caller commits."""

    def __init__(self, settings: Settings, key: bytes, *, now: datetime | None = None) -> None:
        self.settings = settings
        self.key = key
        self.now = now or datetime.now(timezone.utc)
        self.lang = "km"
        self.draft: Draft | None = None

    # --- plumbing ----------------------------------------------------------------------------

    def say(self, key: str, **values) -> str:
        return say(key, self.lang, **values)

    def _start(self, owner: str, flow: str, step: str, values: dict | None = None, lifetime=None) -> None:
        self.draft = drafts.start(
            self.settings.channel,
            owner,
            self.key,
            flow=flow,
            step=step,
            language=self.lang,
            lifetime=lifetime or self.settings.lifetime,
            values=values,
            now=self.now,
        )

    def _save(self, step: str | None = None, **answers) -> dict:
        return drafts.update(self.draft, lifetime=self.settings.lifetime, step=step, now=self.now, **answers)

    def _end(self) -> None:
        if self.draft is not None:
            drafts.discard(self.draft, self.settings.upload_dir)
            self.draft = None

    def _menu(self, header: str, options: list[str], page: int = 0) -> tuple[str, tuple[str, ...], bool]:
        """The header and as many numbered options as fit in one reply; (text, options shown, more?)."""
        numbered = [f"{n} {label}" for n, label in enumerate(options, 1)]
        if not self.settings.sms_limit:
            return " ".join([header, *numbered]), tuple(numbered), False
        more = self.say("more")
        pages: list[list[str]] = [[]]
        for item in numbered:
            candidate = " ".join([header, *pages[-1], item, more])
            if pages[-1] and not smslen.fits(candidate):
                pages.append([])
            pages[-1].append(item)
        page = page % len(pages)
        has_more = len(pages) > 1
        shown = pages[page] + ([more] if has_more else [])
        return " ".join([header, *shown]), tuple(shown), has_more

    # --- entry point -------------------------------------------------------------------------

    def handle(self, message: Incoming) -> Outcome:
        text = (message.text or "").strip()
        plain = normalise(text)
        word = _first_word(plain)
        self.draft = drafts.find(self.settings.channel, message.owner, self.key, now=self.now)
        self.lang = self.draft.language if self.draft else language_of(text, message.language)
        # In the middle of an exchange only the bare keyword restarts it ("new payment..." is an answer).
        restart = plain in FILE_WORDS or (self.draft is None and word in FILE_WORDS)
        recover = word in CODE_WORDS and (self.draft is None or parse_reference(text) is not None)
        if self.draft is not None and not restart and not recover:
            if plain in CANCEL_WORDS:
                self._end()
                return Outcome([Reply(self.say("cancelled"))])
            if not (parse_reference(text) and self.draft.flow != "file"):
                return getattr(self, f"_{self.draft.flow}")(message, text)
        if restart:
            self.lang = language_of(text, message.language)
            if word == "/start":
                return self._welcome()
            return self._begin_filing(message.owner)
        if recover:
            self.lang = language_of(text, message.language)
            return self._recover_start(message, text)
        if word in STOP_WORDS:
            return Outcome([Reply(self.say("stopped"), subscribe="")])
        if word in TRACK_WORDS and parse_reference(text) is None:
            return Outcome([Reply(self.say("track.ask"))])
        if word in HELP_WORDS:
            return self._welcome()
        if parse_reference(text) is not None:
            return self._track(message, text)
        if drafts.expired(self.settings.channel, message.owner, self.key, now=self.now):
            stale = db.session.execute(
                select(Draft).where(
                    Draft.channel == self.settings.channel,
                    Draft.owner_hash == drafts.owner_hash(self.settings.channel, message.owner, self.key),
                )
            ).scalar_one()
            self.lang = stale.language
            drafts.discard(stale, self.settings.upload_dir)
            return Outcome([Reply(self.say("timed_out"))])
        return self._unknown()

    def _welcome(self) -> Outcome:
        return Outcome([Reply(self.say("welcome"), options=(self.say("button.complain"),))])

    def _unknown(self) -> Outcome:
        from grievance.sms import replies

        if self.settings.channel == "sms":
            return Outcome([Reply(replies.NOT_FOUND)])
        return self._welcome()

    # --- filing ------------------------------------------------------------------------------

    def _situations(self) -> list[str]:
        present = {c.situation for c in reference.active_categories()}
        return [s for s in SITUATIONS if s in present]

    def _ask_situation(self, prefix: str = "") -> Reply:
        labels = [self.say(f"situation.{s}") for s in self._situations()]
        text, shown, _more = self._menu(self.say("situation"), labels)
        return Reply(prefix + text, options=shown)

    def _begin_filing(self, owner: str) -> Outcome:
        self._start(owner, "file", "situation")
        return Outcome([self._ask_situation()])

    def _categories(self, situation: str):
        return [c for c in reference.active_categories() if c.situation == situation]

    def _ask_category(self, answers: dict, prefix: str = "") -> Reply:
        names = [c.name(self.lang) for c in self._categories(answers["situation"])]
        text, shown, _more = self._menu(self.say("category"), names, answers.get("page", 0))
        return Reply(prefix + text, options=shown)

    def _province_names(self) -> list[str]:
        return [p.name_kh if self.lang == "km" else p.name_en for p in provinces()]

    def _ask_province(self, answers: dict, prefix: str = "") -> Reply:
        text, shown, _more = self._menu(self.say("province"), self._province_names(), answers.get("page", 0))
        return Reply(prefix + text, options=shown)

    def _ask_identity(self) -> Reply:
        text = self.say(f"identity.{self.settings.channel}")
        return Reply(text, options=("1", "2"))

    def _again(self, reply: Reply) -> Outcome:
        reply.text = self.say("again") + reply.text
        if self.settings.sms_limit and not smslen.fits(reply.text):
            reply.text = reply.text[len(self.say("again")) :]
        return Outcome([reply])

    def _file(self, message: Incoming, text: str) -> Outcome:
        answers = drafts.values(self.draft)
        step = self.draft.step
        number = _choice(text)
        if step == "situation":
            situations = self._situations()
            if number is None or not 1 <= number <= len(situations):
                return self._again(self._ask_situation())
            answers = self._save("category", situation=situations[number - 1], page=0)
            return Outcome([self._ask_category(answers)])
        if step == "category":
            found = self._categories(answers["situation"])
            if number == 0:
                answers = self._save(page=answers.get("page", 0) + 1)
                return Outcome([self._ask_category(answers)])
            if number is None or not 1 <= number <= len(found):
                return self._again(self._ask_category(answers))
            answers = self._save("province", category=found[number - 1].code, page=0)
            return Outcome([self._ask_province(answers)])
        if step == "province":
            return self._answer_province(answers, text, number)
        if step == "description":
            return self._answer_description(message, text)
        if step == "files":
            return self._answer_files(message, number)
        if step == "identity":
            if number not in (1, 2):
                return self._again(self._ask_identity())
            keep = number == (1 if self.settings.channel == "sms" else 2)
            self._save("name" if keep else "send", identity_mode="confidential" if keep else "anonymous")
            if not keep:
                return self._after_identity(message)
            return Outcome([Reply(self.say("name"))])
        if step == "name":
            try:
                name = clean_text(text, max_length=200, multiline=False)
            except TextRejected:
                name = ""
            if not name:
                return Outcome([Reply(self.say("text.bad"))])
            if self.settings.channel == "sms":
                self._save("send", name=name, phone=message.owner, sms_opt_in="y")
                return self._after_identity(message)
            self._save("phone", name=name)
            return Outcome([Reply(self.say("phone"), options=("0",))])
        if step == "phone":
            if number == 0:
                self._save("updates")
            elif phone.normalise(text) is None or len(text) > 20:
                return Outcome([Reply(self.say("phone.bad"))])
            else:
                self._save("updates", phone=" ".join(text.split()))
            return Outcome([Reply(self.say("updates"), options=("1", "2"))])
        if step == "updates":
            if number not in (1, 2):
                return self._again(Reply(self.say("updates"), options=("1", "2")))
            self._save("send", updates="y" if number == 1 else None)
            return self._send(message)
        return self._begin_filing(message.owner)

    def _answer_province(self, answers: dict, text: str, number: int | None) -> Outcome:
        places = provinces()
        if number == 0:
            answers = self._save(page=answers.get("page", 0) + 1)
            return Outcome([self._ask_province(answers)])
        chosen = None
        if number is not None and 1 <= number <= len(places):
            chosen = places[number - 1]
        else:
            chosen = _province_named(text, places)
        if chosen is None:
            return self._again(self._ask_province(answers))
        self._save("description", province=chosen.code, page=None)
        return Outcome([Reply(self.say("describe"))])

    def _answer_description(self, message: Incoming, text: str) -> Outcome:
        try:
            description = clean_text(text, max_length=self.settings.max_text)
        except TextRejected:
            description = None
        if message.files and self.settings.files:
            # A photo with a caption: the caption is the description, the photo the first file.
            outcome = self._keep_files(message)
            if description:
                self._save("files", description=description)
            return outcome
        if not description:
            return Outcome([Reply(self.say("text.bad" if text else "describe"))])
        if self.settings.files:
            self._save("files", description=description)
            return Outcome([Reply(self.say("photo"), options=("0",))])
        self._save("identity", description=description)
        return Outcome([self._ask_identity()])

    def _keep_files(self, message: Incoming) -> Outcome:
        kept = len(self.draft.uploads)
        room = MAX_FILES - kept
        taking = list(message.files[:room])
        if taking:
            drafts.add_uploads(self.draft, taking, self.settings.upload_dir)
        kept += len(taking)
        answers = drafts.values(self.draft)
        self._save("files" if answers.get("description") else "description")
        if message.refused_files and not taking:
            return Outcome([Reply(self.say("photo.refused"))])
        if kept >= MAX_FILES:
            self._save("identity")
            return Outcome([Reply(self.say("photo.full")), self._ask_identity()])
        if not answers.get("description"):
            return Outcome([Reply(self.say("photo.got", n=kept)), Reply(self.say("describe"))])
        return Outcome([Reply(self.say("photo.got", n=kept), options=("0",))])

    def _answer_files(self, message: Incoming, number: int | None) -> Outcome:
        if message.files or message.refused_files:
            return self._keep_files(message)
        if number == 0:
            self._save("identity")
            return Outcome([self._ask_identity()])
        return self._again(Reply(self.say("photo"), options=("0",)))

    def _after_identity(self, message: Incoming) -> Outcome:
        if self.settings.channel == "telegram" and drafts.values(self.draft).get("identity_mode") == "anonymous":
            self._save("updates")
            return Outcome([Reply(self.say("updates"), options=("1", "2"))])
        return self._send(message)

    def _send(self, message: Incoming) -> Outcome:
        """File the complaint: the answers become a Submission like every other channel's."""
        answers = drafts.values(self.draft)
        if answers.get("category") not in {c.code for c in reference.active_categories()}:
            # Withdrawn by an administrator while the person was answering: choose again.
            self._save("situation", category=None)
            return Outcome([self._ask_situation(self.say("again"))])
        sub = mapping.to_submission(answers, channel=self.settings.channel, language=self.lang)
        receipt = intake.submit(sub, key=self.key, now=self.now)
        drafts.attach_uploads(self.draft, receipt.case)
        drafts.finish(self.draft)
        self.draft = None
        case = receipt.case
        due = dates.day(from_db(case.resolve_due_at).astimezone(TZ), self.lang, khmer=self.settings.khmer_digits)
        anonymous = case.identity_mode == "anonymous"
        text = self.say("received", ref=case.reference, due=due)
        if anonymous:
            text += self.say("received.anonymous")
        reply = Reply(
            text,
            secret=receipt.tracking_code,
            # An anonymous complainant's number (or chat) is not tied to the case in the outbox.
            case=None if anonymous else case,
            subscribe=case.reference if answers.get("updates") else None,
        )
        return Outcome([reply], case=case)

    # --- following a complaint ---------------------------------------------------------------

    def _track(self, message: Incoming, text: str) -> Outcome:
        from grievance.sms import replies
        from grievance.sms import service as sms_service

        reference_text, code = parse_reference(text)
        case = intake.find_by_tracking(reference_text, code, self.key)
        if case is None:
            if self.draft is not None and self.draft.flow == "follow":
                self._end()
            return Outcome([Reply(replies.NOT_FOUND if self.settings.channel == "sms" else self.say("track.ask"))])
        self.lang = case.language if case.language in ("km", "en") else "km"
        status, _lang = sms_service.reply_for(case)
        if self.settings.channel == "telegram":
            last = _last_public_message(case)
            if last:
                status += "\n" + self.say("last_message", message=disclosure.redact(case, last))
        options = self._follow_options(case)
        self._start(message.owner, "follow", "menu", {"case_id": case.id})
        replies_out = [Reply(status, case=case)]
        if options:
            menu = " ".join([self.say("follow"), *options])
            joined = status + ("\n" if not self.settings.sms_limit else " ") + menu
            if not self.settings.sms_limit or smslen.fits(joined):
                replies_out[0].text = joined
                replies_out[0].options = tuple(options)
            else:  # a Khmer status fills its three parts: the choices follow in a second message
                replies_out.append(Reply(menu, case=case, options=tuple(options)))
        else:
            self._end()
        return Outcome(replies_out)

    def _follow_options(self, case: Case) -> list[str]:
        options = []
        if case.is_open:
            options.append(self.say("follow.info"))
        if case.status in ("resolved", "rejected") and case.satisfied is None:
            options += [self.say("follow.yes"), self.say("follow.no"), self.say("follow.council")]
        return options

    def _follow(self, message: Incoming, text: str) -> Outcome:
        case = db.session.get(Case, drafts.values(self.draft).get("case_id"))
        if case is None:
            self._end()
            return self._unknown()
        self.lang = self.draft.language
        number = _choice(text)
        if self.draft.step == "info":
            try:
                info = clean_text(text, max_length=self.settings.max_text)
            except TextRejected:
                info = ""
            if not info:
                return Outcome([Reply(self.say("text.bad"))])
            if not case.is_open:
                self._end()
                return Outcome([Reply(self.say("cannot"))])
            case_service.add_information(case, info, now=self.now)
            self._end()
            return Outcome([Reply(self.say("info.done", ref=case.reference), case=case)])
        if number == 1 and case.is_open:
            self._save("info")
            return Outcome([Reply(self.say("info.ask"))])
        if number in (2, 3, 4) and case.status in ("resolved", "rejected") and case.satisfied is None:
            self._end()
            return Outcome([self._feedback(case, solved=number == 2, council=number == 4)])
        options = self._follow_options(case)
        if not options:
            self._end()
            return Outcome([Reply(self.say("cannot"))])
        return self._again(Reply(" ".join([self.say("follow"), *options]), options=tuple(options)))

    def _feedback(self, case: Case, *, solved: bool, council: bool = False) -> Reply:
        """'Did this solve it?' through the one service every channel calls; 'no' in time is an appeal."""
        try:
            case_service.record_feedback(case, solved, now=self.now, council=council, via=self.settings.channel)
        except TransitionRefused:
            return Reply(self.say("cannot"))
        if solved:
            return Reply(self.say("feedback.yes", ref=case.reference), case=case)
        appealed = case.status == "reopened"
        return Reply(self.say("feedback.appeal" if appealed else "feedback.late", ref=case.reference), case=case)

    # --- a lost code -------------------------------------------------------------------------

    def _recover_start(self, message: Incoming, text: str) -> Outcome:
        if self.settings.channel != "sms":
            return Outcome([Reply(self.say("recover.telegram"))])
        found = parse_reference(text)
        if found is None:
            return Outcome([Reply(self.say("recover.how"))])
        reference_text = found[0]
        parsed = codes.parse_reference(reference_text)
        case = None
        if parsed is not None:
            case = db.session.execute(
                select(Case).where(Case.year == parsed[0], Case.number == parsed[1])
            ).scalar_one_or_none()
        person: Complainant | None = None if case is None else case.complainant
        matches = (
            case is not None
            and case.identity_mode != "anonymous"
            and person is not None
            and phone.same_number(message.owner, person.phone)
        )
        # The same state whether the number matched or not: a guess at the code fails either way.
        otp = f"{secrets.randbelow(10**6):06d}"
        values = {"case_id": case.id if matches else None, "otp": _hash(otp, self.key) if matches else None, "tries": 0}
        self._start(message.owner, "recover", "otp", values, lifetime=timedelta(minutes=OTP_MINUTES))
        if not matches:
            return Outcome([Reply(self.say("recover.sent", ref=reference_text))])
        self.lang = case.language if case.language in ("km", "en") else "km"
        return Outcome([Reply(self.say("recover.otp", ref=case.reference), secret=otp, case=case, to=person.phone)])

    def _recover(self, message: Incoming, text: str) -> Outcome:
        answers = drafts.values(self.draft)
        given = "".join(ch for ch in normalise(text) if ch.isdigit())
        expected = answers.get("otp")
        if expected and len(given) == 6 and hmac.compare_digest(_hash(given, self.key), expected):
            case = db.session.get(Case, answers["case_id"])
            self._end()
            self.lang = case.language if case.language in ("km", "en") else "km"
            code = case_service.reissue_tracking_code(case, None, key=self.key, how="sms", now=self.now)
            return Outcome([Reply(self.say("recover.done", ref=case.reference), secret=code, case=case)])
        tries = answers.get("tries", 0) + 1
        if tries >= OTP_TRIES:
            self._end()
            return Outcome([Reply(self.say("recover.failed"))])
        self._save(tries=tries)
        return Outcome([Reply(self.say("recover.wrong"))])


def _province_named(text: str, places) -> object | None:
    """The province a person typed ('កំពត', 'Siem Reap', 'phnom penh'): exact, else the one name it starts or is in."""
    wanted = normalise(text).replace(" ", "")
    if len(wanted) < 3:
        return None

    def names(place) -> tuple[str, str]:
        return normalise(place.name_kh).replace(" ", ""), normalise(place.name_en).replace(" ", "")

    exact = [p for p in places if wanted in names(p)]
    if len(exact) == 1:
        return exact[0]
    close = [p for p in places if any(name.startswith(wanted) or wanted in name for name in names(p))]
    return close[0] if len(close) == 1 else None


def _last_public_message(case: Case) -> str | None:
    """The latest message the fund wrote to the complainant (acknowledgement, update, answer)."""
    import json

    for event in reversed(audit.case_events(case.id, public_only=True)):
        if event.actor_label == "staff":
            message = json.loads(event.payload or "{}").get("message")
            if message:
                return message
    return None

"""Scorecards and printable case documents: figures in, PDF bytes out, and checking a PDF later."""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from grievance.cases import permissions
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.geo import province_name
from grievance.models import Case, Category, Fund, Office, User
from grievance.models.timeutil import from_db
from grievance.reports import metrics, words
from grievance.reports.pdf import FIGURES_ATTACHMENT, render_pdf, shorten
from grievance.services import audit, disclosure

LANGS = ("km", "en")
# Beyond this many breached/escalated cases the PDF prints the first ones and attaches the
# whole list as CSV (references only), so a heavy month stays bounded in pages and time.
MAX_FLAGGED_PRINTED = 300
FLAGGED_ATTACHMENT = "flagged-cases.csv"


@dataclass
class Scorecard:
    month: metrics.Month
    scope: str
    lang: str
    figures: dict
    digest: str
    pdf: bytes

    @property
    def filename(self) -> str:
        return f"scorecard-{self.scope}-{self.lang}.pdf"


def fingerprint_key(secret: str) -> bytes:
    return hashlib.sha256(b"grievance-scorecard-figures:" + secret.encode("utf-8")).digest()


def _names(lang: str) -> dict:
    funds = {f.code: f.name(lang) for f in db.session.execute(select(Fund)).scalars()}
    categories = {c.code: c.name(lang) for c in db.session.execute(select(Category)).scalars()}
    offices = {
        str(office_id): (km if lang == "km" else en)
        for office_id, km, en in db.session.execute(select(Office.id, Office.name_km, Office.name_en))
    }
    return {"funds": funds, "categories": categories, "offices": offices}


CLOCK_LETTERS = {"acknowledge": "A", "resolve": "R", "keep_in_loop": "L"}


def flag_line(case: dict) -> str:
    """One fixed-width line of the breached/escalated list: reference, fund, category, clocks, E."""
    clocks = "".join(CLOCK_LETTERS.get(name, "?") for name in case["breaches"])
    line = f"{case['reference']:<16} {case['fund'] or '':<6} {case['category'] or '':<16} {clocks:<3}"
    return (line + (" E" if case["escalated"] else "")).rstrip()


def seal_of(figures: dict, key: bytes, chain_head=None) -> dict:
    """What a scorecard PDF embeds to be checked later: month, scope, digest, chain head, per-figure tags."""
    return {
        "month": figures["month"],
        "scope": figures["scope"],
        "digest": metrics.digest(figures),
        "chain_head": None if chain_head is None else {"seq": chain_head[0], "hash": chain_head[1]},
        "fingerprints": metrics.fingerprints(figures, key),
    }


def render_scorecard(
    figures: dict,
    lang: str,
    *,
    key: bytes,
    generated_at: datetime | None = None,
    chain_head=None,
    names: dict | None = None,
    seal: dict | None = None,
) -> bytes:
    """The scorecard PDF of already computed figures; digest and chain head printed and embedded.

    `names` (from `_names`) and `seal` (from `seal_of`) may be given when they were worked out
    already, e.g. once for both languages; then rendering does not touch the database.
    """
    generated_at = generated_at or datetime.now(timezone.utc)
    month = metrics.Month.parse(figures["month"])
    seal = seal or seal_of(figures, key, chain_head)
    digest = seal["digest"]
    t = words.words(lang)
    names = names or _names(lang)
    flagged = figures["flagged_cases"]
    attachments = {FIGURES_ATTACHMENT: json.dumps(seal, sort_keys=True).encode("utf-8")}
    if len(flagged) > MAX_FLAGGED_PRINTED:
        attachments[FLAGGED_ATTACHMENT] = _flagged_csv(flagged)
    return render_pdf(
        "reports/scorecard.html",
        attachments=attachments,
        flagged=flagged[:MAX_FLAGGED_PRINTED],
        flagged_more=max(0, len(flagged) - MAX_FLAGGED_PRINTED),
        flagged_file=FLAGGED_ATTACHMENT,
        flag_line=flag_line,
        f=figures,
        lang=lang,
        t=t,
        names=names,
        month_label=words.month_name(month.first_day(), lang),
        generated_at=generated_at.astimezone(TZ),
        digest=digest,
        chain_head=chain_head,
        cell=metrics.cell,
        is_masked=metrics.is_masked,
        f_rate=metrics.rate,
        short_month=lambda text: words.short_month(text, lang),
        pct_cell=metrics.pct_cell,
        ratings=metrics.RATINGS,
        small_cell=metrics.SMALL_CELL,
        bands=metrics.BACKLOG_BANDS,
        headline=metrics.HEADLINE,
        province=lambda code: t("unknown_province") if code == "--" else province_name(code, lang),
        method=words.METHOD,
    )


def _flagged_csv(flagged: list[dict]) -> bytes:
    lines = ["reference,fund,category,breaches,escalated"]
    lines += [
        f"{c['reference']},{c['fund']},{c['category']},{' '.join(c['breaches'])},{'yes' if c['escalated'] else ''}"
        for c in flagged
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def month_head(month: metrics.Month) -> tuple[int, str] | None:
    """The audit chain's head for a month: the last event recorded before it ended (what the PDF prints)."""
    return audit.head_before(month.bounds()[1])


def verify_record(chain_head: dict | None) -> str | None:
    """Whether the record behind a scorecard is unchanged: None if the chain up to its printed head holds
    and that head is still in the chain; otherwise what changed, naming the first event that no longer matches."""
    if chain_head is None:
        return None
    verdict = audit.verify_until(int(chain_head["seq"]), str(chain_head["hash"]))
    return None if verdict.ok else verdict.reason


def build_scorecard(month: metrics.Month, fund_code: str | None, lang: str, *, key: bytes) -> Scorecard:
    """Compute the month's figures for one fund (or all) and render them in one language."""
    figures = metrics.month_figures(month, fund_code)
    pdf = render_scorecard(figures, lang, key=key, chain_head=month_head(month))
    return Scorecard(month, figures["scope"], lang, figures, metrics.digest(figures), pdf)


def write_scorecards(
    month: metrics.Month,
    fund_code: str | None,
    langs: tuple[str, ...],
    *,
    key: bytes,
    out: Path | None,
    root: Path,
    timings: dict | None = None,
) -> list[tuple[Path, Scorecard]]:
    """Build and write one file per language; figures are computed once for all languages.

    With two languages each PDF is rendered in its own forked process, at the same time.
    """
    timings = {} if timings is None else timings
    started = time.perf_counter()
    figures = metrics.month_figures(month, fund_code)
    timings["figures_s"] = time.perf_counter() - started
    head = month_head(month)
    seal = seal_of(figures, key, head)
    names = {lang: _names(lang) for lang in langs}
    generated_at = datetime.now(timezone.utc)
    pdfs = _render_languages(figures, langs, key=key, chain_head=head, names=names, seal=seal, at=generated_at)
    written = []
    for lang in langs:
        pdf, seconds = pdfs[lang]
        timings[f"render_{lang}_s"] = seconds
        card = Scorecard(month, figures["scope"], lang, figures, seal["digest"], pdf)
        if out is not None and out.suffix.lower() == ".pdf":
            path = out
        else:
            path = (out or root / str(month)) / card.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
        written.append((path, card))
    return written


def _render_languages(figures: dict, langs, **kwargs) -> dict[str, tuple[bytes, float]]:
    """{lang: (pdf, seconds)}: one forked process per language when there are several (and fork exists)."""
    at = kwargs.pop("at")
    if len(langs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        out = {}
        for lang in langs:
            started = time.perf_counter()
            pdf = render_scorecard(figures, lang, generated_at=at, **{**kwargs, "names": kwargs["names"][lang]})
            out[lang] = (pdf, time.perf_counter() - started)
        return out
    context = multiprocessing.get_context("fork")
    running = []
    for lang in langs:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_render_child, args=(send, figures, lang, at, kwargs), daemon=True)
        process.start()
        send.close()
        running.append((lang, receive, process))
    out = {}
    failed = []
    for lang, receive, process in running:
        try:
            status, value, seconds = receive.recv()
        except EOFError:
            status, value, seconds = "error", "the renderer died", 0.0
        process.join()
        if status == "ok":
            out[lang] = (value, seconds)
        else:
            failed.append(f"{lang}: {value}")
    if failed:
        raise RuntimeError("scorecard rendering failed: " + "; ".join(failed))
    return out


def _render_child(send, figures: dict, lang: str, at: datetime, kwargs: dict) -> None:
    """In the forked process: render one language and send the PDF back; never touch the database."""
    db.engine.dispose(close=False)  # the parent's connections stay the parent's
    started = time.perf_counter()
    try:
        pdf = render_scorecard(figures, lang, generated_at=at, **{**kwargs, "names": kwargs["names"][lang]})
        send.send(("ok", pdf, time.perf_counter() - started))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
        send.send(("error", f"{type(exc).__name__}: {exc}", 0.0))
    finally:
        send.close()


def archived_scorecard(root: Path, month: metrics.Month, scope: str, lang: str) -> bytes | None:
    """A scorecard the CLI already wrote for this month, if any (a heavy month is built ahead)."""
    path = root / str(month) / f"scorecard-{scope}-{lang}.pdf"
    return path.read_bytes() if path.is_file() else None


@dataclass
class Verification:
    matches: bool
    month: str
    scope: str
    stored_digest: str
    current_digest: str
    changed: list[str] = field(default_factory=list)
    record_problem: str | None = None  # the record behind the PDF changed: the first event that no longer matches
    chain_head: dict | None = None


class NotAScorecard(ValueError):
    """The file is not a scorecard this application produced."""


def read_seal(pdf: bytes) -> dict:
    """The month, scope, digest and per-figure tags embedded in a scorecard PDF."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        attached = reader.attachments.get(FIGURES_ATTACHMENT)
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a scorecard"
        raise NotAScorecard(str(exc)) from None
    if not attached:
        raise NotAScorecard("no embedded scorecard figures")
    seal = json.loads(attached[0])
    info = reader.metadata or {}
    if info.get("/scorecarddigest") not in (None, seal["digest"]):
        raise NotAScorecard("the embedded digest and the document metadata disagree")
    return seal


def verify_scorecard(pdf: bytes, *, key: bytes) -> Verification:
    """Recompute the figures of the PDF's month and scope and check the record up to its printed head;
    it matches only if both are unchanged."""
    seal = read_seal(pdf)
    month = metrics.Month.parse(seal["month"])
    figures = metrics.month_figures(month, None if seal["scope"] == "ALL" else seal["scope"])
    current = metrics.digest(figures)
    changed = []
    if current != seal["digest"]:
        changed = metrics.changed_paths(seal.get("fingerprints", {}), metrics.fingerprints(figures, key))
    problem = verify_record(seal.get("chain_head"))
    return Verification(
        current == seal["digest"] and problem is None,
        seal["month"],
        seal["scope"],
        seal["digest"],
        current,
        changed,
        record_problem=problem,
        chain_head=seal.get("chain_head"),
    )


# ---------------------------------------------------------------------------------------
# Case documents


def _local(value):
    return None if value is None else from_db(value).astimezone(TZ)


def _event_text(kind: str, payload: dict, lang: str) -> str:
    """The human part of an event's payload (messages, reasons, transfer)."""
    parts = []
    if kind == "transfer":
        parts.append(f"{payload.get('from_fund', '')} → {payload.get('to_fund', '')}")
    if kind == "feedback":
        parts.append("✓" if payload.get("solved") else "✗")
    if kind in ("sla_breach", "sla_warning") and payload.get("clock"):
        parts.append(words.pick(words.WORDS, payload["clock"], lang))
    if payload.get("outcome"):
        parts.append(str(payload["outcome"]))
    if kind == "identity_view":
        return words.pick(words.IDENTITY_REASON, payload.get("reason"), lang)
    for key in ("message", "reason", "note"):
        if payload.get(key):
            parts.append(str(payload[key]))
    return " — ".join(parts)


def _timeline(case: Case, lang: str, *, public_only: bool, viewer: User | None) -> list[dict]:
    events = audit.case_events(case.id, public_only=public_only)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actors = {}
    if actor_ids and not public_only:
        actors = {u.id: u.name for u in db.session.execute(select(User).where(User.id.in_(actor_ids))).scalars()}
    items = []
    for e in events:
        text, cut = shorten(disclosure.text_for(viewer, case, _event_text(e.kind, json.loads(e.payload), lang)), 2000)
        items.append(
            {
                "at": _local(e.at),
                "label": words.pick(words.EVENT, e.kind, lang),
                "actor": actors.get(e.actor_id, e.actor_label),
                "public": e.public,
                "text": text,
                "cut": cut,
            }
        )
    return items


def _case_facts(case: Case, lang: str, viewer: User | None) -> dict:
    description, cut = shorten(disclosure.text_for(viewer, case, case.description))
    return {
        "reference": case.reference,
        "status": words.pick(words.STATUS, case.status, lang),
        "category": case.category.name(lang),
        "fund": case.fund.name(lang),
        "province": province_name(case.province_code, lang),
        "received_at": _local(case.received_at),
        "ack_due": _local(case.ack_due_at),
        "resolve_due": _local(case.resolve_due_at),
        "description": description,
        "description_cut": cut,
    }


def case_file_pdf(case: Case, user: User, lang: str, *, with_identity: bool = False) -> bytes:
    """The printable file: facts and full timeline (text redacted unless this user may see the complainant);
    the complainant only `with_identity`, which the caller has put on record (cases.service.record_identity_view).
    """
    show = with_identity and permissions.can_see_identity(user, case)
    return render_pdf(
        "reports/case_file.html",
        lang=lang,
        t=words.words(lang),
        c=_case_facts(case, lang, user),
        case=case,
        complainant=case.complainant if show else None,
        timeline=_timeline(case, lang, public_only=False, viewer=user),
        generated_at=datetime.now(timezone.utc).astimezone(TZ),
    )


def receipt_pdf(case: Case, lang: str, follow: dict | None = None) -> bytes:
    """The complainant's receipt: what they told us, where it is, the public history, where to follow it; no code."""
    return render_pdf(
        "reports/receipt.html",
        lang=lang,
        follow=follow or {"web": "", "sms": None},
        t=words.words(lang),
        c=_case_facts(case, lang, None),
        timeline=_timeline(case, lang, public_only=True, viewer=None),
        generated_at=datetime.now(timezone.utc).astimezone(TZ),
    )

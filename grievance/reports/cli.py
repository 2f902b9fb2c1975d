"""flask scorecard build | verify."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from grievance.reports import metrics, service

scorecard = AppGroup("scorecard", help="The monthly accountability scorecard (PDF).")


def _key() -> bytes:
    return service.fingerprint_key(current_app.config["SECRET_KEY"])


@scorecard.command("build")
@click.option("--month", "month_text", required=True, help="The month, YYYY-MM (Phnom Penh time).")
@click.option("--fund", "fund_code", help="One fund's scorecard (NSAF, NSSF, HEALTH, NSPC); default: all funds.")
@click.option("--lang", type=click.Choice(service.LANGS), help="One language; default: Khmer and English.")
@click.option("--out", "out", type=click.Path(path_type=Path), help="A .pdf file (with --lang) or a folder.")
def build(month_text: str, fund_code: str | None, lang: str | None, out: Path | None) -> None:
    """Compute the month's figures and write the scorecard PDF(s); prints the figures digest."""
    try:
        month = metrics.Month.parse(month_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    langs = (lang,) if lang else service.LANGS
    if out is not None and out.suffix.lower() == ".pdf" and len(langs) > 1:
        raise click.BadParameter("a .pdf file needs --lang; give a folder for both languages", param_hint="--out")
    try:
        written = service.write_scorecards(
            month,
            fund_code.upper() if fund_code else None,
            langs,
            key=_key(),
            out=out,
            root=Path(current_app.config["REPORTS_DIR"]),
        )
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    for path, card in written:
        click.echo(f"{path}  ({len(card.pdf):,} bytes)")
    click.echo(f"Figures digest: {written[0][1].digest}")


@scorecard.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(file: Path) -> None:
    """Recompute the PDF's month and check the record up to its printed chain head.

    'matches' (exit 0), or 'changed' (exit 1) naming the figures and the first event that changed.
    """
    try:
        result = service.verify_scorecard(file.read_bytes(), key=_key())
    except service.NotAScorecard as exc:
        raise click.ClickException(f"not a scorecard: {exc}") from None
    head = result.chain_head
    head_text = f"; record up to event #{head['seq']} unchanged" if head else ""
    if result.matches:
        click.echo(f"matches: {result.month} {result.scope} digest {result.current_digest}{head_text}")
        return
    click.echo(f"changed: {result.month} {result.scope}")
    if result.record_problem:
        click.echo(f"  record: {result.record_problem}")
    click.echo(f"  printed digest: {result.stored_digest}")
    click.echo(f"  current digest: {result.current_digest}")
    for path in result.changed[:50]:
        click.echo(f"  differs: {path}")
    if len(result.changed) > 50:
        click.echo(f"  … and {len(result.changed) - 50} more")
    sys.exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(scorecard)

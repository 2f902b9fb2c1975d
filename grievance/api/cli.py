"""flask --app wsgi apikeys create --org NAME [--purpose relay|assisted] | revoke PREFIX"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from grievance.extensions import db

apikeys = AppGroup("apikeys", help="API keys for organisations that file through the Open311 API.")


@apikeys.command("create")
@click.option("--org", "org_name", required=True, help="Name of an existing organisation.")
@click.option(
    "--purpose",
    type=click.Choice(["relay", "assisted"]),
    default="assisted",
    show_default=True,
    help="relay: a platform passing on people's own reports; assisted: filing on someone's behalf (consent required).",
)
def create(org_name: str, purpose: str) -> None:
    """Issue a key; it is printed once and only its SHA-256 is stored."""
    from grievance.api.keys import issue
    from grievance.models import Organisation

    organisation = db.session.execute(select(Organisation).where(Organisation.name == org_name)).scalar_one_or_none()
    if organisation is None or not organisation.active:
        raise click.ClickException(f"No active organisation named {org_name!r}.")
    key, row = issue(organisation, purpose)
    db.session.commit()
    click.echo(
        f"{purpose.capitalize()} API key for {organisation.name} (prefix {row.prefix}). "
        "It is shown only now; keep it secret:"
    )
    click.echo(key)


# A prefix is random URL-safe text and may begin with "-": such an argument is taken as the
# prefix, not as an unknown option (`apikeys revoke -Xa1b2c3` works; so does `-- -Xa1b2c3`).
@apikeys.command("revoke", context_settings={"ignore_unknown_options": True})
@click.argument("prefix")
def revoke(prefix: str) -> None:
    """Deactivate the key with this prefix (the 8 characters after grv_)."""
    from grievance.api.keys import revoke as revoke_keys

    count = revoke_keys(prefix)
    db.session.commit()
    if not count:
        raise click.ClickException(f"No active key with prefix {prefix!r}.")
    click.echo(f"Revoked {count} key(s).")

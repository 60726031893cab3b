"""`flask --app wsgi stickers --out FILE.pdf`: a batch of window stickers in one PDF."""

from pathlib import Path

import click
from sqlalchemy import select

from accounts.models import Scheme
from extensions import db
from havens.stickers import services
from havens.stickers.art import FontMissing
from havens.stickers.forms import SIZES


@click.command("stickers")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--size", type=click.Choice(list(SIZES)), default="a5", show_default=True)
@click.option("--venue", "codes", multiple=True, help="A venue's public code; may be repeated.")
@click.option("--scheme", "scheme_name", help="Only this scheme's active venues.")
@click.option(
    "--bilingual",
    type=click.Choice(list(services.other_languages())),
    help="Print the words in this language too, beside English.",
)
def stickers(out: Path, size: str, codes: tuple[str, ...], scheme_name, bilingual) -> None:
    """Write the stickers of every active venue, or of the venues given, to one PDF."""
    if codes:
        venues = services.venues_with_codes(list(codes))
        missing = sorted(set(codes) - {venue.public_code for venue in venues})
        if missing:
            raise click.ClickException(f"No venue has the code {', '.join(missing)}.")
    else:
        scheme = db.session.scalar(select(Scheme).filter_by(name=scheme_name))
        if scheme_name and scheme is None:
            raise click.ClickException(f"No scheme called {scheme_name!r}.")
        venues = services.active_venues(scheme.id if scheme else None)
    if not venues:
        raise click.ClickException("There are no active venues to print stickers for.")
    try:
        body = services.pdf(venues, size, bilingual or "", by=None)
    except (services.PublicUrlMissing, FontMissing) as error:
        db.session.rollback()  # no number is issued for a sticker that was not printed
        raise click.ClickException(str(error)) from error
    out.write_bytes(body)
    db.session.commit()
    click.echo(f"Wrote {len(venues)} sticker(s) ({size}) to {out}.")

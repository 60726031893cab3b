"""Issuing, reissuing and printing window stickers; the caller commits."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accounts.models import Scheme, User
from core.i18n import LANGUAGES
from core.services import audit, next_number
from core.timeutil import to_london, utcnow
from extensions import db
from havens.models import Venue, new_public_code
from havens.stickers import art, render
from havens.stickers.models import Sticker

COUNTER = "sticker"  # the scheme's counter that numbers its stickers
ENGLISH = "en_GB"
# Translators: the name of the scheme's sign, in the band at the top of the sticker.
# Keep it in English if the scheme's signs use the English name.
HEADLINE = _l("Safe Haven")
INSTRUCTION = _l("Scan to check this is a Safe Haven and find help")


class PublicUrlMissing(RuntimeError):
    """Stickers need the site's public address, and none is set or it is not absolute."""


def public_url(code: str) -> str:
    """The absolute address a sticker's QR code leads to: the venue's public page.

    PUBLIC_URL when set; otherwise, in a request, the address the site was reached at.
    """
    base = current_app.config.get("PUBLIC_URL") or ""
    if not base and has_request_context():
        return url_for("havens.venue_page", code=code, _external=True)
    parts = urlsplit(base)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise PublicUrlMissing(
            "Set LANTERN_PUBLIC_URL to the site's public address, such as "
            "https://lantern.example.org: it is printed in every sticker's QR code."
        )
    path = current_app.url_map.bind("localhost").build("havens.venue_page", {"code": code})
    return base.rstrip("/") + path


def other_languages() -> dict[str, str]:
    """The catalogue languages a sticker can carry beside English."""
    return {code: name for code, name in LANGUAGES.items() if code != ENGLISH}


def lock(venue: Venue) -> None:
    """Queue concurrent issues for one venue (PostgreSQL; SQLite writers queue anyway)."""
    db.session.execute(select(Venue.id).where(Venue.id == venue.id).with_for_update())


def issue(venue: Venue, code: str, by: User | None) -> Sticker:
    """Enter a sticker with the scheme's next number for this venue and code."""
    sticker = Sticker(
        scheme_id=venue.scheme_id,
        venue_id=venue.id,
        number=next_number(venue.scheme_id, COUNTER),
        code=code,
        issued_by_id=by.id if by else None,
    )
    db.session.add(sticker)
    db.session.flush()
    audit("sticker_issued", venue, actor=by, number=sticker.number)
    return sticker


def current_sticker(venue: Venue, by: User | None) -> Sticker:
    """The sticker for the venue's current code, entered in the register when first printed."""
    lock(venue)
    sticker = db.session.scalar(select(Sticker).filter_by(code=venue.public_code))
    return sticker or issue(venue, venue.public_code, by)


def unused_code() -> str:
    """A new public code that no venue or sticker, current or withdrawn, has had."""
    while True:
        code = new_public_code()
        taken = select(Venue.id).where(Venue.public_code == code)
        if not db.session.scalar(taken) and not db.session.scalar(
            select(Sticker.id).where(Sticker.code == code)
        ):
            return code


def reissue(venue: Venue, reason: str, by: User) -> Sticker:
    """Withdraw the venue's sign and issue a new one under a new code and number."""
    old = current_sticker(venue, by)
    now = utcnow()
    withdrawn = db.session.scalars(
        select(Sticker).filter_by(venue_id=venue.id, withdrawn_at=None)
    ).all()
    for sticker in withdrawn:
        sticker.withdrawn_at, sticker.withdrawn_by_id = now, by.id
        sticker.withdrawn_reason = reason.strip()
    venue.public_code = unused_code()
    new = issue(venue, venue.public_code, by)
    audit(
        "sticker_reissued", venue, actor=by, withdrawn=old.number, number=new.number, reason=reason
    )
    return new


def withdrawn_sticker(code: str) -> Sticker | None:
    """The withdrawn sticker that had this code, if any."""
    stmt = select(Sticker).where(Sticker.code == code, Sticker.withdrawn_at.is_not(None))
    return db.session.scalar(stmt)


def register(scheme_id: int) -> list[Sticker]:
    """Every sticker the scheme has issued, by number."""
    stmt = (
        select(Sticker)
        .filter_by(scheme_id=scheme_id)
        .options(joinedload(Sticker.venue), joinedload(Sticker.issued_by))
        .options(joinedload(Sticker.withdrawn_by))
        .order_by(Sticker.number)
    )
    return list(db.session.scalars(stmt))


def history(venue: Venue) -> list[Sticker]:
    """The venue's stickers, newest first."""
    stmt = select(Sticker).filter_by(venue_id=venue.id).order_by(Sticker.number.desc())
    return list(db.session.scalars(stmt))


def active_venues(scheme_id: int | None = None) -> list[Venue]:
    """Active venues by scheme and name: a batch when none are chosen."""
    stmt = select(Venue).filter_by(status="active").order_by(Venue.scheme_id, Venue.name)
    if scheme_id is not None:
        stmt = stmt.filter_by(scheme_id=scheme_id)
    return list(db.session.scalars(stmt))


def venues_with_codes(codes: list[str]) -> list[Venue]:
    """The venues whose current codes these are, in the order given; missing ones left out."""
    found = db.session.scalars(select(Venue).where(Venue.public_code.in_(codes))).all()
    by_code = {venue.public_code: venue for venue in found}
    return [by_code[code] for code in dict.fromkeys(codes) if code in by_code]


# --- files ---------------------------------------------------------------------------


def words(locale: str, sticker: Sticker) -> art.Words:
    """The sticker's words in one language."""
    issued = to_london(sticker.issued_at).date()
    with force_locale(locale):
        return art.Words(
            headline=str(HEADLINE),
            instruction=str(INSTRUCTION),
            footer=_(
                "Sticker no. %(number)d · issued %(date)s",
                number=sticker.number,
                date=format_date(issued, "medium"),
            ),
        )


def content(venue: Venue, sticker: Sticker, language: str = "") -> art.Content:
    """What a venue's sticker says: in English, and in `language` too when one is given."""
    locales = [ENGLISH] + ([language] if language in other_languages() else [])
    said = [words(locale, sticker) for locale in locales]
    # A language whose catalogue lacks the sticker's words would only repeat the English.
    said = [w for i, w in enumerate(said) if i == 0 or w.instruction != said[0].instruction]
    scheme = db.session.get_one(Scheme, venue.scheme_id)
    return art.Content(
        url=public_url(sticker.code),
        scheme=scheme.name,
        venue=venue.name,
        number=sticker.number,
        issued=to_london(sticker.issued_at).date(),
        words=tuple(said),
    )


def fonts() -> dict[str, str]:
    """The font files stickers are drawn with; art.FontMissing when they are not there."""
    paths = art.font_paths(current_app.config["STICKER_FONT_DIR"])
    return {name: str(path) for name, path in paths.items()}


def pdf(venues: list[Venue], size: str, language: str, by: User | None) -> bytes:
    """One PDF of these venues' current stickers, issuing numbers to any not yet printed."""
    fonts()
    page = "a6" if size == "a4-4up" else size
    arts = [
        art.layout(content(venue, current_sticker(venue, by), language), page) for venue in venues
    ]
    return render.pdf(arts, four_up=size == "a4-4up")


def image(venue: Venue, kind: str, size: str, language: str, by: User | None) -> bytes:
    """The venue's current sticker as SVG or PNG, for a sign maker."""
    paths = fonts()  # registered before the layout measures its words
    drawn = art.layout(content(venue, current_sticker(venue, by), language), size)
    if kind == "svg":
        return render.svg(drawn, paths).encode()
    return render.png(drawn, paths)

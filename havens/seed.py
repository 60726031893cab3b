"""The support directory every new scheme starts with: the services staff and pastors
signpost people to, from the borough council's community safety page (seed 001), then the
safe reporting services the action plan promotes (seed 002, action 3.12)."""

from sqlalchemy import select

from extensions import db
from havens.models import SupportService

# (name, what it is for, phone, website, hours, area), as the council page gives them.
SEED = [
    (
        "Emergency services",
        "If someone is in immediate danger.",
        "999",
        "",
        "24 hours",
        "",
    ),
    (
        "West Kent Domestic Abuse One Stop Shop",
        "Advice from an Independent Domestic Violence Advocate (IDVA) for residents of "
        "Tunbridge Wells, Tonbridge and Malling and Sevenoaks. "
        "4 New Wharf Road, Tonbridge, TN9 1DS.",
        "",
        "",
        "Wednesdays 9am until noon",
        "West Kent",
    ),
    (
        "Domestic Abuse Volunteer Support Services (DAVSS)",
        "Supporting both men and women through and beyond domestic abuse crisis.",
        "",
        "https://davss.org.uk",
        "",
        "",
    ),
    (
        "Look Ahead Care and Support",
        "Support for victims of domestic abuse in high-risk cases, refuge places for those "
        "fleeing violence, and a weekly One Stop Shop.",
        "",
        "https://lookahead.org.uk",
        "",
        "",
    ),
    (
        "Community Domestic Abuse Programme (CDAP)",
        "A programme for men who are ready to take responsibility for their abusive behaviour.",
        "",
        "https://kentcdap.org",
        "",
        "Kent",
    ),
    (
        "Dads Unlimited",
        "Emotional and practical support for male victims of domestic abuse.",
        "",
        "https://dadsunltd.org.uk",
        "",
        "",
    ),
    (
        "Interventions Alliance",
        "Treatment for domestic abuse offenders (Dialectical Behavioural Therapy).",
        "",
        "https://interventionsalliance.com",
        "",
        "",
    ),
    (
        "Protection Against Stalking",
        "Specialist support for victims of stalking.",
        "",
        "https://protectionagainststalking.org",
        "",
        "",
    ),
    (
        "Victim Support Assessment and Triage",
        "Support for victims of crime.",
        "0808 168 9276",
        "",
        "",
        "",
    ),
    (
        "Refuge",
        "A refuge space for someone fleeing domestic abuse.",
        "0808 2000 247",
        "",
        "",
        "",
    ),
    (
        "National Domestic Abuse Helpline",
        "Free helpline for anyone affected by domestic abuse; live chat on the website "
        "Monday to Friday 3pm to 10pm.",
        "0808 2000 247",
        "https://nationaldahelpline.org.uk",
        "24 hours, free",
        "National",
    ),
    (
        "Community Safety Officer",
        "Tunbridge Wells Borough Council's Community Safety Unit: anti-social behaviour and "
        "community safety. Call and ask to speak to the Community Safety Officer.",
        "01892 526121",
        "",
        "",
        "Tunbridge Wells",
    ),
    (
        "Community Trigger",
        "A case review for anyone who has made three complaints about anti-social behaviour "
        "within 6 months that have not been addressed. Call and ask to speak to the "
        "Community Safety Officer.",
        "01892 526121",
        "",
        "",
        "Tunbridge Wells",
    ),
]

# Action 3.12: "Ensure Crimestoppers and Fearless contact details are widely promoted as a
# safe reporting mechanism." Their details are the services' own, as published nationally.
ACTION_PLAN_SEED = [
    (
        "Crimestoppers",
        "A safe way to pass on what you know about crime.",
        "0800 555 111",
        "",
        "",
        "National",
    ),
    (
        "Fearless",
        "Crimestoppers' service for young people: a safe way to pass on what you know about crime.",
        "",
        "https://fearless.org",
        "",
        "National",
    ),
]


def seed_directory(scheme_id: int) -> None:
    """Give a scheme the standard directory, unless it has one; the caller commits."""
    if db.session.scalar(select(SupportService.id).filter_by(scheme_id=scheme_id).limit(1)):
        return
    for position, (name, purpose, phone, website, hours, area) in enumerate(
        SEED + ACTION_PLAN_SEED
    ):
        db.session.add(
            SupportService(
                scheme_id=scheme_id,
                name=name,
                purpose=purpose,
                phone=phone,
                website=website,
                hours=hours,
                area=area,
                position=position,
            )
        )

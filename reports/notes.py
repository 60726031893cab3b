"""The method notes printed with every report: what is counted, and what is hidden."""

from __future__ import annotations

from flask_babel import gettext as _

from lists.categories import CATEGORIES, RISK_REDUCING


def nights() -> str:
    return _(
        "A night runs from 06:00 to 06:00 London time, so a visit at 01:00 on a Saturday "
        "counts on Friday night, and in Friday's week, month and quarter."
    )


def counted() -> list[str]:
    """What each measure counts."""
    # By standard category, so the note holds for every scheme's own items.
    risk = "; ".join(str(label) for code, label in CATEGORIES.items() if code in RISK_REDUCING)
    return [
        nights(),
        _(
            "Patrols: each patrol that started in the period. Hours on duty: each ended "
            "patrol's length in real time, across midnight and clock changes, times the "
            "pastors on it (action plan 2.3)."
        ),
        _(
            "People engaged: the people in each Street Pastors' contact, added up; a contact "
            "is one entry, with one person or a group (action plans 2.3 and 5.1)."
        ),
        _(
            "Services provided: how often each thing was given or done; one contact can "
            "have several. Actions counted as assessing or reducing risk (action plan 5.1): "
            "%(actions)s.",
            actions=risk,
        ),
        _(
            "Safe Haven visits: each visit logged at the scheme's venues, by its arrival "
            "time. Kinds of help: how often each was given; one visit can have several."
        ),
        _(
            "Support services: how often each was signposted to, by Safe Haven staff and by "
            "Street Pastors."
        ),
        _(
            "Hand-overs: contacts Street Pastors handed over to a Safe Haven, by venue, and "
            "how many of them the venue logged as a visit from the hand-over. Such a person "
            "is counted both among the people engaged and among the visits."
        ),
        _(
            "Alone and showing signs of vulnerability (action plan 5.1): Safe Haven visits of "
            "someone who came alone (everyone who comes in to a Safe Haven feels unsafe), and "
            "the people in Street Pastors' contacts marked alone and vulnerable. Gender, age "
            'and company are as recorded; "prefer not to say" counts with not recorded. A '
            "contact with one person counts as someone alone."
        ),
        _(
            "Suspected spiking (drink or needle): visits where staff recorded it, and contacts "
            "where Street Pastors saw it, each once however much else was recorded."
        ),
        _(
            "Unsafe-place reports: what the public sent in the period, by when it arrived; a "
            "report merged into another as a duplicate counts once, as that one. A report can "
            "name several things that made the place feel unsafe. EVAs done: environmental "
            "visual audits done and walked in the period. EVA actions: those done in the "
            "period, and those agreed before its end and not done by then. Ask for Angela: "
            "the venues taking part when the report is made, but those that left the scheme."
        ),
    ]


def suppression(small_max: int) -> list[str]:
    """The suppression rule, in words (reports.suppression implements it)."""
    return [
        _(
            "So that no one can be recognised, a count from 1 to %(max)d is shown as 1-%(max)d.",
            max=small_max,
        ),
        _(
            "Where the totals would let a hidden count be worked out, another count is hidden "
            "too and shown as [c]. For each row and column that has a total, and each figure "
            "shown in more than one place, we work out the least and the most each hidden "
            "count could be from the numbers shown, knowing that 1-%(max)d is between 1 and "
            "%(max)d and [c] is more than %(max)d. While any hidden count could be only one "
            "number, another count in its row or column is hidden: one that protects it, a "
            "count rather than a total where possible, and the smallest such. Zeros are never "
            "hidden.",
            max=small_max,
        ),
        _(
            "Where even that is not enough, as in a table of nothing but small counts, every "
            "figure tied together by its totals is withheld and shown as [x]."
        ),
        _(
            "Patrols and hours on duty are about the volunteers' time, not about the people "
            "helped, and are never hidden. Nor are EVAs, their actions and the venues taking "
            "part in Ask for Angela: they are about places and partners' work, which EVA "
            "reports and the venues' public pages show anyway."
        ),
        _(
            "Partners see a quarter once its last night is over, and only whole quarters, so "
            "that one period's figures cannot be subtracted from another's."
        ),
    ]

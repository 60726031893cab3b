"""The night's commonest records, tapped from the signed-in home screen: one definition
for the browser tests that assert the counts and for bench/taps.py that prints them.

Each journey taps as a person would (touch, no typing, no scrolling counted) and returns
how many taps it took; the caller then checks what was stored.
"""

import re

from playwright.sync_api import Locator, Page, expect

# The common visit: a seat, an age band, alone; arrival is now, the rest can wait.
COMMON_VISIT = {
    "help": ["seat"],
    "age_band": "18_24",
    "company": "alone",
}
# The common contact: water for two people.
COMMON_CONTACT = {"people": 2, "given": ["water"]}


class Taps:
    """Taps on a page, counted."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0

    def tap(self, target: Locator) -> None:
        target.tap()
        self.count += 1


def chip(page: Page, group: str, label: str) -> Locator:
    """The tappable label of one option, in the fieldset whose legend is `group`."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    fieldset = page.get_by_role("group", name=group, exact=True)
    return fieldset.locator("label.chip").filter(has_text=exact)


def common_visit(page: Page) -> int:
    """From home: Log a visit, three chips, Save."""
    taps = Taps(page)
    taps.tap(page.locator("main").get_by_role("link", name="Log a visit", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    taps.tap(chip(page, "Help given", "Seat and calm space"))
    taps.tap(chip(page, "Age", "18–24"))
    taps.tap(chip(page, "Alone or with others", "Alone"))
    taps.tap(page.get_by_role("button", name="Save visit", exact=True))
    return taps.count


def common_contact(page: Page) -> int:
    """From home, where a pastor on patrol has the contact form: the count, the item, Save."""
    taps = Taps(page)
    save = page.get_by_role("button", name=re.compile(r"^Save contact"))
    expect(save).to_have_text("Save contact: 1 person")  # the default is said, not silent
    taps.tap(chip(page, "How many people", "2"))
    taps.tap(chip(page, "Given or done", "Water"))
    expect(save).to_have_text("Save contact: 2 people")
    taps.tap(save)
    return taps.count

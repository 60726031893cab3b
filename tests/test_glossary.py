"""The catalogues use the words of translations/glossary.md, the same way every time.

For each glossary term, every msgid that uses the English word has a translation that
uses the language's word (by its stem, so that every case and number counts). The few
msgids where the English word means something else are listed, each with its reason.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = ["pl", "ro", "uk"]

# term: (the English word in a msgid, {language: stems any of which the msgstr has})
TERMS = {
    "venue": (r"\bvenues?('s|s')?\b", {"pl": ["lokal"], "ro": ["local"], "uk": ["заклад"]}),
    "visit": (r"\bvisits?\b", {"pl": ["wizyt", "wizyc"], "ro": ["vizit"], "uk": ["візит"]}),
    "patrol": (r"\bpatrols?\b", {"pl": ["patrol"], "ro": ["patrul"], "uk": ["патрул"]}),
    "pastor": (
        r"\b(?<!Street )pastors?\b",
        {
            "pl": ["Street Pastors"],
            "ro": ["voluntar", "Street Pastors"],
            "uk": ["волонтер", "Street Pastors"],
        },
    ),
    "team": (r"\bteams?('s)?\b", {"pl": ["zesp"], "ro": ["echip"], "uk": ["команд"]}),
    "coordinator": (
        r"\bcoordinators?\b",
        {"pl": ["koordynator"], "ro": ["coordonator"], "uk": ["координатор"]},
    ),
    "sticker": (r"\bstickers?\b", {"pl": ["naklej"], "ro": ["autocolant"], "uk": ["наліп"]}),
    "support service": (
        r"\bsupport services?\b",
        {"pl": ["organizac"], "ro": ["de sprijin"], "uk": ["служб"]},
    ),
    "outbox": (
        r"\boutbox\b",
        {"pl": ["skrzyn"], "ro": ["căsuța de ieșire"], "uk": ["черг", "черз"]},
    ),
    "hand-over": (
        r"\bhand-overs?\b|\bhanded over\b",
        {"pl": ["przekaz"], "ro": ["preda", "predă"], "uk": ["переда"]},
    ),
    "enrolment": (r"\benrol", {"pl": ["rejestr"], "ro": ["înrol"], "uk": ["реєстр"]}),
    "emergency": (r"\bemergenc", {"pl": ["nagł"], "ro": ["urgenț"], "uk": ["екстрен"]}),
    "Safe Haven": (
        r"Safe Haven",
        {"pl": ["Safe Haven"], "ro": ["Safe Haven"], "uk": ["Safe Haven"]},
    ),
    "Ask for Angela": (
        r"Ask for Angela",
        {"pl": ["Ask for Angela"], "ro": ["Ask for Angela"], "uk": ["Ask for Angela"]},
    ),
}

# A placeholder such as %(venue)s is a name filled in, not the word.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[a-z]")
CODES = (
    "What is counted: visits, help, signposted, visits_from_handover, patrols, hours_on_duty,"
    " tally, contacts, people_engaged, given, risk_reducing or handovers."
)
# (term, msgid): why the English word there is not the glossary's term.
EXCEPTIONS = {
    ("visit", CODES): "the export's codes, which stay as they are in the data",
    ("patrol", CODES): "the export's codes, which stay as they are in the data",
}


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def misses(language: str) -> list[str]:
    found = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for term, (pattern, stems) in TERMS.items():
            if (term, ids[0]) in EXCEPTIONS:
                continue
            if any(re.search(pattern, PLACEHOLDER.sub("", i), re.IGNORECASE) for i in ids):
                for text in texts:
                    if not any(stem.lower() in text.lower() for stem in stems[language]):
                        found.append(f"{term}: {ids[0]!r} -> {text!r}")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_glossary_terms_are_translated_the_same_way(language):
    assert misses(language) == []

"""What lower packages announce and higher ones listen to (blinker, as Flask's own signals).

A package may import only the packages below it. When one must tell a higher one that
something happened, it sends one of these; alerts connects its handlers in alerts.init_app.
"""

from blinker import Namespace

lantern = Namespace()

person_disabled = lantern.signal(
    "person-disabled",
    doc="""A person may no longer sign in (sender: the User). Sent in the transaction
    that disables them, before it commits.""",
)

browser_signed_out = lantern.signal(
    "browser-signed-out",
    doc="""A person signed out of one browser (sender: the User; `push_endpoint`: the
    browser's push subscription endpoint, as its page sent it, or "").""",
)

contact_handed_over = lantern.signal(
    "contact-handed-over",
    doc="""A new contact was handed over to a Safe Haven venue (sender: the Contact).
    Sent once, when the contact is first stored, in the transaction that stores it.""",
)

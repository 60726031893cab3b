"""Who may use each view, declared on the view, and enforced before every request.

The scoping queries behind the declarations live with the data they scope: venues and
visits in havens.access, teams and patrols in patrols.access, people in accounts.access.
"""

from collections.abc import Callable

from flask import Flask, abort, current_app, request
from flask_login import current_user

from extensions import db, login

PUBLIC = "public"
SIGNED_IN = "signed_in"


def public(view: Callable) -> Callable:
    """Anyone may use this view, signed in or not."""
    view.access = frozenset({PUBLIC})  # type: ignore[attr-defined]
    return view


def signed_in(view: Callable) -> Callable:
    """Anyone signed in may use this view, whatever their roles."""
    view.access = frozenset({SIGNED_IN})  # type: ignore[attr-defined]
    return view


def roles(*names: str) -> Callable[[Callable], Callable]:
    """Only people holding one of these roles may use this view."""

    def mark(view: Callable) -> Callable:
        view.access = frozenset(names)  # type: ignore[attr-defined]
        return view

    return mark


def access_rule(endpoint: str) -> frozenset[str] | None:
    """The declared rule of an endpoint; static files are public."""
    if endpoint == "static":
        return frozenset({PUBLIC})
    return getattr(current_app.view_functions[endpoint], "access", None)


def check_declared(app: Flask) -> None:
    """Refuse to start when a view has no access rule, so none is open by mistake."""
    with app.app_context():
        missing = [e for e in app.view_functions if access_rule(e) is None]
    if missing:
        raise RuntimeError(f"views without an access rule: {', '.join(sorted(missing))}")


def enforce():
    """Before each request: apply the endpoint's rule."""
    if request.endpoint is None:
        return None  # no route matched; Flask answers 404 or 405
    rule = access_rule(request.endpoint) or frozenset()
    if PUBLIC in rule:
        return None
    if not current_user.is_authenticated:
        return login.unauthorized()
    if SIGNED_IN in rule or current_user.has_role(*rule):
        return None
    abort(403)


def in_my_scheme_or_404(model, row_id: int):
    """A row of a scheme-owned table, if it belongs to the signed-in person's scheme.

    Another scheme's row is "not found", never "forbidden": a 403 would confirm the id.
    """
    row = db.session.get(model, row_id)
    if row is None or row.scheme_id != current_user.scheme_id:
        abort(404)
    return row

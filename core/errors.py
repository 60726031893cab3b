"""Error pages: translated, with the same headers as every page, never a stack trace."""

from flask import Flask, current_app, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, ServiceUnavailable

from core.database import is_busy
from extensions import db, login

# Seconds a client is asked to wait when the database stayed busy; the outbox backs off
# on its own (5 s, then longer) and keeps every entry meanwhile.
BUSY_RETRY_AFTER = 5

MESSAGES = {
    400: (
        _l("Something in that request was not right"),
        _l("Go back, check the form and try again."),
    ),
    403: (
        _l("You cannot open this page"),
        _l("Your role does not include this page. Ask your coordinator if you need it."),
    ),
    404: (_l("Page not found"), _l("Check the address, or go back to the start page.")),
    405: (_l("That action is not allowed here"), _l("Go back and try again from the page.")),
    413: (_l("That was too much to send at once"), _l("Send less, or a smaller file.")),
    429: (_l("Too many attempts"), _l("Wait a minute, then try again.")),
    503: (
        _l("The server is busy"),
        _l("Nothing you entered was lost. Try again in a moment."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Your last action may not have been saved. Try again in a moment."),
    ),
}


def render_error(error: HTTPException):
    """Render any HTTP error as a page in the user's language."""
    code = error.code or 500
    if code >= 500:
        db.session.rollback()  # a failed write leaves the session unusable for the page itself
    title, advice = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    if isinstance(error, CSRFError):
        advice = _l("The page was open too long or was sent twice. Reload it and try again.")
    headers = allow_header(error)
    if wants_json():
        message = advice if isinstance(error, CSRFError) else title
        body = {"error": str(message), "status": code}
        if code == 413:  # the outbox halves its batches until they fit
            config = current_app.config
            body |= {
                "max_records": config["SYNC_MAX_RECORDS"],
                "max_bytes": config["SYNC_MAX_BYTES"],
            }
        return body, code, headers
    page = render_template("core/error.html", code=code, title=title, advice=advice)
    return page, code, headers


def allow_header(error: HTTPException) -> dict[str, str]:
    """A 405 names the methods the URL does take (RFC 9110 says it must)."""
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        return {"Allow": ", ".join(error.valid_methods)}
    return {}


def wants_json() -> bool:
    """The API always answers JSON, as does any client asking for it first."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def refuse_unexpected_input() -> None:
    """Before each request: no view takes files, and no text may hold a NUL character."""
    if request.files:
        raise BadRequest()
    values = [*request.args.values(), *request.form.values()]
    if any("\x00" in value for value in values):
        raise BadRequest()


def database_busy(error: OperationalError):
    """SQLite stayed locked through the retries (core.database): a 503 the client may
    retry, logged with the kind of error only, never the statement or its values."""
    if not is_busy(error):
        raise error  # any other database error is a 500, logged as such
    # The answer is made without the database: whoever was signing in is not looked up
    # again (the page is in the browser's language).
    login._update_request_context_with_user()
    rule = request.url_rule.rule if request.url_rule else "-"
    current_app.logger.warning(
        "Database busy (SQLITE_BUSY) on %s [%s]: answered 503", rule, request.method
    )
    response = make_response(render_error(ServiceUnavailable()))
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


def register(app: Flask) -> None:
    """Handle every HTTP error and any unexpected exception."""
    app.before_request(refuse_unexpected_input)
    app.register_error_handler(OperationalError, database_busy)
    # InternalServerError is an HTTPException: Flask logs the original exception, then calls this.
    app.register_error_handler(HTTPException, render_error)

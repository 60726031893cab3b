"""Who may use each route, and what anyone else gets: the table tests/test_access.py walks
every route against, and tests/browser/test_browser_a11y.py checks its audit against.
"""

ROLES = ["coordinator", "venue_staff", "pastor", "partner"]
ANON = "anonymous"
SIGNIN = "sign-in page"  # a redirect to /signin?next=..., as Flask-Login sends the anonymous

COORDINATOR_ONLY = {ANON: SIGNIN} | dict.fromkeys(ROLES, 403)
STAFF_AND_COORDINATOR = {ANON: SIGNIN} | dict.fromkeys(ROLES, 403)
PASTOR_AND_COORDINATOR = {ANON: SIGNIN} | dict.fromkeys(ROLES, 403)
SENDERS = ["coordinator", "venue_staff", "pastor"]
STAFF = ["coordinator", "venue_staff"]

# endpoint -> (method, {who: expected status}). A route missing here fails the suite.
EXPECTED = {
    "static": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "core.home": ("GET", {ANON: SIGNIN} | dict.fromkeys(ROLES, 200)),
    "core.healthz": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "core.set_language": ("POST", dict.fromkeys([ANON, *ROLES], 302)),
    "accounts.sign_in": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "accounts.sign_out": ("POST", {ANON: SIGNIN} | dict.fromkeys(ROLES, 302)),
    "accounts.account": ("GET", {ANON: SIGNIN} | dict.fromkeys(ROLES, 200)),
    # An empty form: the person may post, and gets the form back with errors.
    "accounts.change_password": ("POST", {ANON: SIGNIN} | dict.fromkeys(ROLES, 400)),
    "accounts.people": ("GET", {ANON: SIGNIN} | dict.fromkeys(ROLES, 403) | {"coordinator": 200}),
    "accounts.add_person": (
        "GET",
        {ANON: SIGNIN} | dict.fromkeys(ROLES, 403) | {"coordinator": 200},
    ),
    "accounts.edit_person": (
        "GET",
        {ANON: SIGNIN} | dict.fromkeys(ROLES, 403) | {"coordinator": 200},
    ),
    "accounts.reset_link": (
        "POST",
        {ANON: SIGNIN} | dict.fromkeys(ROLES, 403) | {"coordinator": 200},
    ),
    # Public, but an unknown token is simply not found.
    "accounts.reset_password": ("GET", dict.fromkeys([ANON, *ROLES], 404)),
    "havens.log_visit": ("GET", STAFF_AND_COORDINATOR | {"venue_staff": 200, "coordinator": 200}),
    "havens.visits": ("GET", STAFF_AND_COORDINATOR | {"venue_staff": 200, "coordinator": 200}),
    # Someone else's visit, or none at all: not found either way.
    "havens.visit": ("GET", STAFF_AND_COORDINATOR | {"venue_staff": 404, "coordinator": 404}),
    "havens.venues": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "havens.venue": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "havens.venue_status": ("POST", COORDINATOR_ONLY | {"coordinator": 400}),  # no reason given
    "havens.venue_training": ("POST", COORDINATOR_ONLY | {"coordinator": 400}),
    "havens.accept_registration": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    "havens.dismiss_registration": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    "havens.venue_page": ("GET", dict.fromkeys([ANON, *ROLES], 404)),  # an unknown sign
    "havens.register_interest": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "havens.directory": ("GET", {ANON: SIGNIN} | dict.fromkeys(ROLES, 200)),
    "havens.add_service": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "havens.edit_service": ("GET", COORDINATOR_ONLY | {"coordinator": 404}),
    "havens.delete_service": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    "havens.venue_sticker": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    # An empty form prints the defaults: an A5 PDF of the venue's, or every active venue's.
    "havens.print_sticker": ("POST", COORDINATOR_ONLY | {"coordinator": 200}),
    "havens.print_stickers": ("POST", COORDINATOR_ONLY | {"coordinator": 200}),
    "havens.reissue_sticker": ("POST", COORDINATOR_ONLY | {"coordinator": 400}),  # no reason
    "havens.sticker_register": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "patrols.patrols": ("GET", PASTOR_AND_COORDINATOR | {"pastor": 200, "coordinator": 200}),
    "patrols.start_patrol": ("GET", PASTOR_AND_COORDINATOR | {"pastor": 200, "coordinator": 200}),
    # Someone else's patrol, or none at all: not found either way.
    "patrols.patrol": ("GET", PASTOR_AND_COORDINATOR | {"pastor": 404, "coordinator": 404}),
    "patrols.log_contact": ("GET", PASTOR_AND_COORDINATOR | {"pastor": 404, "coordinator": 404}),
    "patrols.contact": ("GET", PASTOR_AND_COORDINATOR | {"pastor": 404, "coordinator": 404}),
    "patrols.end_patrol": ("GET", PASTOR_AND_COORDINATOR | {"pastor": 404, "coordinator": 404}),
    "patrols.summary": ("GET", PASTOR_AND_COORDINATOR | {"pastor": 404, "coordinator": 404}),
    "lists.lists": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "lists.edit_list": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "lists.add_item": ("POST", COORDINATOR_ONLY | {"coordinator": 400}),  # no label given
    "lists.edit_item": ("GET", COORDINATOR_ONLY | {"coordinator": 404}),
    "patrols.teams": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "patrols.add_team": ("POST", COORDINATOR_ONLY | {"coordinator": 400}),  # no name given
    "patrols.add_area": ("POST", COORDINATOR_ONLY | {"coordinator": 400}),
    "patrols.delete_area": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    "patrols.set_tallies": ("POST", COORDINATOR_ONLY | {"coordinator": 302}),  # none is allowed
    "patrols.contact_shell": ("GET", PASTOR_AND_COORDINATOR | {"pastor": 200, "coordinator": 200}),
    "patrols.end_shell": ("GET", PASTOR_AND_COORDINATOR | {"pastor": 200, "coordinator": 200}),
    # The API answers JSON: 401 rather than a redirect to the sign-in page.
    "sync.session_info": ("GET", {ANON: 401} | dict.fromkeys(ROLES, 200)),
    # A form post, not JSON: refused as unreadable by those who may sync.
    "sync.sync": ("POST", {ANON: 401, "partner": 403} | dict.fromkeys(SENDERS, 400)),
    "sync.handovers": ("GET", {ANON: 401} | dict.fromkeys(ROLES, 403) | dict.fromkeys(STAFF, 200)),
    "sync.openapi_document": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "sync.service_worker": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "sync.manifest": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "sync.offline": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "sync.outbox": ("GET", {ANON: SIGNIN} | dict.fromkeys(ROLES, 200)),
    "accounts.devices": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "accounts.revoke_device": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    # Public, but an unknown code is simply not found.
    "accounts.enrol": ("GET", dict.fromkeys([ANON, *ROLES], 404)),
    # Only on an enrolled venue tablet; anywhere else there is no PIN sign-in.
    "accounts.pin_sign_in": ("POST", dict.fromkeys([ANON, *ROLES], 404)),
    # Only venue staff have a PIN; an empty form comes back to the account page.
    "accounts.set_pin": ("POST", {ANON: SIGNIN} | dict.fromkeys(ROLES, 403) | {"venue_staff": 302}),
    "sync.conflicts": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "sync.conflict": ("GET", COORDINATOR_ONLY | {"coordinator": 404}),
    "sync.resolve_conflict": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    # With no format chosen: the download page itself.
    "reports.exports": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "reports.audit_log": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "reports.dashboard": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    # Partners get the last quarter that has ended; coordinators the current one.
    "reports.quarterly": ("GET", COORDINATOR_ONLY | {"coordinator": 200, "partner": 200}),
    "reports.quarterly_pdf": ("GET", COORDINATOR_ONLY | {"coordinator": 200, "partner": 200}),
    "reports.quarterly_csv": ("GET", COORDINATOR_ONLY | {"coordinator": 200, "partner": 200}),
    # Everyone signed in has alerts, and may turn them on for their own devices.
    "alerts.alerts": ("GET", {ANON: SIGNIN} | dict.fromkeys(ROLES, 200)),
    "alerts.devices": ("GET", {ANON: SIGNIN} | dict.fromkeys(ROLES, 200)),
    "alerts.remove": ("POST", {ANON: SIGNIN} | dict.fromkeys(ROLES, 302)),  # none: back to the list
    "alerts.push_key": ("GET", {ANON: 401} | dict.fromkeys(ROLES, 200)),
    "alerts.my_alerts": ("GET", {ANON: 401} | dict.fromkeys(ROLES, 200)),
    "alerts.subscribe": ("POST", {ANON: 401} | dict.fromkeys(ROLES, 400)),  # a form, not JSON
    # DELETE only, which this walk does not send (tests/alerts/test_push_subscriptions.py
    # does): a GET is refused.
    "alerts.unsubscribe": ("DELETE", dict.fromkeys([ANON, *ROLES], 405)),
    # Public: knowing a subscription's endpoint is the proof. A form is not JSON.
    "alerts.outbox_report": ("POST", dict.fromkeys([ANON, *ROLES], 400)),
    # A venue's call for help: asked by its staff; none here, so not found for those who
    # might see one (partners never may).
    "alerts.ask_for_help": (
        "GET",
        {ANON: SIGNIN} | dict.fromkeys(ROLES, 403) | {"venue_staff": 200},
    ),
    "alerts.help_request": ("GET", {ANON: SIGNIN, "partner": 403} | dict.fromkeys(SENDERS, 404)),
    "alerts.help_status": ("GET", {ANON: 401, "partner": 403} | dict.fromkeys(SENDERS, 404)),
    "alerts.accept_help": ("POST", {ANON: SIGNIN} | dict.fromkeys(ROLES, 403) | {"pastor": 404}),
    "alerts.cancel_help": (
        "POST",
        {ANON: SIGNIN} | dict.fromkeys(ROLES, 403) | dict.fromkeys(STAFF, 404),
    ),
    "alerts.notices": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "alerts.notice": ("GET", {ANON: SIGNIN} | dict.fromkeys(ROLES, 404)),
    "patrols.team_phone": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    "patrols.edit_area": ("GET", COORDINATOR_ONLY | {"coordinator": 404}),
    # The public's report of an unsafe place and the Safe Haven finder: anyone.
    "places.report": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "places.report_for_scheme": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "places.report_thanks": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "places.finder": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    "places.finder_for_scheme": ("GET", dict.fromkeys([ANON, *ROLES], 200)),
    # Triage, the map and EVAs: coordinators only; staff, pastors and partners see no report.
    "places.queue": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "places.map": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "places.report_page": ("GET", COORDINATOR_ONLY | {"coordinator": 404}),
    "places.report_status": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    "places.report_merge": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    "places.report_area": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    "places.report_delete": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    "places.evas": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "places.new_eva": ("GET", COORDINATOR_ONLY | {"coordinator": 200}),
    "places.eva": ("GET", COORDINATOR_ONLY | {"coordinator": 404}),
    "places.edit_eva": ("GET", COORDINATOR_ONLY | {"coordinator": 404}),
    "places.add_action": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    "places.action_status": ("POST", COORDINATOR_ONLY | {"coordinator": 404}),
    # EVA reports are written to be shared: partners read them too.
    "reports.evas": ("GET", COORDINATOR_ONLY | {"coordinator": 200, "partner": 200}),
    "reports.eva_report": ("GET", COORDINATOR_ONLY | {"coordinator": 404, "partner": 404}),
    "reports.eva_pdf": ("GET", COORDINATOR_ONLY | {"coordinator": 404, "partner": 404}),
}

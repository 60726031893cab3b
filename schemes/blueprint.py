"""The schemes package's routes and commands.

Its pages keep the endpoint names they had before they moved here (core.home,
accounts.people, accounts.devices...), so every link to them stays as it was: they are
added to the app under those names rather than on a blueprint of their own.
"""

from flask import Flask

from accounts.cli import users
from schemes import cli, demo, devices, home, people

RULES = [
    ("/", "core.home", home.home, ["GET"]),
    ("/people", "accounts.people", people.people, ["GET"]),
    ("/people/new", "accounts.add_person", people.add_person, ["GET", "POST"]),
    ("/people/<int:person_id>", "accounts.edit_person", people.edit_person, ["GET", "POST"]),
    (
        "/people/<int:person_id>/reset-link",
        "accounts.reset_link",
        people.reset_link,
        ["POST"],
    ),
    ("/devices", "accounts.devices", devices.devices, ["GET", "POST"]),
    (
        "/devices/<int:device_id>/revoke",
        "accounts.revoke_device",
        devices.revoke_device,
        ["POST"],
    ),
]


def init_app(app: Flask) -> None:
    for rule, endpoint, view, methods in RULES:
        app.add_url_rule(rule, endpoint, view, methods=methods)
    users.add_command(cli.create_user)
    app.cli.add_command(cli.schemes)
    app.cli.add_command(demo.demo)

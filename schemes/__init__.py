"""What spans every domain: the home page, the demo scheme, people and devices with
their venues and teams, and the commands that create a scheme or a person.

It stands above the domains (accounts, havens, patrols, alerts, sync, reports) and may
use any of them. Routes and commands: schemes.blueprint."""

"""Alerts: web push and the in-app alerts list, a venue's call for help, hand-over
alerts, coordinators' notices and reminders.

Routes, commands and signal handlers: alerts.blueprint."""

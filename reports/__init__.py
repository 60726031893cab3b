"""Dashboards, partnership reports, exports, retention and the audit log.

Routes and commands: reports.blueprint."""

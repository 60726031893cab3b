"""The kit every package shares: database set-up, access rules, the form kit, records
kept in versions, signals, time, language, errors, headers and the request log.

Routes: core.blueprint."""

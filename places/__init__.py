"""Places where people feel unsafe: the public's reports, their triage, environmental
visual audits (EVAs) with their actions, the coordinators' map and the public Safe Haven
finder (action plan 5.6, 5.13 and 5.14).

Routes: places.blueprint."""

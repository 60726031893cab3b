"""Street Pastors: teams, patrols and contacts.

Routes: patrols.blueprint."""

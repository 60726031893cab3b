"""People, roles, signing in and out, password resets, enrolled devices and PINs.

Routes and commands: accounts.blueprint."""

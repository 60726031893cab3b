"""Safe Haven venues: their life cycle, visits, stickers, public pages and the support
directory.

Routes and commands: havens.blueprint."""

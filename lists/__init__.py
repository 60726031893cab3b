"""Each scheme's own lists: the help given on a visit, how a person left, what pastors saw
and what they gave or did. Items carry a stable code (what records store), a standard
category (what the partnership compares) and a label per language.

Routes: lists.blueprint. Below havens and patrols, which record with these lists."""

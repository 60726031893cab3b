"""Window stickers: their design, the files made from it, and the register of issued signs.

The views attach themselves to the havens blueprint (havens.stickers.views).
"""

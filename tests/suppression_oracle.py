"""What a reader could work out from a table with hidden counts, found by brute force:
every table that fits the shown figures and the marks, and the hidden cells that take one
value in all of them. The report tests check suppress() and the partners' tables with it.
"""

import itertools

from reports.suppression import (
    SHOWN,
    SMALL,
    WITHHELD,
    table_sums,
)


def grid(values: list[list[int]]):
    """A table with row totals, column totals and a grand total, as counts and sums."""
    rows, cols = range(len(values)), range(len(values[0]))
    counts = {(r, c): values[r][c] for r in rows for c in cols}
    counts |= {(r, "all"): sum(values[r]) for r in rows}
    counts |= {("all", c): sum(values[r][c] for r in rows) for c in cols}
    counts[("all", "all")] = sum(map(sum, values))
    sums = table_sums(
        list(rows),
        list(cols),
        lambda r, c: (r, c),
        lambda r: ("all" if r is None else r, "all"),
        lambda c: ("all", "all" if c is None else c),
    )
    return counts, sums


def solutions(values, marks, small_max=5):
    """Every table a reader could fill in behind the marks (an exact check, by brute force).

    A hidden cell can be at most the smallest shown total of its row and column, else the
    grand total if shown; with none shown, at most the true grand total (a reader does not
    know it, so this only makes the check stricter)."""
    rows, cols = len(values), len(values[0])
    counts, _sums = grid(values)

    def most(r, c):
        shown = [counts[k] for k in ((r, "all"), ("all", c), ("all", "all")) if marks[k] == SHOWN]
        return min(shown, default=counts[("all", "all")])

    def possible(r, c):
        if marks[(r, c)] == SHOWN:
            return [counts[(r, c)]]
        if marks[(r, c)] == SMALL:
            return range(1, small_max + 1)
        least = 0 if marks[(r, c)] == WITHHELD else small_max + 1
        return range(least, most(r, c) + 1)

    def fits(key, n):
        if marks[key] == SHOWN:
            return n == counts[key]
        if marks[key] == WITHHELD:
            return n >= 0
        return 1 <= n <= small_max if marks[key] == SMALL else n > small_max

    filled = [[]]
    for r in range(rows):
        options = [
            combo
            for combo in itertools.product(*(possible(r, c) for c in range(cols)))
            if fits((r, "all"), sum(combo))
        ]
        filled = [done + [combo] for done in filled for combo in options]
    for table_ in filled:
        columns = [sum(table_[r][c] for r in range(rows)) for c in range(cols)]
        if all(fits(("all", c), n) for c, n in enumerate(columns)) and fits(
            ("all", "all"), sum(columns)
        ):
            yield table_, columns


def exposed_exactly(values, marks) -> list:
    """Hidden cells that take one value in every table a reader could fill in."""
    seen: dict = {}
    for table_, columns in solutions(values, marks):
        cells = {(r, c): n for r, row in enumerate(table_) for c, n in enumerate(row)}
        cells |= {(r, "all"): sum(row) for r, row in enumerate(table_)}
        cells |= {("all", c): n for c, n in enumerate(columns)}
        cells[("all", "all")] = sum(columns)
        for key, n in cells.items():
            seen.setdefault(key, set()).add(n)
    return [key for key, found in seen.items() if marks[key] != SHOWN and len(found) == 1]

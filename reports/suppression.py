"""Small-number suppression for everything a partner sees. Pure: numbers in, marks out.

The rule, as the report's method notes state it:

1. Primary: a count from 1 to SMALL_COUNT_MAX (5 by default) is hidden and shown as
   "1-5". Zero is shown (but see 3).
2. Secondary: each row or column that has a total is a sum (its counts add up to the
   total), and a figure shown in two places (a table's total and a headline) is one
   count. From the shown numbers, every sum, and knowing that a "1-5" lies between 1 and
   5 and a "[c]" is at least 6, we work out the least and the most each hidden count
   could be, narrowing across rows and columns until nothing changes. While any hidden
   count comes out as one single number, another count is hidden and shown as "[c]".

Which one: the exposed count to protect is one hidden alone in some sum, if there is
one; the new hidden count is a shown count above zero in a sum that holds it, the first
of these that protects it, in this order of preference: from a sum where it is alone; a
part before a total; one whose other sum already hides a count (closing a loop of hidden
counts, which no total can undo); the smallest. If none protects it on its own, the first
in that order is hidden and the check runs again. If an exposed count has no shown count
above zero in its sums (bounds alone pin it), the search widens to every sum that hides a
count. Zeros are never hidden as "[c]".

3. Withheld: when every count that could be hidden is hidden and the sums still pin one
   (a table of nothing but small counts can do it: five "1-5" that must add up to a
   "1-5" are all 1), every figure tied to it through the sums is shown as "[x]", zeros
   and totals included; a reader can then take nothing from them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence

SHOWN, SMALL, HIDDEN, WITHHELD = "shown", "small", "hidden", "withheld"
SMALL_COUNT_MAX = 5
UNBOUNDED = 10**12  # the most a [c] could be, before the sums narrow it
LOOKAHEAD = 12  # candidates tried for protecting a count at each step

Key = Hashable
Sum = tuple[Key, Sequence[Key]]  # (the total, the parts that add up to it)


def suppress(
    counts: Mapping[Key, int], sums: Iterable[Sum] = (), small_max: int = SMALL_COUNT_MAX
) -> dict[Key, str]:
    """Mark each count SHOWN, SMALL (shown as 1-5) or HIDDEN (shown as [c])."""
    audit = Audit(counts, list(sums), small_max)
    marks = {key: SMALL if 1 <= n <= small_max else SHOWN for key, n in counts.items()}
    while exposed := audit.exposed(marks):
        extra = audit.protect(exposed, marks)
        if extra is None:
            # Every count around it is hidden already, and still the sums pin it: withhold
            # every figure tied to it, zeros and totals too, so that no sum is left to use.
            marks.update(dict.fromkeys(audit.connected(exposed[0]), WITHHELD))
            continue
        marks[extra] = HIDDEN
    return marks


def recoverable(
    counts: Mapping[Key, int], sums: Sequence[Sum], marks: Mapping[Key, str], small_max: int
) -> list[Key]:
    """Hidden counts whose value the shown numbers give away."""
    return Audit(counts, list(sums), small_max).exposed(marks)


class Audit:
    """What a reader can work out from the marks: interval reasoning over the sums."""

    def __init__(self, counts: Mapping[Key, int], sums: list[Sum], small_max: int) -> None:
        self.counts, self.sums, self.small_max = counts, sums, small_max
        self.keys = list(counts)
        index = {key: i for i, key in enumerate(self.keys)}
        self.lines = [(index[t], [index[p] for p in parts]) for t, parts in sums]
        self.holding: list[list[int]] = [[] for _ in self.keys]
        for n, (total, parts) in enumerate(self.lines):
            for member in (total, *parts):
                self.holding[member].append(n)

    def bounds(self, marks: Mapping[Key, str]) -> tuple[list[int], list[int]]:
        """The least and most each count could be, to someone who sees only the marks."""
        start = {
            SMALL: (1, self.small_max),
            HIDDEN: (self.small_max + 1, UNBOUNDED),
            WITHHELD: (0, UNBOUNDED),
        }
        pairs = [start.get(marks[k], (self.counts[k],) * 2) for k in self.keys]
        lo, hi = [p[0] for p in pairs], [p[1] for p in pairs]
        queue, queued = deque(range(len(self.lines))), [True] * len(self.lines)
        budget = 200 * len(self.lines) + 100  # a safety stop; tables settle in a few passes
        while queue and budget:
            budget -= 1
            n = queue.popleft()
            queued[n] = False
            for moved in _narrow(self.lines[n], lo, hi):
                for other in self.holding[moved]:
                    if not queued[other]:
                        queue.append(other)
                        queued[other] = True
        return lo, hi

    def exposed(self, marks: Mapping[Key, str]) -> list[Key]:
        lo, hi = self.bounds(marks)
        return [k for i, k in enumerate(self.keys) if marks[k] != SHOWN and lo[i] == hi[i]]

    def protect(self, exposed: list[Key], marks: dict[Key, str]) -> Key | None:
        """The next count to hide (see the module's docstring for the order)."""
        ordered = sorted(exposed, key=lambda k: not self.alone(k, marks))
        for key in ordered:
            holding = [(t, parts) for t, parts in self.sums if key == t or key in parts]
            if found := self.choose(key, holding, marks):
                return found
        # Pinned by bounds alone, with nothing shown around it: widen the search to every
        # sum that hides something.
        hiding = [(t, p) for t, p in self.sums if any(marks[k] != SHOWN for k in (t, *p))]
        return self.choose(ordered[0], hiding, marks)

    def choose(self, key: Key, holding: list[Sum], marks: dict[Key, str]) -> Key | None:
        """The preferred shown non-zero count of these sums to hide to protect `key`."""
        alone = self.alone(key, marks)
        candidates = []
        for total, parts in holding:
            for k in (*parts, total):
                if marks[k] == SHOWN and self.counts[k] > 0 and k not in candidates:
                    candidates.append(k)

        def preference(k) -> tuple:
            in_alone = any(k == t or k in parts for t, parts in alone)
            is_total = any(k == t for t, _parts in holding)
            return (not in_alone, is_total, not self.closes(k, key, marks), self.counts[k])

        candidates.sort(key=preference)
        for k in candidates[:LOOKAHEAD]:
            if key not in self.exposed({**marks, k: HIDDEN}):
                return k
        return candidates[0] if candidates else None

    def connected(self, key: Key) -> set[Key]:
        """Every count tied to `key` through the sums, `key` included."""
        index = {k: i for i, k in enumerate(self.keys)}
        found, todo = {index[key]}, [index[key]]
        while todo:
            for n in self.holding[todo.pop()]:
                total, parts = self.lines[n]
                for member in (total, *parts):
                    if member not in found:
                        found.add(member)
                        todo.append(member)
        return {self.keys[i] for i in found}

    def alone(self, key: Key, marks: Mapping[Key, str]) -> list[Sum]:
        """The sums where `key` is the only hidden count: each gives it away by subtraction."""
        found = []
        for total, parts in self.sums:
            members = (total, *parts)
            if key in members and all(marks[k] == SHOWN for k in members if k != key):
                found.append((total, parts))
        return found

    def closes(self, candidate: Key, key: Key, marks: Mapping[Key, str]) -> bool:
        """True when a sum holding the candidate, but not `key`, already hides a count."""
        for total, parts in self.sums:
            members = (total, *parts)
            if candidate in members and key not in members:
                if any(marks[k] != SHOWN for k in members):
                    return True
        return False


def _narrow(line: tuple[int, list[int]], lo: list[int], hi: list[int]) -> list[int]:
    """Apply total = sum(parts) to the bounds once; the indexes whose bounds moved."""
    total, parts = line
    moved = []
    low, high = sum(lo[p] for p in parts), sum(hi[p] for p in parts)
    if low > lo[total] or high < hi[total]:
        lo[total], hi[total] = max(lo[total], low), min(hi[total], high)
        moved.append(total)
    for p in parts:
        least = lo[total] - (high - hi[p])
        most = hi[total] - (low - lo[p])
        if least > lo[p] or most < hi[p]:
            low, high = low - lo[p], high - hi[p]
            lo[p], hi[p] = max(lo[p], least), min(hi[p], most)
            low, high = low + lo[p], high + hi[p]
            moved.append(p)
    return moved


def table_sums(
    rows: Sequence[Key], columns: Sequence[Key], cell, row_total=None, column_total=None
) -> list[Sum]:
    """The sums of a table: each row to its total (row_total(r)), each column to its
    total (column_total(c)), and the totals to the grand total (row_total(None) ==
    column_total(None)). `cell(r, c)` names a cell; leave a total out with None."""
    sums: list[Sum] = []
    if row_total:
        sums += [(row_total(r), [cell(r, c) for c in columns]) for r in rows]
    if column_total:
        sums += [(column_total(c), [cell(r, c) for r in rows]) for c in columns]
    if row_total and column_total:
        sums.append((row_total(None), [column_total(c) for c in columns]))
        sums.append((column_total(None), [row_total(r) for r in rows]))
    return sums


def display(n: int | float, mark: str, small_max: int = SMALL_COUNT_MAX) -> str | int | float:
    """What a partner sees for a count: the number, 1-5, [c] or [x]."""
    if mark == SMALL:
        return f"1-{small_max}"
    return {HIDDEN: "[c]", WITHHELD: "[x]"}.get(mark, n)

"""Small-number suppression, as a pure rule: counts of 1 to 5 are hidden, and a second
count hides each one that a total would give away; no hidden count can be worked out from
a table, as tests/suppression_oracle.py checks by brute force.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import suppression
from reports.suppression import (
    HIDDEN,
    SHOWN,
    SMALL,
    WITHHELD,
    recoverable,
    suppress,
)
from tests.suppression_oracle import exposed_exactly, grid

# --- the suppression rule, as a pure function -----------------------------------------------


def hidden(marks) -> dict:
    return {key: mark for key, mark in marks.items() if mark != SHOWN}


def test_primary_suppression_hides_one_to_five_and_shows_zero():
    marks = suppress({"a": 0, "b": 1, "c": 5, "d": 6})
    assert marks == {"a": SHOWN, "b": SMALL, "c": SMALL, "d": SHOWN}
    assert suppress({"d": 6}, small_max=9) == {"d": SMALL}
    assert [suppression.display(3, SMALL), suppression.display(9, HIDDEN)] == ["1-5", "[c]"]
    assert suppression.display(3, SMALL, small_max=9) == "1-9"


def test_a_row_with_one_small_count_hides_a_second():
    counts = {"x": 3, "y": 7, "z": 12, "total": 22}
    marks = suppress(counts, [("total", ["x", "y", "z"])])
    assert hidden(marks) == {"x": SMALL, "y": HIDDEN}  # the next smallest, not the total


def test_one_to_five_and_six_adding_up_to_seven_hides_the_total():
    # Hiding the 6 would not do: only 1 + 6 make 7. So the total goes.
    counts = {"x": 1, "y": 6, "total": 7}
    marks = suppress(counts, [("total", ["x", "y"])])
    assert hidden(marks) == {"x": SMALL, "total": HIDDEN}


def test_small_counts_that_protect_each_other_need_nothing_more():
    counts, sums = grid([[3, 0], [2, 9]])
    marks = suppress(counts, sums)
    assert marks[(0, 0)] == marks[(1, 0)] == marks[(0, "all")] == SMALL
    assert recoverable(counts, sums, marks, 5) == []


def test_a_table_hides_a_rectangle_around_two_small_counts():
    # The demo's fourth quarter: two small counts in one column, protected by the two
    # cells beside them, so that every total stays shown.
    counts, sums = grid([[8, 5, 0], [11, 6, 0], [10, 3, 0], [12, 9, 0]])
    marks = suppress(counts, sums)
    assert hidden(marks) == {(0, 0): HIDDEN, (0, 1): SMALL, (2, 0): HIDDEN, (2, 1): SMALL}


def test_a_figure_shown_twice_is_one_count():
    # The hand-overs total is both a row of the services table and a table's total.
    counts = {"first_aid": 9, "handover": 4, "risk": 13, "lamp": 3, "lantern": 1}
    sums = [("risk", ["first_aid", "handover"]), ("handover", ["lamp", "lantern"])]
    marks = suppress(counts, sums)
    assert marks["handover"] == marks["lamp"] == marks["lantern"] == SMALL
    assert recoverable(counts, sums, marks, 5) == []
    assert marks["first_aid"] == HIDDEN or marks["risk"] == HIDDEN


def test_a_table_of_nothing_but_small_counts_is_withheld():
    # Five "1-5" under a "1-5" grand total: with two and three counts in the columns, the
    # columns are at least 2 and 3, so the total is 5 and every count is 1.
    counts, sums = grid([[0, 1], [1, 1], [1, 1]])
    marks = suppress(counts, sums)
    assert set(marks.values()) == {WITHHELD}
    assert suppression.display(0, WITHHELD) == "[x]"
    assert exposed_exactly([[0, 1], [1, 1], [1, 1]], marks) == []


def test_zeros_are_never_hidden():
    counts, sums = grid([[0, 4], [0, 0]])
    marks = suppress(counts, sums)
    assert all(marks[key] == SHOWN for key, n in counts.items() if n == 0)
    assert recoverable(counts, sums, marks, 5) == []


def test_the_check_finds_a_count_given_away_by_subtraction():
    counts = {"x": 3, "y": 7, "total": 10}
    sums = [("total", ["x", "y"])]
    assert recoverable(counts, sums, {"x": SMALL, "y": SHOWN, "total": SHOWN}, 5) == ["x"]
    # Two small counts that must both be 5 are given away by their bounds.
    counts = {"x": 5, "y": 5, "total": 10}
    marks = {"x": SMALL, "y": SMALL, "total": SHOWN}
    assert recoverable(counts, sums, marks, 5) == ["x", "y"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 3).flatmap(
        lambda cols: st.lists(
            st.lists(
                st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12]), min_size=cols, max_size=cols
            ),
            min_size=1,
            max_size=6 // cols,
        )
    )
)
def test_no_hidden_count_can_be_worked_out_from_a_table(values):
    counts, sums = grid(values)
    marks = suppress(counts, sums)
    assert all(marks[k] in (SMALL, WITHHELD) for k, n in counts.items() if 1 <= n <= 5)
    assert recoverable(counts, sums, marks, 5) == []
    assert exposed_exactly(values, marks) == []

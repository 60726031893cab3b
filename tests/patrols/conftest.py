"""Fixtures of the patrol tests: pastors of the test team, and another team.

The forms are read and posted by tests/patrols/forms.py, as a browser does.
"""

import pytest

from patrols.models import Team


@pytest.fixture
def pastors(make_person, team):
    """Two pastors of the team who do not lead it."""
    return [make_person(name, roles=["pastor"], teams=[team]) for name in ("pat", "pip")]


@pytest.fixture
def other_team(make_team) -> Team:
    return make_team("Saturday team")

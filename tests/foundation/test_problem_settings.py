"""The roster settings (ROSTER_RULES, ROSTER_WEIGHTS, SOLVER_GAP) reach the problem the service sends, and when
they are empty the optimizer's own defaults apply: the web side does not keep a copy of them."""

import datetime as dt

import pytest

from shifts.rostering.problem import problem_for_week
from solver import load_problem
from solver.problem import Rules, Weights
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(week_start):
    community = factories.community()
    factories.member(community)
    factories.shift(community, factories.duty("patrol"), dt.datetime.combine(week_start, dt.time(9, 0)))
    return community


def test_empty_settings_send_the_optimizers_defaults(settings, community, week_start):
    settings.ROSTER_RULES, settings.ROSTER_WEIGHTS = {}, {}
    problem = load_problem(problem_for_week(community=community, week_start=week_start).document)
    assert problem.rules == Rules() and problem.weights == Weights()


def test_configured_rules_and_weights_reach_the_optimizer(settings, community, week_start):
    settings.ROSTER_RULES = {"min_rest_minutes": 480}
    settings.ROSTER_WEIGHTS = {"fairness": 3}
    settings.SOLVER_GAP = 0.01
    document = problem_for_week(community=community, week_start=week_start).document
    problem = load_problem(document)
    assert problem.rules.min_rest_minutes == 480 and problem.rules.max_consecutive_days == Rules().max_consecutive_days
    assert problem.weights.fairness == 3 and problem.weights.unfilled == Weights().unfilled
    assert document["options"]["gap"] == 0.01

"""Pricing: partial pricing finds what full pricing finds for the same groups, and
every path's reduced cost is the master's reading of it, rounding cuts included."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from materiel.logistics.planning.days import sweep
from materiel.logistics.planning.master import Master
from materiel.logistics.planning.network import build_grid
from materiel.logistics.planning.pricing import Pricer, Prices
from materiel.logistics.planning.scenario import TransportScenario
from materiel.logistics.planning.screen import screen
from tests.logistics.planning.test_properties import scenarios


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**32 - 1), st.booleans(), st.booleans())
def test_pricing_some_groups_equals_pricing_all_then_keeping_them(
    s: TransportScenario, seed: int, money: bool, cuts: bool
) -> None:
    grid = build_grid(s)
    days = sweep(grid)
    demand, _ = screen(grid, days, s.movements)
    if len(demand) == 0:
        return
    rng = np.random.default_rng(seed)
    penalty = np.where(rng.random(grid.num_rows) < 0.3, rng.uniform(0, 20, grid.num_rows), 0.0)
    n_link_rows = len(grid.links) * grid.horizon
    width = int(demand.slots.max()) + 1
    cut_penalty = np.where(
        rng.random((n_link_rows, width)) < 0.3, rng.uniform(0, 20, (n_link_rows, width)), 0.0
    )
    prices = Prices(
        supply=rng.uniform(0, 60, len(demand)),
        penalty=penalty,
        cost_weight=1.0 if money else 0.0,
        late_weight=float(rng.integers(0, 3)),
        cut_penalty=cut_penalty if cuts else None,
    )
    pricer = Pricer(grid, days, demand)
    groups = np.flatnonzero(rng.random(len(demand)) < 0.5)
    every = pricer.price(prices)
    some = pricer.price_some(prices, groups)
    event(f"columns found for some of the chosen groups: {bool(some)}")
    assert some == [c for c in every if c.group in set(groups.tolist())]
    master = Master(grid, demand)
    for column in every:
        assert abs(master.reduced_cost(column, prices) - column.reduced_cost) <= 1e-6

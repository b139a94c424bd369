"""Level 3 against a MIP: how far the planner's pairs and bound are from the optimum.

For the largest components of a seeded instance, solves levels 1 and 2
exactly (as the planner does), then the commonality problem on that face as
a MIP with SCIP (x <= cap * y per arc and per (requirement, pair)), next to
the planner's own search and bound (its MIPs included, within the same
seconds). Slow; for research, not for CI.

    python benchmarks/allocation_level3_check.py 1000x1000 --components 7 --seconds 10
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from ortools.linear_solver import pywraplp

sys.path.insert(0, str(Path(__file__).parent))

from allocation_instances import generate
from materiel.donations.planning.flownet import FlowNet, build_net
from materiel.donations.planning.instance import build_instance, components
from materiel.donations.planning.level3 import improve
from materiel.donations.planning.stages import Locked, exact_levels


def mip(net: FlowNet, locked: Locked, seconds: float) -> tuple[float, float]:
    """(best found, best bound) of the fewest open pairs on the face of levels 1 and 2."""
    st = locked.state
    s = pywraplp.Solver.CreateSolver("SCIP")
    free = np.flatnonzero(st.free)
    x = {int(a): s.NumVar(0, int(net.cap[a]), "") for a in free}
    y = [s.BoolVar("") for _ in net.pair_keys]
    for p in set(net.pair[(~st.free) & (st.fixed > 0) & (net.pair >= 0)].tolist()):
        y[p].SetLb(1)
    terms: dict[int, list[tuple[int, pywraplp.Variable]]] = defaultdict(list)
    by_req_pair: dict[tuple[int, int], list[int]] = defaultdict(list)
    for a, var in x.items():
        terms[int(net.tail[a])].append((1, var))
        terms[int(net.head[a])].append((-1, var))
        if net.pair[a] >= 0:
            by_req_pair[(int(net.head[a]), int(net.pair[a]))].append(a)
            s.Add(var <= int(net.cap[a]) * y[net.pair[a]])
    for v in range(net.num_nodes):
        if terms[v] or st.supply[v]:
            s.Add(sum(c * var for c, var in terms[v]) == int(st.supply[v]))
    for (_, p), arcs in by_req_pair.items():
        s.Add(sum(x[a] for a in arcs) <= sum(int(net.cap[a]) for a in arcs) * y[p])
    s.Minimize(sum(y))
    s.SetTimeLimit(int(seconds * 1000))
    s.Solve()
    return s.Objective().Value(), s.Objective().BestBound()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="RxP, e.g. 1000x1000")
    parser.add_argument("--components", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="per component and method")
    args = parser.parse_args()
    n_req, n_pledge = (int(v) for v in args.size.split("x"))
    inst = build_instance(generate(n_req, n_pledge, seed=1))
    parts = sorted(components(inst), key=lambda c: -(len(c[0]) + len(c[1])))
    print(f"{'component':>9} {'planner':>8} {'bound':>6} {'MIP':>6} {'MIP bound':>10}")
    for number, (ps, rs) in enumerate(parts[: args.components]):
        net = build_net(inst, ps, rs, {})
        locked = exact_levels(net)
        end = time.monotonic() + args.seconds
        outcome = improve(
            inst,
            net=net,
            locked=locked,
            out_of_time=lambda end=end: time.monotonic() > end,
            seconds_left=lambda end=end: end - time.monotonic(),
        )
        found, bound = mip(net, locked, args.seconds)
        print(
            f"{number:>9} {outcome.best.open_pairs:>8} {outcome.bound or 0:>6.0f}"
            f" {found:>6.0f} {bound:>10.1f}"
        )


if __name__ == "__main__":
    main()

"""Re-planning after a disruption: warm-started from the previous plan against a cold start.

Plans the seeded scenario, then closes its busiest hub from a day on and
re-plans what has not left by then twice, in separate processes with the
same time limit: warm (`plan_transport(..., previous=plan)`, the previous
plan's paths seed the master) and cold (no previous plan). The table shows
wall time, peak memory, unit-days late, cost, status, the lateness bound
and how many movements' shipments changed.

    python benchmarks/transport_replan.py [--size large] [--time-limit 60] [--day 20]
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from materiel.logistics.planning.plan import TransportPlan
from materiel.logistics.planning.planner import plan_transport
from materiel.logistics.planning.replan import changes, freeze_dispatched
from materiel.logistics.planning.scenario import TransportScenario
from transport_instances import generate


def busiest_hub(plan: TransportPlan) -> str:
    """The hub most units pass through in the plan."""
    through: Counter[str] = Counter()
    for s in plan.shipments:
        for leg in s.legs[1:]:
            through[leg.source] += s.units
    return next(node for node, _ in through.most_common() if node.startswith("hub"))


def forced(plan: TransportPlan, hub: str, today: date) -> int:
    """Movements with a shipment not yet dispatched that passes the hub once it is closed."""
    return len(
        {
            s.movement
            for s in plan.shipments
            if s.legs
            and s.legs[0].depart >= today
            and any(hub in (leg.source, leg.target) for leg in s.legs)
        }
    )


def disrupted(scenario: TransportScenario, plan: TransportPlan, day: int) -> TransportScenario:
    """The scenario with the busiest hub closed from `day`, dispatched shipments frozen."""
    today = scenario.start + timedelta(days=day)
    hub = busiest_hub(plan)
    nodes = tuple(replace(n, closed_from=today) if n.id == hub else n for n in scenario.nodes)
    return freeze_dispatched(replace(scenario, nodes=nodes), plan, today)


def run_child(state: Path, method: str, time_limit: float, day: int) -> dict[str, object]:
    """Re-plan the saved disruption; figures exclude loading it."""
    scenario, previous = pickle.loads(state.read_bytes())  # noqa: S301 (our own file)
    started = time.perf_counter()
    warm = previous if method == "warm" else None
    plan = plan_transport(scenario, time_limit_s=time_limit, previous=warm)
    wall = time.perf_counter() - started
    today = scenario.start + timedelta(days=day)
    return {
        "wall_s": wall,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "late": plan.objective.unit_days_late,
        "unplanned": plan.objective.units_unplanned,
        "cost": plan.objective.cost,
        "status": plan.solver.status,
        "late_bound": dict(plan.solver.bounds).get("unit_days_late"),
        "changed": len(changes(previous, plan, today)),
        "notes": list(plan.solver.notes),
    }


def run(state: Path, method: str, time_limit: float, day: int) -> dict[str, object]:
    args = [sys.executable, __file__, "--child", str(state), method]
    args += ["--time-limit", str(time_limit), "--day", str(day)]
    done = subprocess.run(args, capture_output=True, text=True, check=True)  # noqa: S603
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def row(method: str, r: dict[str, object]) -> str:
    bound = "-" if r["late_bound"] is None else f"{r['late_bound']:.2f}"
    return (
        f"{method:<9}{r['wall_s']:>8.2f}{r['peak_mib']:>7.0f}{r['unplanned']:>10}{r['late']:>11}"
        f"{bound:>12}{r['cost']:>13,.0f}{r['changed']:>9}  {r['status']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", help="small or large")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--day", type=int, default=20, help="day of the disruption")
    parser.add_argument("--child", nargs=2, metavar=("STATE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        state, method = args.child
        print(json.dumps(run_child(Path(state), method, args.time_limit, args.day)))
        return
    scenario = generate(args.size, seed=1)
    print(f"planning {args.size} ({args.time_limit:.0f} s) ...", flush=True)
    plan = plan_transport(scenario, time_limit_s=args.time_limit)
    print(
        f"previous plan: {plan.objective.unit_days_late} unit-days late, "
        f"cost {plan.objective.cost:,.0f}, {plan.solver.status}"
    )
    replanned = disrupted(scenario, plan, args.day)
    hub, today = busiest_hub(plan), scenario.start + timedelta(days=args.day)
    print(
        f"disruption: {hub} closed from day {args.day}; "
        f"{len(replanned.fixed)} legs already dispatched, "
        f"{sum(m.units for m in replanned.movements)} units of "
        f"{len(replanned.movements)} movements to re-plan; "
        f"{forced(plan, hub, today)} movements must move (their shipments pass {hub})",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.pickle"
        state.write_bytes(pickle.dumps((replanned, plan)))
        results = {m: run(state, m, args.time_limit, args.day) for m in ("warm", "cold")}
    print(
        f"{'re-plan':<9}{'secs':>8}{'MiB':>7}{'unplanned':>10}{'unit-days':>11}"
        f"{'late bound':>12}{'cost':>13}{'changed':>9}  status"
    )
    for method, result in results.items():
        print(row(method, result))
    for method, result in results.items():
        for note in result["notes"]:  # type: ignore[attr-defined]
            print(f"{method:<9}{note}")


if __name__ == "__main__":
    main()

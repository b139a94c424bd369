"""Transport planner against the earliest-departure greedy on seeded networks.

For each size the planner and the greedy run in their own process, so that
each peak memory is its own; the table shows wall time, peak memory, units
planned and unplanned, unit-days late, cost, the solver status and the LP
bounds the planner proved.

    python benchmarks/transport.py [--sizes small,large] [--time-limit 60]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from materiel.logistics.planning.greedy import plan_transport_greedy
from materiel.logistics.planning.planner import plan_transport
from transport_instances import generate


def run_child(size: str, method: str, time_limit: float) -> dict[str, object]:
    """Generate the instance and plan it; figures exclude generation time."""
    scenario = generate(size, seed=1)
    started = time.perf_counter()
    if method == "planner":
        plan = plan_transport(scenario, time_limit_s=time_limit)
    else:
        plan = plan_transport_greedy(scenario)
    wall = time.perf_counter() - started
    o, s = plan.objective, plan.solver
    return {
        "wall_s": wall,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "planned": o.units_planned,
        "unplanned": o.units_unplanned,
        "late": o.unit_days_late,
        "cost": o.cost,
        "status": s.status,
        "notes": list(s.notes),
    }


def run(size: str, method: str, time_limit: float) -> dict[str, object]:
    args = [sys.executable, __file__, "--child", size, method, "--time-limit", str(time_limit)]
    done = subprocess.run(args, capture_output=True, text=True, check=True)  # noqa: S603
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def row(size: str, method: str, r: dict[str, object]) -> str:
    return (
        f"{size:>6} {method:<8}{r['wall_s']:>8.2f}{r['peak_mib']:>7.0f}{r['planned']:>9}"
        f"{r['unplanned']:>10}{r['late']:>11}{r['cost']:>13,.0f}  {r['status']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,large", help="comma-separated: small, large")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(*args.child, args.time_limit)))
        return
    print(
        f"{'size':>6} {'method':<8}{'secs':>8}{'MiB':>7}{'planned':>9}{'unplanned':>10}"
        f"{'unit-days':>11}{'cost':>13}  status"
    )
    for size in args.sizes.split(","):
        planner = run(size, "planner", args.time_limit)
        greedy = run(size, "greedy", args.time_limit)
        print(row(size, "planner", planner))
        print(row(size, "greedy", greedy))
        for note in planner["notes"]:  # type: ignore[attr-defined]
            print(f"{'':>15}{note}")


if __name__ == "__main__":
    main()

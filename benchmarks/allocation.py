"""Allocation planner against the greedy baseline on seeded instances.

For each size (requirement lines x pledges) the planner and the greedy run
in their own process, so that each peak memory is its own (the planner's
worker processes included: the resident memory of the whole process tree
is sampled, which counts pages shared after the fork once per process, so
it errs high), and the table
shows wall time, peak memory, units met per priority, unit-days late,
distinct (unit, item type) pairs, transport cost and the gap of level 3 to
its lower bound; then how many priority-1 and -2 units greedy loses.

    python benchmarks/allocation.py [--sizes 1000x1000,10000x5000] [--time-limit 20]
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

from allocation_instances import generate
from materiel.donations.planning.greedy import allocate_greedy
from materiel.donations.planning.planner import allocate

SIZES = "1000x1000,10000x5000,100000x20000"


def run_child(size: str, method: str, time_limit: float) -> dict[str, object]:
    """Generate the instance and plan it; figures exclude generation time."""
    n_req, n_pledge = (int(x) for x in size.split("x"))
    scenario = generate(n_req, n_pledge, seed=1)
    started = time.perf_counter()
    if method == "planner":
        plan = allocate(scenario, time_limit_s=time_limit)
    else:
        plan = allocate_greedy(scenario)
    wall = time.perf_counter() - started
    o, s = plan.objective, plan.solver
    return {
        "wall_s": wall,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "met": [o.met_by_priority[k] for k in range(1, 6)],
        "late": o.unit_days_late,
        "pairs": o.types_per_unit,
        "transport": o.transport_cost,
        "status": s.status,
        "bound": s.bound,
        "gap": s.gap,
        "levels_1_2_s": s.levels_1_2_seconds,
    }


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in KiB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            kids = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")), 0)
        total += int(rss)
        todo.extend(int(k) for k in kids)
    return total


def run(size: str, method: str, time_limit: float) -> dict[str, object]:
    args = [sys.executable, __file__, "--child", size, method, "--time-limit", str(time_limit)]
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as child:  # noqa: S603
        peak = 0
        while child.poll() is None:
            peak = max(peak, tree_rss_kib(child.pid))
            time.sleep(0.05)
        out = child.stdout.read() if child.stdout else ""
    if child.returncode:
        raise SystemExit(f"{size} {method} failed with exit code {child.returncode}")
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    result["peak_mib"] = max(float(result["peak_mib"]), peak / 1024)  # type: ignore[arg-type]
    return result


def row(size: str, method: str, r: dict[str, object]) -> str:
    met = "/".join(str(m) for m in r["met"])  # type: ignore[attr-defined]
    gap = f"{r['gap']:.1%}" if r["gap"] is not None else "-"
    first = f"{r['levels_1_2_s']:.2f}" if r["levels_1_2_s"] is not None else "-"
    return (
        f"{size:>14} {method:<8}{first:>7}{r['wall_s']:>8.2f}{r['peak_mib']:>7.0f}  {met:<36}"
        f"{r['late']:>11}{r['pairs']:>7}{r['transport']:>13,.0f}{gap:>7}  {r['status']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=SIZES, help="comma-separated RxP, e.g. 1000x1000")
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(*args.child, args.time_limit)))
        return
    print(
        f"{'size':>14} {'method':<8}{'L1-2 s':>7}{'secs':>8}{'MiB':>7}  "
        f"{'units met p1/p2/p3/p4/p5':<36}"
        f"{'unit-days':>11}{'pairs':>7}{'transport':>13}{'gap':>7}  status"
    )
    for size in args.sizes.split(","):
        planner = run(size, "planner", args.time_limit)
        greedy = run(size, "greedy", args.time_limit)
        print(row(size, "planner", planner))
        print(row(size, "greedy", greedy))
        lost = [p - g for p, g in zip(planner["met"], greedy["met"], strict=True)]  # type: ignore[call-overload]
        print(f"{'':>14} greedy loses {lost[0]} priority-1 and {lost[1]} priority-2 units")


if __name__ == "__main__":
    main()

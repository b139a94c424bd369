"""How long the tasking solver may work: wall-clock on two cores, or repeatable work on one."""

from __future__ import annotations

from ortools.sat.python import cp_model

WORKERS = 2  # the deployment machines have two cores to spare
SEED = 7  # a fixed seed: with one worker and a work limit, the same problem gives the same plan


def limit(solver: cp_model.CpSolver, seconds: float, repeatable: bool, seed: int = SEED) -> None:
    """Wall-clock seconds on `WORKERS` cores; or, repeatable, that much work on one core.

    CP-SAT's deterministic time counts work, not seconds, so a repeatable
    run finds the same solution whatever else the machine is doing (the
    wall-clock limit stays as a guard, far above it).
    """
    solver.parameters.random_seed = seed
    if repeatable:
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = seconds
        solver.parameters.max_time_in_seconds = 10 * seconds + 30
    else:
        solver.parameters.num_workers = WORKERS
        solver.parameters.max_time_in_seconds = seconds

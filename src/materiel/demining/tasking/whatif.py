"""What if one asset more, or one fewer? Plan both and compare."""

from __future__ import annotations

from dataclasses import replace

from materiel.core.errors import InvalidInput
from materiel.demining.tasking.model import AssetSpec, TaskingProblem, WhatIf
from materiel.demining.tasking.solve import plan_tasking


def what_if(
    problem: TaskingProblem,
    add: AssetSpec | None = None,
    remove: str | None = None,
    time_limit_s: float = 20.0,
    repeatable: bool = False,
) -> WhatIf:
    """The plan of `problem` beside the plan with `add` added and/or `remove` taken away.

    The changed problem starts from the first plan (minus the removed
    asset's tasks), so adding an asset never shows a worse plan.
    """
    changed = changed_problem(problem, add, remove)
    before = plan_tasking(problem, time_limit_s, repeatable=repeatable)
    after = plan_tasking(changed, time_limit_s, hint=before, repeatable=repeatable)
    words = [f"add {add.id}" if add else "", f"remove {remove}" if remove else ""]
    return WhatIf(" and ".join(w for w in words if w), before, after)


def changed_problem(
    problem: TaskingProblem, add: AssetSpec | None, remove: str | None
) -> TaskingProblem:
    if add is None and remove is None:
        raise InvalidInput("say which asset to add or which to remove")
    ids = {x.id for x in problem.assets}
    if remove is not None and remove not in ids:
        raise InvalidInput(f"asset {remove} is not in the problem")
    if add is not None and add.id in ids - {remove}:
        raise InvalidInput(f"asset {add.id} is already in the problem")
    assets = tuple(x for x in problem.assets if x.id != remove) + ((add,) if add else ())
    return replace(problem, assets=assets)

"""What every command-line module shares: the consoles, the runtime, who is acting."""

from __future__ import annotations

import getpass

from rich.console import Console

from materiel.bootstrap import Runtime
from materiel.core.errors import Problem

MAX_PROBLEMS_SHOWN = 50

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


def start_runtime() -> Runtime:
    """The runtime from the environment, with the schema brought up to date."""
    started = Runtime.start()
    started.upgrade_schema()
    return started


def actor() -> str:
    return f"cli:{getpass.getuser()}"


def print_problems(problems: list[Problem]) -> None:
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        errors.print(f"  {problem}", highlight=False, markup=False)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        errors.print(f"  ... and {len(problems) - MAX_PROBLEMS_SHOWN} more")

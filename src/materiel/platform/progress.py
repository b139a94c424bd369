"""A progress bar on the terminal for long work that reports (fraction, message)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rich.console import Console
from rich.progress import Progress

T = TypeVar("T")
Report = Callable[[float, str], None]


def run_with_progress(console: Console, work: Callable[[Report], T]) -> T:
    """Run `work`, drawing what it reports; the bar disappears when it is done."""
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("planning", total=1.0)

        def report(fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, description=message)

        return work(report)

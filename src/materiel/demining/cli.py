"""`materiel demining ...`: the demining commands (coverage paths, and more to come)."""

from __future__ import annotations

import typer

from materiel.demining import commands
from materiel.demining.coverage import cli as coverage_cli

app = typer.Typer(
    help="Mine clearance: coverage paths for remote demining machines.", no_args_is_help=True
)
coverage_cli.register(app)
commands.register(app)

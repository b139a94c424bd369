"""`python -m materiel` runs the command line."""

from materiel.cli import main

main()

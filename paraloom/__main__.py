"""`python -m paraloom` runs the `paraloom` command line."""

from paraloom.cli.main import run_paraloom

run_paraloom()

"""returnees: a command-line explorer of the figures on overseas-educated returnees in China."""

__version__ = "0.1.0"

PROG = "returnees"  # the command's name, in every message and help text

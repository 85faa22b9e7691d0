"""`returnees validate` for people: one line per problem, like a compiler's, then a summary."""

from __future__ import annotations

from returnee_cli.model import Checked


def report_lines(checked: Checked) -> list[str]:
    lines = [problem.report_line() for problem in checked.problems]
    errors, warnings = len(checked.errors), len(checked.warnings)
    files = _count(len(checked.files), "file")
    if errors:
        lines.append(
            f"invalid: {_count(errors, 'error')} and {_count(warnings, 'warning')} in "
            f"{files}; fix the errors and run the command again"
        )
    else:
        factset = checked.factset
        lines.append(
            f"valid: {files}, {_count(len(factset.facts), 'fact')}, "
            f"{_count(len(factset.sources), 'source')}, "
            f"{_count(len(factset.cities), 'city', 'cities')}"
            + (f"; {_count(warnings, 'warning')}" if warnings else "")
        )
    return lines


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"

"""The Typer app: thin commands, shared options, and the one place that knows exit codes.

Each command parses its options, asks `queries` for a result and hands it to `output`: JSON
through the json module, tables through the renderers in `render/`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click import core as click_core  # typer 0.28 vendors click
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

from returnee_cli import __version__, output, queries, records
from returnee_cli.errors import (
    EXIT_DATA,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    ReturneesError,
    UsageError,
)
from returnee_cli.loading import builtin_facts_dir, load_factset, read_factset
from returnee_cli.model import Fact, FactSet

if TYPE_CHECKING:
    from rich.console import RenderableType

PROG = "returnees"
FACTS_ENV = "RETURNEES_FACTS"
DEBUG_ENV = "RETURNEES_DEBUG"


class ReturneesGroup(TyperGroup):
    """Turns every failure into one clear line on stderr and a documented exit code."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False,
                                  windows_expand_args=windows_expand_args, **extra)
            code = result if isinstance(result, int) else 0
        except click_exceptions.NoArgsIsHelpError as error:
            error.show()  # shows the help, as the user asked for nothing else
            code = 0
        except click_exceptions.ClickException as error:
            code = error.exit_code
            output.message(_usage_line(error))
        except typer.Abort:
            code = EXIT_INTERRUPTED
            output.message(f"{PROG}: interrupted")
        except Exception as error:  # a bug of ours: one line, never a traceback
            if os.environ.get(DEBUG_ENV):
                raise
            code = EXIT_INTERNAL
            output.message(f"{PROG}: internal error ({type(error).__name__}: {error}); please "
                           f"report it, and set {DEBUG_ENV}=1 to see the traceback")
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: click_core.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReturneesError as error:
            for line in error.lines():
                output.message(f"{PROG}: {line}")
            raise typer.Exit(error.exit_code) from None
        except output.StdoutClosed:
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            output.message(f"{PROG}: interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None


def _usage_line(error: click_exceptions.ClickException) -> str:
    text = " ".join(error.format_message().split())
    ctx = getattr(error, "ctx", None)
    where = ctx.command_path if ctx is not None else PROG
    if isinstance(error, click_exceptions.UsageError) and error.exit_code == EXIT_USAGE:
        return f"{PROG}: {text} (see '{where} --help')"
    return f"{PROG}: {text}"


app = typer.Typer(
    cls=ReturneesGroup,
    name=PROG,
    help="Question the figures on overseas-educated returnees in China: tables and bars on the "
    "terminal, JSON for scripts.",
    epilog="Exit codes: 0 success (also when a filter matches nothing), 1 broken fact files, "
    "2 bad usage (unknown option, city, topic or fact id), 70 internal error, 130 interrupted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"{PROG} {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    facts: Annotated[list[Path] | None, typer.Option(
        "--facts", "-f", metavar="PATH", help="Also load this fact file or folder (repeatable). "
        "RETURNEES_FACTS adds more, separated by the OS path separator.",
        show_default=False)] = None,
    no_builtin: Annotated[bool, typer.Option(
        "--no-builtin", help="Leave the built-in facts out; use only --facts and "
        "RETURNEES_FACTS.")] = False,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Question the figures on overseas-educated returnees in China."""
    ctx.obj = _fact_paths(facts or [], no_builtin=no_builtin)


def _fact_paths(extra: list[Path], *, no_builtin: bool) -> list[Path]:
    from_env = [Path(p) for p in os.environ.get(FACTS_ENV, "").split(os.pathsep) if p.strip()]
    for path in [*from_env, *extra]:
        if not path.exists():
            origin = FACTS_ENV if path in from_env else "--facts"
            raise UsageError(f"{origin}: no such file or folder: {path}")
    paths = [*([] if no_builtin else [builtin_facts_dir()]), *from_env, *extra]
    if not paths:
        raise UsageError("--no-builtin leaves no facts to load; add --facts PATH")
    return paths


# --- shared options -------------------------------------------------------------------------------

CityOption = Annotated[str | None, typer.Option(
    "--city", "-c", help="Only this city (case-insensitive), e.g. beijing.", show_default=False)]
JsonOption = Annotated[bool, typer.Option(
    "--json", help="Print JSON (an array of fact records) instead of a table.")]


def _load(ctx: typer.Context) -> FactSet:
    """The fact set of this call: the paths the root callback settled, loaded and validated."""
    return load_factset(ctx.find_root().obj)


def _emit(data: Callable[[], Any], view: Callable[[], RenderableType], *, as_json: bool) -> None:
    """The one output switch: JSON records for scripts, a renderable for people."""
    if as_json:
        output.write_json(data())
    else:
        output.write_renderable(view())


def _views() -> ModuleType:
    """The renderers, imported only when a table is drawn: the JSON path never loads rich."""
    from returnee_cli.render import views

    return views


def _fact_records(facts: Sequence[Fact], factset: FactSet) -> list[dict[str, Any]]:
    return [records.fact_record(fact, factset) for fact in facts]


def _no_data_note(what: str, result: queries.TopicResult) -> None:
    having = ", ".join(city.slug for city in result.cities_with_topic) or "none"
    output.message(f"{PROG}: no {what} for that city; cities that have it: {having}")


# --- commands -------------------------------------------------------------------------------------


@app.command()
def sectors(ctx: typer.Context, city: CityOption = None, as_json: JsonOption = False) -> None:
    """The fields returnees work in, as shares on a 0-100 scale.

    Example: returnees sectors --city beijing
    """
    factset = _load(ctx)
    chosen = queries.resolve_city(factset, city) if city else None
    result = queries.sectors(factset, chosen)
    if not result.facts:
        _no_data_note("work-sector figures", result)
        if not as_json:
            return
    _emit(lambda: _fact_records(result.facts, factset),
          lambda: _views().sectors_view(result.facts, factset), as_json=as_json)


@app.command("facts")
def list_facts(
    ctx: typer.Context,
    city: CityOption = None,
    topic: Annotated[str | None, typer.Option(
        "--topic", "-t", help="Only this topic, e.g. sectors, women, reasons.",
        show_default=False)] = None,
    source: Annotated[str | None, typer.Option(
        "--source", "-s", help="Only facts from (or reported in) this source id.",
        show_default=False)] = None,
    search: Annotated[str | None, typer.Option(
        "--search", "-q", help="Only facts whose label, population, items or quote contain this "
        "text (case-insensitive).", show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Every fact, filtered by city, topic, source or text.

    Example: returnees facts --city shanghai --topic women
    """
    factset = _load(ctx)
    chosen = queries.resolve_city(factset, city) if city else None
    wanted_topic = queries.resolve_topic(factset, topic) if topic else None
    wanted_source = queries.resolve_source(factset, source) if source else None
    facts = queries.select_facts(factset, city=chosen, topic=wanted_topic, source=wanted_source,
                                 search=search)
    if not facts:
        output.message(f"{PROG}: no facts match those filters")
        if not as_json:
            return
    _emit(lambda: _fact_records(facts, factset), lambda: _views().facts_table(facts, factset),
          as_json=as_json)


@app.command()
def show(
    ctx: typer.Context,
    fact_id: Annotated[str, typer.Argument(metavar="FACT_ID", help="A fact id, as listed by "
                                           "'returnees facts'.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the fact as one JSON object.")]
    = False,
) -> None:
    """One fact in full: figure and qualifier, population, sample, source and quote.

    Example: returnees show shanghai-women-share
    """
    factset = _load(ctx)
    fact = queries.get_fact(factset, fact_id)
    _emit(lambda: records.fact_record(fact, factset), lambda: _views().fact_view(fact, factset),
          as_json=as_json)


@app.command()
def sources(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (an array of source "
                                          "records) instead of a table.")] = False,
) -> None:
    """The documents the facts come from, with how many facts each supports.

    Example: returnees sources --json
    """
    factset = _load(ctx)
    rows = queries.source_fact_counts(factset)
    _emit(lambda: [records.source_summary_record(row.source, row.facts, row.quoted)
                   for row in rows],
          lambda: _views().sources_table(rows), as_json=as_json)


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="PATH...", help="Fact files or folders to check; by default the facts in use "
        "(built-in, --facts and RETURNEES_FACTS).", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report: valid, files, "
                                          "errors and warnings.")] = False,
) -> None:
    """Check fact files: every problem at once, with file, line and what to do. Exit 1 if invalid.

    Example: returnees validate my-facts/
    """
    for path in paths or []:
        if not path.exists():
            raise UsageError(f"no such file or folder: {path}")
    checked = read_factset(paths or ctx.find_root().obj)
    if as_json:
        output.write_json(records.validation_record(checked))
    else:
        from returnee_cli.render.report import report_lines

        output.write_lines(report_lines(checked))
    if checked.errors:
        raise typer.Exit(EXIT_DATA)


@app.command()
def schema() -> None:
    """The JSON Schema of fact files, generated from the format, for editors and other tools.

    Example: returnees schema > fact-file.schema.json
    """
    from returnee_cli.schema import fact_file_schema

    output.write_json(fact_file_schema())


def main() -> None:
    app(prog_name=PROG)

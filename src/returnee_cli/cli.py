"""The Typer app: thin commands, shared options, and the one place that knows exit codes.

Each command parses its options, asks `queries` for a result and hands it to `output`: JSON
through the json module, tables through the renderers in `render/`.
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations at each
# start, and evaluating them as strings (for 14 commands) cost about 10 ms of every call.

import functools
import inspect
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click import core as click_core  # typer 0.28 vendors click
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

from returnee_cli import __version__, actions, formats, output, queries, records
from returnee_cli.errors import (
    EXIT_DATA,
    EXIT_USAGE,
    ReturneesError,
    UsageError,
)
from returnee_cli.formats import Format, OutputRequest
from returnee_cli.loading import read_factset
from returnee_cli.model import FactSet

if TYPE_CHECKING:
    pass

PROG = actions.PROG
CITY_COMMANDS = ("sectors", "industries", "entrepreneurs", "reasons", "facts")


class ReturneesGroup(TyperGroup):
    """Turns every failure into one clear line on stderr and a documented exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
            code = result if isinstance(result, int) else 0
        except click_exceptions.NoArgsIsHelpError as error:
            error.show()  # shows the help, as the user asked for nothing else
            code = 0
        except click_exceptions.ClickException as error:
            code = error.exit_code
            output.message(_usage_line(error))
        except typer.Abort:
            code = output.report(KeyboardInterrupt())
        except Exception as error:  # a bug of ours: one line, never a traceback
            code = output.report(error)
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: click_core.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ReturneesError, output.StdoutClosed, KeyboardInterrupt) as error:
            raise typer.Exit(output.report(error)) from None


def _usage_line(error: click_exceptions.ClickException) -> str:
    text = " ".join(error.format_message().split())
    ctx = getattr(error, "ctx", None)
    where = ctx.command_path if ctx is not None else PROG
    if isinstance(error, click_exceptions.UsageError) and error.exit_code == EXIT_USAGE:
        extra = re.match(r"Got unexpected extra argument\S* \((\S+?)\)", text)
        if extra and where.split()[-1] in CITY_COMMANDS:
            text += f"; to choose a city, write --city {extra.group(1)}"
        return f"{PROG}: {text} (see '{where} --help')"
    return f"{PROG}: {text}"


app = typer.Typer(
    cls=ReturneesGroup,
    name=PROG,
    help="Question the figures on overseas-educated returnees in China: tables and bars on the "
    "terminal, JSON, JSON Lines or CSV for scripts. Start with: returnees cities, or: "
    "returnees sectors --city beijing.",
    epilog="Exit codes: 0 success (also when a filter matches nothing), 1 broken fact files, "
    "2 bad usage (unknown option, city, topic or fact id), 70 internal error, 130 interrupted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        output.write_text(f"{PROG} {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    facts: Annotated[
        list[Path] | None,
        typer.Option(
            "--facts",
            "-f",
            metavar="PATH",
            help="Also load this fact file or folder (repeatable). "
            "RETURNEES_FACTS adds more, separated by the OS path separator.",
            show_default=False,
        ),
    ] = None,
    no_builtin: Annotated[
        bool,
        typer.Option(
            "--no-builtin",
            help="Leave the built-in facts out; use only --facts and RETURNEES_FACTS.",
        ),
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Read every fact file anew; neither use nor update the cache "
            "(RETURNEES_CACHE_DIR says where it is).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Question the figures on overseas-educated returnees in China."""
    ctx.obj = actions.GlobalOptions(facts or [], no_builtin, no_cache)


# --- loading and completion -----------------------------------------------------------------------


def _options(ctx: typer.Context) -> actions.GlobalOptions:
    options = ctx.find_root().obj
    assert isinstance(options, actions.GlobalOptions)
    return options


def _settings(ctx: typer.Context) -> actions.Settings:
    return _options(ctx).settings()


def _load(ctx: typer.Context) -> FactSet:
    return actions.load(_settings(ctx))


def _completion_factset() -> FactSet | None:
    """The facts a shell completion can offer: built-in plus RETURNEES_FACTS; quiet on errors."""
    try:
        return actions.load(actions.settings())
    except ReturneesError:
        return None


def _complete_city(incomplete: str) -> list[str]:
    factset = _completion_factset()
    names = [
        name
        for city in (factset.cities.values() if factset else ())
        for name in (city.slug, city.name_zh)
        if name
    ]
    return [
        name
        for name in names
        if name.startswith(incomplete.casefold()) or name.startswith(incomplete)
    ]


def _complete_topic(incomplete: str) -> list[str]:
    factset = _completion_factset()
    return [t for t in (factset.topics if factset else []) if t.startswith(incomplete)]


def _complete_fact_id(incomplete: str) -> list[str]:
    factset = _completion_factset()
    return [i for i in (factset.by_id if factset else {}) if i.startswith(incomplete)]


# --- shared options -------------------------------------------------------------------------------

CityOption = Annotated[
    str | None,
    typer.Option(
        "--city",
        "-c",
        metavar="CITY",
        autocompletion=_complete_city,
        show_default=False,
        help="Only this city: English name in any case, Chinese name (beijing, Shanghai, 北京), or "
        "nationwide.",
    ),
]
FactIdArgument = Annotated[
    str,
    typer.Argument(
        metavar="FACT_ID",
        autocompletion=_complete_fact_id,
        show_default=False,
        help="A fact id, as listed by: returnees facts.",
    ),
]


_OUTPUT_PARAMETERS = [
    inspect.Parameter(
        "output_format",
        inspect.Parameter.KEYWORD_ONLY,
        default=Format.table,
        annotation=Annotated[
            Format,
            typer.Option(
                "--format",
                metavar="FORMAT",
                case_sensitive=False,
                help="table (for people), json, jsonl or csv (for scripts).",
            ),
        ],
    ),
    inspect.Parameter(
        "as_json",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")],
    ),
    inspect.Parameter(
        "fields",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None,
            typer.Option(
                "--fields",
                metavar="KEY,...",
                show_default=False,
                help="Only these keys in json, jsonl and csv output, e.g. id,value.",
            ),
        ],
    ),
    inspect.Parameter(
        "limit",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            int | None,
            typer.Option(
                "--limit",
                "-n",
                metavar="N",
                min=0,
                show_default=False,
                help=f"Show at most N records (0: all). Tables stop at "
                f"{formats.TABLE_ROW_LIMIT:,} unless told; json, jsonl and csv "
                "stream every record.",
            ),
        ],
    ),
    inspect.Parameter(
        "svg",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            Path | None,
            typer.Option(
                "--svg",
                metavar="FILE",
                show_default=False,
                dir_okay=False,
                help="Also save the table or chart as an SVG picture.",
            ),
        ],
    ),
]


def output_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command --format, --json, --fields, --limit and --svg; it receives them as
    `out`."""
    signature = inspect.signature(command, eval_str=True)
    parameters = [p for p in signature.parameters.values() if p.name != "out"]
    parameters += _OUTPUT_PARAMETERS

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        output_format: Format,
        as_json: bool,
        fields: str | None,
        limit: int | None,
        svg: Path | None,
        **kwargs: Any,
    ) -> None:
        chosen = Format.json if as_json else output_format
        command(*args, out=OutputRequest(chosen, fields, svg, limit), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper


# --- commands -------------------------------------------------------------------------------------


@app.command()
@output_options
def cities(ctx: typer.Context, out: OutputRequest) -> None:
    """Every city in the facts: how many facts, its role in the article, its headline figure.

    Example: returnees cities
    """
    actions.cities(_settings(ctx), out)


@app.command()
@output_options
def city(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="CITY",
            autocompletion=_complete_city,
            show_default=False,
            help="English name in any case, or Chinese name: beijing, Shanghai, 杭州.",
        ),
    ],
    out: OutputRequest,
) -> None:
    """A profile of one city: its facts by topic, shares as bars, lists numbered, sources cited.

    Example: returnees city shanghai
    """
    actions.city(_settings(ctx), out, name)


@app.command()
@output_options
def sectors(ctx: typer.Context, out: OutputRequest, city: CityOption = None) -> None:
    """The fields returnees work in, as shares on a 0-100 scale.

    Example: returnees sectors --city beijing
    """
    actions.sectors(_settings(ctx), out, city)


@app.command()
@output_options
def industries(ctx: typer.Context, out: OutputRequest, city: CityOption = None) -> None:
    """The emerging and leading industries returnees work in, with the shares that go with them.

    Example: returnees industries --city beijing
    """
    actions.industries(_settings(ctx), out, city)


@app.command()
@output_options
def entrepreneurs(ctx: typer.Context, out: OutputRequest, city: CityOption = None) -> None:
    """Who returnee entrepreneurs are, as a bar chart with the sample size.

    First choice, generation, education, leading industries, profitability, international markets
    and women founders.

    Example: returnees entrepreneurs --city shanghai
    """
    actions.entrepreneurs(_settings(ctx), out, city)


@app.command()
@output_options
def reasons(ctx: typer.Context, out: OutputRequest, city: CityOption = None) -> None:
    """Why returnees choose a city, as ranked lists, the cities side by side.

    Example: returnees reasons
    """
    actions.reasons(_settings(ctx), out, city)


@app.command()
@output_options
def topics(ctx: typer.Context, out: OutputRequest) -> None:
    """Which topics the facts cover for which city: what the data can and cannot answer.

    Example: returnees topics
    """
    actions.topics(_settings(ctx), out)


@app.command("facts")
@output_options
def list_facts(
    ctx: typer.Context,
    out: OutputRequest,
    city: CityOption = None,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            "-t",
            metavar="TOPIC",
            autocompletion=_complete_topic,
            show_default=False,
            help="Only this topic, e.g. sectors, women, reasons; returnees topics lists them.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            "-s",
            metavar="SOURCE_ID",
            show_default=False,
            help="Only facts from (or reported in) this source; returnees sources lists them.",
        ),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            "-q",
            metavar="TEXT",
            show_default=False,
            help="Only facts whose label, population, items or quote contain this text, in any "
            "case.",
        ),
    ] = None,
) -> None:
    """Every fact, filtered by city, topic, source or text.

    Example: returnees facts --city shanghai --topic women
    """
    actions.facts(_settings(ctx), out, city, topic, source, search)


@app.command()
@output_options
def show(ctx: typer.Context, fact_id: FactIdArgument, out: OutputRequest) -> None:
    """One fact in full: figure and qualifier, population, sample, source and quote.

    Example: returnees show shanghai-women-share
    """
    actions.show(_settings(ctx), out, fact_id)


@app.command()
@output_options
def sources(ctx: typer.Context, out: OutputRequest) -> None:
    """The documents the facts come from, with how many facts each supports.

    Example: returnees sources --json
    """
    actions.sources(_settings(ctx), out)


class CitationStyle(str, Enum):
    plain = "plain"
    markdown = "markdown"


@app.command()
def cite(
    ctx: typer.Context,
    fact_id: FactIdArgument,
    style: Annotated[
        CitationStyle,
        typer.Option("--style", case_sensitive=False, help="plain text, or markdown."),
    ] = CitationStyle.plain,
) -> None:
    """A ready-to-paste citation of one fact.

    The figure with its qualifier, the quote, the source with publisher and date, and the article
    it was read in.

    Example: returnees cite shanghai-education --style markdown
    """
    from returnee_cli.citations import cite as citation

    factset = _load(ctx)
    fact = queries.get_fact(factset, fact_id)
    output.write_chunks([citation(fact, factset, style.value)])


class ExportFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    yaml = "yaml"
    sqlite = "sqlite"


@app.command()
def export(
    ctx: typer.Context,
    export_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            case_sensitive=False,
            help="json, jsonl, csv, yaml, or sqlite (a database with facts, sources and cities "
            "tables; needs -o).",
        ),
    ] = ExportFormat.json,
    to: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            dir_okay=False,
            show_default=False,
            help="Write to this file instead of stdout ('-' is stdout).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """The whole fact set, for a spreadsheet, a database or another program.

    Example: returnees export --format sqlite -o returnees.db
    """
    factset = _load(ctx)
    if to is not None and str(to) == "-":
        to = None
    if to is not None and _is_fact_file(ctx, to):
        raise UsageError(f"-o {to} is one of the fact files being read; choose another file")
    if to is not None and to.exists() and not force:
        raise UsageError(f"-o {to} exists; add --force to replace it")
    if export_format is ExportFormat.sqlite:
        if to is None:
            raise UsageError("--format sqlite writes a database file: add -o FILE")
        from returnee_cli.export import write_sqlite

        _write_atomically(to, lambda path: write_sqlite(factset, factset.facts, path))
    else:
        rows = actions.fact_records(factset.facts, factset)
        chunks: Iterable[str]
        if export_format is ExportFormat.json:
            chunks = formats.json_chunks(rows, None)
        elif export_format is ExportFormat.jsonl:
            chunks = formats.jsonl_chunks(rows, None)
        elif export_format is ExportFormat.csv:
            chunks = formats.csv_chunks(rows, records.FACT_KEYS)
        else:
            chunks = [formats.yaml_text(rows)]
        if to is None:
            output.write_chunks(chunks)
            return

        def write_text(path: Path) -> None:
            with path.open("w", encoding="utf-8", newline="") as file:
                file.writelines(chunks)

        _write_atomically(to, write_text)
    output.message(f"{PROG}: wrote {len(factset.facts)} facts to {to} ({export_format.value})")


def _is_fact_file(ctx: typer.Context, path: Path) -> bool:
    target = path.resolve()
    for root in _settings(ctx).paths:
        root = root.resolve()
        if target == root or (
            root.is_dir() and root in target.parents and target.suffix in (".yaml", ".yml")
        ):
            return True
    return False


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write next to the target, then rename: a reader never sees half a file."""
    import sqlite3

    partial = path.with_name(f".{path.name}.partial")
    try:
        write(partial)
        os.replace(partial, path)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
    except sqlite3.Error as error:
        raise UsageError(f"cannot write {path}: {error}") from None
    finally:
        if partial.exists():
            partial.unlink()


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH...",
            help="Fact files or folders to check; by default the facts in use "
            "(built-in, --facts and RETURNEES_FACTS).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON report: valid, files, errors and warnings.")
    ] = False,
) -> None:
    """Check fact files: every problem at once, with file, line and what to do. Exit 1 if invalid.

    Example: returnees validate my-facts/
    """
    for path in paths or []:
        if not path.exists():
            raise UsageError(f"no such file or folder: {path}")
    with output.load_progress() as progress:
        checked = read_factset(
            paths or _settings(ctx).paths, use_cache=not _options(ctx).no_cache, progress=progress
        )
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
    """Run the Typer app (the console script goes through returnee_cli.main first)."""
    app(prog_name=PROG)

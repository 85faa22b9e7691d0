"""The Typer app, built from the declarations in commands.py, and the one place that turns every
failure into a message and an exit code.

There is no command here: each Typer command is made from a `surface.Command` (its params become
`typer.Option` / `typer.Argument` with the same converter, default, help and completion) and
calls `commands.run`, exactly as the fast path does.
"""

# No `from __future__ import annotations` here: Typer reads the annotations of every command at
# each start, and those built below are real objects.

import functools
import inspect
import re
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from returnee_cli import PROG, commands, output
from returnee_cli.errors import EXIT_USAGE, ReturneesError, Terminated
from returnee_cli.helptext import APP_EPILOG, APP_HELP, summary
from returnee_cli.surface import COMMANDS, Command, Param


def _is_click_error(error: BaseException) -> bool:
    """A usage error of click's. Typer 0.28 keeps click private (typer._click), so its errors
    are known by what they offer; their public face is typer.BadParameter's base classes."""
    return isinstance(error, typer.BadParameter.__mro__[2])


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
        except typer.Exit as done:
            code = done.exit_code
        except typer.Abort:
            code = output.report(KeyboardInterrupt())
        except Terminated as error:
            code = output.report(error)
        except Exception as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # as Typer itself tells it apart
                error.show()  # type: ignore[attr-defined]
                code = 0
            elif _is_click_error(error):
                code = error.exit_code  # type: ignore[attr-defined]
                output.message(_usage_line(error))
            else:  # a bug of ours: one line, never a traceback
                code = output.report(error)
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (ReturneesError, output.StdoutClosed, KeyboardInterrupt, Terminated) as error:
            raise typer.Exit(output.report(error)) from None


class ReturneesCommand(TyperCommand):
    """A command whose single-valued options refuse to be given twice: click would keep the last
    value and say nothing, where the fast path (surface.parse) leaves such a call to this one."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            if not ctx.resilient_parsing:  # completion parses half-written calls: never refused
                _refuse_repeats(ctx, self.make_parser(ctx).parse_args(args=list(args))[2])
            return super().parse_args(ctx, args)
        except Exception as error:
            # click's parser raises some errors (an option without its value) with no context:
            # given this command's, the message points to `returnees COMMAND --help`
            if _is_click_error(error) and getattr(error, "ctx", None) is None:
                error.ctx = ctx  # type: ignore[attr-defined]
            raise


def _refuse_repeats(ctx: Any, order: Sequence[Any]) -> None:
    """Each option in the order click met it: one that takes a single value, or a switch, given
    more than once is an error naming it (a plain flag given twice asks the same thing twice)."""
    if any(getattr(param, "is_eager", False) for param in order):
        return  # --help answers whatever else was written
    seen: set[str] = set()
    for param in order:
        if param.param_type_name != "option" or param.multiple or param.count:
            continue
        if param.is_flag and not param.secondary_opts:
            continue
        if param.name in seen:
            if param.secondary_opts:  # a switch: --derived --no-derived
                on, off = param.opts[0], param.secondary_opts[0]
                text = f"{on}/{off} was given twice; give {on} or {off}, once"
            else:
                several = [p.opts[0] for p in ctx.command.params if getattr(p, "multiple", False)]
                hint = f" ({' and '.join(several)} take several)" if several else ""
                text = f"{'/'.join(param.opts)} was given twice; it takes one value{hint}"
            raise typer.BadParameter.__mro__[1](text, ctx=ctx)
        seen.add(param.name)


def _usage_line(error: Any) -> str:
    text = " ".join(error.format_message().split())
    ctx = getattr(error, "ctx", None)
    where = ctx.command_path if ctx is not None else PROG
    if error.exit_code == EXIT_USAGE and isinstance(error, typer.BadParameter.__mro__[1]):
        extra = re.match(r"Got unexpected extra argument\S* \((\S+?)\)", text)
        declared = COMMANDS.get(where.split()[-1])
        if extra and declared is not None and "--city" in declared.options:
            text += f"; to choose a city, write --city {extra.group(1)}"
        missing = _declared_missing(declared, getattr(error, "param", None))
        if type(error).__name__ == "MissingParameter" and missing:
            text = missing
        return f"{PROG}: {text} (see `{where} --help`)"
    return f"{PROG}: {text}"


def _declared_missing(declared: Command | None, param: Any) -> str:
    """What the declaration says when this argument is left out ('compare needs at least two
    cities'), or nothing: click's own words then."""
    if declared is None or param is None:
        return ""
    found = next((p for p in declared.params if p.dest == getattr(param, "name", None)), None)
    return found.missing if found is not None else ""


app = typer.Typer(
    cls=ReturneesGroup,
    name=PROG,
    help=APP_HELP,
    epilog=APP_EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# --- declarations -> Typer parameters -------------------------------------------------------------


def _typer_parameter(param: Param) -> inspect.Parameter:
    info: Any
    annotation: Any = list[str] | None if param.many else str if param.required else str | None
    if param.kind == "flag" and param.off:  # --derived/--no-derived: True, False or None
        annotation = bool | None
        info = typer.Option(
            "/".join((param.flags[0], param.off[0])), *param.flags[1:], help=param.help
        )
    elif param.kind == "flag":
        annotation = bool
        info = typer.Option(
            *param.flags,
            help=param.help,
            is_eager=param.eager is not None,
            callback=_eager(param.eager) if param.eager is not None else None,
        )
    else:
        make: Callable[..., Any] = (
            typer.Argument
            if param.kind == "argument"
            else functools.partial(typer.Option, *param.flags)
        )
        info = make(
            metavar=param.metavar,
            help=param.help,
            parser=_parser(param.convert),
            autocompletion=param.complete,
            show_default=param.default is not None,
        )
    return inspect.Parameter(
        param.dest,
        inspect.Parameter.KEYWORD_ONLY,
        default=... if param.required else None if param.many else param.default,
        annotation=Annotated[annotation, info],
    )


def _parser(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """The declared converter, its ValueError shown as Typer shows a bad value (with the
    converter's own words: click would only repeat the value)."""

    def parse(text: Any) -> Any:
        if not isinstance(text, str):  # a default Typer has converted already
            return text
        try:
            return convert(text)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None

    return parse


def _eager(answer: Callable[[], None]) -> Callable[[bool], None]:
    def callback(value: bool) -> None:
        if value:
            answer()
            raise typer.Exit()

    return callback


def _with_signature(
    function: Callable[..., None], params: Sequence[Param], name: str, help: str
) -> Callable[..., None]:
    parameters = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        *(_typer_parameter(param) for param in params),
    ]
    function.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    function.__annotations__ = {p.name: p.annotation for p in parameters}
    function.__name__ = name
    function.__doc__ = help
    return function


def _global_values(ctx: typer.Context) -> dict[str, Any]:
    values = ctx.find_root().obj
    assert isinstance(values, dict)
    return values


def _typer_command(declared: Command) -> Callable[..., None]:
    def invoke(ctx: typer.Context, **values: Any) -> None:
        filled = {p.dest: p.value(values.get(p.dest)) for p in declared.params}
        written = frozenset(
            p.dest for p in declared.params if _source(ctx, p.dest) == "COMMANDLINE"
        )
        commands.run(declared.name, _global_values(ctx), filled, written)

    return _with_signature(invoke, declared.params, declared.name, declared.help)


def _source(ctx: typer.Context, dest: str) -> str:
    """Where a value came from (COMMANDLINE, DEFAULT, ...): click's ParameterSource, by name."""
    source = ctx.get_parameter_source(dest)
    return source.name if source is not None else ""


def _root(ctx: typer.Context, **values: Any) -> None:
    ctx.obj = {p.dest: p.value(values.get(p.dest)) for p in commands.GLOBAL_OPTIONS if not p.eager}


app.callback()(
    _with_signature(
        _root,
        commands.GLOBAL_OPTIONS,
        PROG,
        "Question the figures on overseas-educated returnees in China.",
    )
)
for _declared in COMMANDS.values():
    app.command(_declared.name, cls=ReturneesCommand, short_help=summary(_declared.help))(
        _typer_command(_declared)
    )


def main() -> None:
    """Run the Typer app (the console script goes through returnee_cli.main first)."""
    app(prog_name=PROG)

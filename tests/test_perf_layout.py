"""What issue 13's speed-ups must not change: every command answers byte for byte the same
whichever way its facts were loaded (read anew, from the set's entry, rebuilt from each file's
entry after an edit, after a touch), and the fast path imports only what a plain call needs.
(Not timed: benchmarks/run.py measures speed.)"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from returnee_cli import cache
from returnee_cli.paths import builtin_facts_dir
from returnee_cli.surface import COMMANDS

from .conftest import Run, fast_path
from .test_cache import file_entries, three_files

# One call of every command that reads facts (at least), with the filters that have an index
# or a shortcut of their own: a city, a topic, a source, one fact by id, the one-angle views.
CALLS = (
    ["facts", "--json"],
    ["facts", "--city", "wuhan", "--json"],
    ["facts", "--city", "nationwide"],
    ["facts", "--topic", "sectors", "--format", "csv"],
    ["facts", "--source", "src", "--format", "jsonl"],
    ["facts", "--city", "beijing", "--topic", "sectors"],
    ["show", "b-first-share"],
    ["show", "c-second-share", "--json"],
    ["show", "no-such-fact"],
    ["sectors"],
    ["sectors", "--city", "wuhan", "--json"],
    ["sectors", "--city", "shanghai"],  # none there: the note names the cities that have them
    ["sectors", "--city", "shanghai", "--city", "wuhan"],  # some: the note names the other
    ["industries", "--city", "wuhan"],  # none there, others have them
    ["entrepreneurs", "--city", "beijing", "--json"],
    ["reasons", "--city", "wuhan"],
    ["cities", "--json"],
    ["city", "wuhan"],
    ["topics"],
    ["sources", "--json"],
    ["source", "src"],
    ["cite", "b-first-share"],
    ["cite", "--city", "wuhan", "--style", "markdown"],
    ["compare", "wuhan", "beijing"],
    ["export", "--format", "yaml"],
    ["validate"],
    ["coverage", "--json"],
    ["schema"],
)
# Commands that read no facts, or only the cache itself; and those that only write files (chart,
# draft: byte-identical output is held by their own tests).
NOT_OF_FACTS = {"cache", "schema", "chart", "draft"}


def test_the_calls_cover_every_command() -> None:
    assert {argv[0] for argv in CALLS} | NOT_OF_FACTS == set(COMMANDS)


def answers(pack: Path) -> list[Run | None]:
    return [fast_path(["--facts", str(pack), *argv]) for argv in CALLS]


def test_every_command_answers_the_same_however_its_facts_were_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("RETURNEES_CACHE_DIR", str(folder))
    pack = three_files(tmp_path)
    uncached = [fast_path(["--no-cache", "--facts", str(pack), *argv]) for argv in CALLS]
    assert all(run is not None for run in uncached)
    assert [run.exit_code for run in uncached if run] == [
        2 if argv == ["show", "no-such-fact"] else 0 for argv in CALLS
    ]
    assert answers(pack) == uncached  # read anew, the entries written
    assert answers(pack) == uncached  # from the set's entry
    assert file_entries(folder)
    for entry in folder.glob(f"{cache.ENTRY_PREFIX}*"):
        entry.unlink()
    assert answers(pack) == uncached  # rebuilt from each file's entry, no YAML read
    edited = pack / "c-second.yaml"
    original = edited.read_text(encoding="utf-8")
    edited.write_text(original + "# a comment: other bytes, the same facts\n", "utf-8")
    assert answers(pack) == uncached  # one file parsed, the others from their entries
    for path in pack.iterdir():
        os.utime(path)
    assert answers(pack) == uncached  # touched: the same bytes, answered by content


# --- start-up: what the fast path may import --------------------------------------------------

# Never on a plain, warm `--json` call: the CLI framework and its renderer, the YAML parser
# (the cache answers), the digest (no file is read), and what only some commands need.
NEVER_IMPORTED = (
    "typer",
    "click",
    "rich",
    "yaml",
    "hashlib",
    "sqlite3",
    "tempfile",
    "csv",
    "returnee_cli.cli",
    "returnee_cli.parsing",
    "returnee_cli.assembly",
    "returnee_cli.checks",
    "returnee_cli.export",
    # inspect stays a stand-in (lazy.on_first_use): dataclasses imports it only to write a
    # docstring where a class has none, and with it come these
    "ast",
    "dis",
    "tokenize",
    "decimal",  # lexicon reads a written figure only for validate and draft
    "difflib",  # suggest: only a message about an unknown name
)  # the renderers (returnee_cli.render) are lazy modules: named, never run without rich


def imported_by(argv: list[str], env: dict[str, str]) -> set[str]:
    """The modules a call of the installed entry point has imported when it ends."""
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + ' '.join(sys.modules)))\n"
        "from returnee_cli.main import main\n"
        f"sys.argv = ['returnees', *{argv!r}]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.rsplit("MODULES ", 1)[1].split())


# Nor, on the warm answer of one city's facts or one angle as JSON (warm.py), the model, the
# queries, the command declarations, the cache's own module, the record and format modules, nor
# pathlib: it reads the entry's slices with marshal and writes JSON with jsontext.py.
NEVER_IMPORTED_WARM = (
    *NEVER_IMPORTED,
    "pathlib",
    "typing",  # (typing.TYPE_CHECKING is written as a constant on this path: 3 ms)
    "json",  # the package, with its decoder: jsontext.py uses its C encoder alone
    "importlib.util",
    "unicodedata",
    "returnee_cli.model",
    "returnee_cli.queries",
    "returnee_cli.commands",
    "returnee_cli.surface",
    "returnee_cli.cache",
    "returnee_cli.loading",
    "returnee_cli.records",
    "returnee_cli.formats",
    "returnee_cli.emit",
    "returnee_cli.lexicon",
    "returnee_cli.figures",
    "returnee_cli.paths",
    # nor what only a table, a message or a library needs: main.py sets SIGTERM's handler with
    # _signal (signal wraps it in enums), errors.Problem is a class of its own (no dataclasses),
    # output.py and untrusted.py import re where a pattern is first used, load_progress is a
    # class (no contextlib), and annotations' names are imported for type checking only
    "signal",
    "enum",
    "re",
    "contextlib",
    "dataclasses",
    "collections",
)


def test_a_plain_warm_json_call_imports_nothing_it_does_not_use(tmp_path: Path) -> None:
    env = {"RETURNEES_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    argv = ["sectors", "--city", "beijing", "--json"]
    # A file changed less than the racy window ago is read by content (the full path): in a
    # fresh checkout, wait until the built-in files are old enough for their stamps to tell.
    newest = max(path.stat().st_ctime_ns for path in builtin_facts_dir().rglob("*"))
    settled = newest + cache.RACY_WINDOW_NS + 10**9
    while time.time_ns() < settled:
        time.sleep((settled - time.time_ns()) / 1e9)
    imported_by(argv, env)  # the cache, written
    found = imported_by(argv, env)
    assert "returnee_cli.warm" in found
    stray = sorted(
        name
        for name in found
        for never in NEVER_IMPORTED_WARM
        if name == never or name.startswith(never + ".")
    )
    assert stray == []


# Nor on a call for help (`--help`, `COMMAND --help`), which helptext.py prints from the
# declarations: no Typer, no Rich and its Markdown, no shutil (the width is read as it reads it).
NEVER_IMPORTED_FOR_HELP = (*NEVER_IMPORTED, "markdown_it", "pygments", "shutil")


@pytest.mark.parametrize("argv", [["--help"], ["sectors", "--help"], ["compare", "-h"]])
def test_help_imports_neither_typer_nor_rich(tmp_path: Path, argv: list[str]) -> None:
    env = {"RETURNEES_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    found = imported_by(argv, env)
    stray = sorted(
        name
        for name in found
        for never in NEVER_IMPORTED_FOR_HELP
        if name == never or name.startswith(never + ".")
    )
    assert stray == []


# Nor when a table is drawn, but for rich itself: none of what Rich imports for what a table
# without markup never uses (render/kit.py: markup parameters, a style's metadata, a layout's
# ratios), nor the rest of Rich (Markdown, syntax, pretty printing, progress bars).
NEVER_IMPORTED_FOR_TABLES = (
    *(name for name in NEVER_IMPORTED if name != "rich"),
    "pickle",
    "fractions",
    "markdown_it",
    "pygments",
    "rich.markdown",
    "rich.syntax",
    "rich.pretty",
    "rich.progress",
    "rich.traceback",
    "shutil",
    "signal",  # main.py sets SIGTERM's handler with _signal
)


@pytest.mark.parametrize(
    "argv",
    [["sectors", "--city", "beijing"], ["facts", "--city", "shanghai"], ["compare", "a", "b"]],
    ids=" ".join,
)
def test_a_warm_table_imports_only_what_draws_it(tmp_path: Path, argv: list[str]) -> None:
    env = {"RETURNEES_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1", "COLUMNS": "80"}
    if argv[0] == "compare":
        argv = ["compare", "beijing", "shanghai"]
    imported_by(argv, env)  # the cache, written
    found = imported_by(argv, env)
    assert "rich.table" in found
    stray = sorted(
        name
        for name in found
        for never in NEVER_IMPORTED_FOR_TABLES
        if name == never or name.startswith(never + ".")
    )
    assert stray == []


# Nor, on the warm table of one city's facts or one angle (warm.py draws it with the renderers from
# the entry's rows), the model, the queries, the command declarations, the cache's module, the
# record and format modules, nor pathlib: Rich and the renderers are what it pays for.
NEVER_IMPORTED_WARM_TABLE = (
    *NEVER_IMPORTED_FOR_TABLES,
    *(name for name in NEVER_IMPORTED_WARM if name.startswith("returnee_cli.")),
    "pathlib",
)
NEVER_IMPORTED_WARM_TABLE = tuple(
    name
    for name in NEVER_IMPORTED_WARM_TABLE
    if name not in ("returnee_cli.lexicon", "returnee_cli.figures")  # the renderers' words
)


@pytest.mark.parametrize(
    "argv", [["sectors", "--city", "beijing"], ["facts", "--city", "shanghai"]], ids=" ".join
)
def test_a_warm_table_imports_neither_the_model_nor_the_commands(
    tmp_path: Path, argv: list[str]
) -> None:
    env = {"RETURNEES_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1", "COLUMNS": "80"}
    newest = max(path.stat().st_ctime_ns for path in builtin_facts_dir().rglob("*"))
    settled = newest + cache.RACY_WINDOW_NS + 10**9  # (as for the warm --json call above)
    while time.time_ns() < settled:
        time.sleep((settled - time.time_ns()) / 1e9)
    imported_by(argv, env)  # the cache, written
    found = imported_by(argv, env)
    assert "returnee_cli.warm" in found and "rich.table" in found
    stray = sorted(
        name
        for name in found
        for never in NEVER_IMPORTED_WARM_TABLE
        if name == never or name.startswith(never + ".")
    )
    assert stray == []


def test_help_through_typer_is_plain_text_too(tmp_path: Path) -> None:
    """Help that Typer answers (`sectors --city x --help`) is click's plain text: no Rich, no
    Markdown (rich_markup_mode=None)."""
    env = {"RETURNEES_CACHE_DIR": str(tmp_path / "cache"), "RETURNEES_NO_FASTPATH": "1"}
    found = imported_by(["sectors", "--city", "x", "--help"], env)
    assert "typer" in found
    assert not {name.split(".")[0] for name in found} & {"rich", "markdown_it", "pygments"}


def test_a_module_on_first_use_is_imported_when_a_name_of_it_is_used() -> None:
    script = (
        "import sys\n"
        "from returnee_cli.lazy import on_first_use\n"
        "on_first_use('colorsys')\n"
        "import colorsys\n"
        "stand_in = colorsys\n"
        "assert 'rgb_to_hsv' not in vars(stand_in), 'imported at once'\n"
        "assert colorsys.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)\n"
        "import colorsys\n"
        "assert colorsys is not stand_in and sys.modules['colorsys'] is colorsys\n"
        "assert stand_in.hls_to_rgb is colorsys.hls_to_rgb\n"
        "from colorsys import yiq_to_rgb\n"
        "on_first_use('colorsys')  # already imported: left as it is\n"
        "assert sys.modules['colorsys'] is colorsys\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_function_on_first_call_imports_its_module_then() -> None:
    """lazy.called_on_first_use: inside the block, `from fractions import Fraction` gives a
    stand-in that imports fractions when called; after it, `import fractions` is the real one,
    whatever the block did; another name of the module imports it at once."""
    script = (
        "import sys\n"
        "from returnee_cli.lazy import called_on_first_use\n"
        "with called_on_first_use({'fractions': ('Fraction',), 'colorsys': ('rgb_to_hls',)}):\n"
        "    from fractions import Fraction\n"
        "    assert 'fractions' in sys.modules and 'decimal' not in sys.modules\n"
        "    from colorsys import rgb_to_hls, hls_to_rgb  # another name: imported at once\n"
        "assert 'fractions' not in sys.modules, 'a stand-in left behind'\n"
        "import colorsys\n"
        "assert colorsys.hls_to_rgb is hls_to_rgb\n"
        "assert rgb_to_hls(1.0, 0.0, 0.0) == (0.0, 0.5, 1.0)\n"
        "half = Fraction(1, 2)\n"
        "import fractions, statistics\n"
        "assert type(half) is fractions.Fraction and Fraction.__name__ == 'Fraction'\n"
        "assert statistics.mean([half, fractions.Fraction(3, 2)]) == 1\n"
        "assert sys.modules['fractions'] is fractions and hasattr(fractions, '__file__')\n"
        "assert 'ast' not in sys.modules\n"
        "with called_on_first_use({'ast': ('literal_eval',)}):\n"
        "    import ast as stand_in  # as inspect imports it, for ast.NodeVisitor and ast.parse\n"
        "assert stand_in.NodeVisitor is sys.modules['ast'].NodeVisitor\n"
        "assert stand_in.literal_eval is sys.modules['ast'].literal_eval  # now the real one\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_what_rich_imports_for_later_still_works_when_it_is_used() -> None:
    """The three Rich imports render/kit.py defers: each works as before when it is used."""
    script = (
        "import sys\n"
        "from returnee_cli.lazy import on_first_use\n"
        "on_first_use('inspect')  # as returnees starts\n"
        "from returnee_cli.render import kit\n"
        "assert not {'ast', 'pickle', 'fractions'} & set(sys.modules)\n"
        "from rich._ratio import ratio_resolve\n"
        "from rich.style import Style\n"
        "from rich.text import Text\n"
        "from rich.layout import Layout  # ratio_resolve with Fraction\n"
        "class Edge:\n"
        "    size = None; ratio = 1; minimum_size = 1\n"
        "assert ratio_resolve(100, [Edge(), Edge(), Edge()]) == [33, 33, 34]\n"
        "assert Style(meta={'id': 7}).meta == {'id': 7}  # pickle\n"
        "text = Text.from_markup(\"[@click=open('x', 2)]go[/]\")  # literal_eval\n"
        "assert text.spans[0].style.meta == {'@click': ('open', ('x', 2))}\n"
        "console = kit.Console(width=30, file=__import__('io').StringIO(), color_system=None)\n"
        "console.print(Layout(kit.Text('a')), height=2)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

"""The one guard: no string from a pack, an argument or the environment reaches a terminal or a
message with a character that could drive it, whatever the string (a property, not examples)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from returnee_cli.untrusted import neutralise

from .conftest import RunCli
from .test_loading import GOOD_FACT, HEADER

# What must never reach a terminal raw: controls but newline, bidi and zero-width marks,
# separators, noncharacters, lone surrogates.
DANGER = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
    "\U000e0000-\U000e007f\ufdd0-\ufdef\ufff9-\ufffb\ufffe\uffff\ud800-\udfff"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17))
    + "]"
)
HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from(["\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u200b", "\ufffe", "\ud800"]),
        st.sampled_from(list("[]/;0123456789mK]")),
        st.characters(),
    ),
    min_size=1,
    max_size=24,
).filter(lambda text: DANGER.search(text) is not None)  # a real name would rightly be found


@given(st.text())
def test_nothing_dangerous_survives_and_the_rest_is_untouched(text: str) -> None:
    safe = neutralise(text)
    assert not DANGER.search(safe) and "\n" not in safe
    assert neutralise(safe) == safe  # escapes are plain text: shown once, never again
    for character in text:
        if not DANGER.search(character) and character not in "\t\n\\":
            assert character in safe


def test_what_was_there_is_shown_not_lost() -> None:
    assert neutralise("a\x1b[2Jb\u202ec\x9b") == "a\\x1b[2Jb\\u202ec\\x9b"
    assert neutralise("two\nlines\tand a tab") == "two lines and a tab"
    assert neutralise("two\nlines", lines=True) == "two\nlines"
    assert unicodedata.name(neutralise("\u00e9")) == "LATIN SMALL LETTER E WITH ACUTE"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(HOSTILE)
def test_a_hostile_argument_is_echoed_harmless(run: RunCli, argument: str) -> None:
    for argv in (["city", argument], ["show", argument], ["facts", "--topic", argument]):
        result = run(*argv)
        assert result.exit_code == 2, (argv, result)
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and not DANGER.search(result.stderr)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(HOSTILE)
def test_a_hostile_label_is_shown_harmless_in_every_view(
    run: RunCli, tmp_path_factory: pytest.TempPathFactory, label: str
) -> None:
    folder = tmp_path_factory.mktemp("pack")
    quoted = label.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    pack = folder / "pack.yaml"
    pack.write_text(
        HEADER + GOOD_FACT.replace("label: A share", f'label: "{quoted}"'), encoding="utf-8"
    )
    for args in (["facts"], ["show", "wuhan-share"], ["sectors", "--city", "wuhan"], ["cities"]):
        result = run("--no-builtin", "--facts", str(pack), *args, columns=120)
        if result.exit_code == 1:  # a label YAML or the loader refuses: said, harmless
            assert not DANGER.search(result.stderr)
            return
        assert result.exit_code == 0, result.stderr
        assert not DANGER.search(result.stdout.replace("\n", "")), args


@pytest.mark.parametrize("columns", ["0", "", "wide", "-5"])
def test_a_columns_that_is_no_width_counts_as_unset(run: RunCli, columns: str) -> None:
    shown = run("sectors", "--city", "beijing", env={"COLUMNS": columns}).stdout
    assert shown.startswith("Beijing: fields of work\n")
    assert "20.84%" in shown and "Source: Blue Book" in shown


@pytest.mark.parametrize(
    "argv", [["--facts", "", "facts"], ["validate", ""], ["-f", " ", "cities"]]
)
def test_an_empty_path_is_refused_not_read_as_the_working_folder(
    run: RunCli, argv: list[str]
) -> None:
    result = run(*argv)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "an empty path names no file or folder" in result.stderr
    assert result.stderr.count("\n") == 1


def test_validate_never_answers_from_the_cache(run: RunCli, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert run("validate", env={"RETURNEES_CACHE_DIR": str(cache)}).exit_code == 0
    assert not cache.exists() or not list(cache.iterdir())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(alphabet=st.sampled_from(list("ab []()<>*_`|#!-=.1\\/:\n")), min_size=1, max_size=40)
)
@example("x](https://evil.example) [y")
@example("<img src=x onerror=alert(1)>")
@example("[a](b)")
def test_a_markdown_citation_links_only_where_its_source_says(
    run: RunCli, tmp_path_factory: pytest.TempPathFactory, title: str
) -> None:
    """Whatever a source's title holds, the Markdown citation has one link, to the source's own
    url, and no HTML: a title cannot redirect the link or open a tag (parsed by markdown-it)."""
    from markdown_it import MarkdownIt

    folder = tmp_path_factory.mktemp("pack")
    quoted = title.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    (folder / "pack.yaml").write_text(
        HEADER.replace("title: A survey", f'title: "{quoted} x"').replace(
            "kind: primary", "kind: primary\n    url: https://real.example/report"
        )
        + GOOD_FACT,
        encoding="utf-8",
    )
    result = run(
        "--no-builtin", "--facts", str(folder), "cite", "wuhan-share", "--style", "markdown"
    )
    assert result.exit_code == 0, result.stderr
    tokens = MarkdownIt("commonmark").parse(result.stdout)
    inline = [child for token in tokens for child in (token.children or [])]
    links = [child.attrs.get("href") for child in inline if child.type == "link_open"]
    assert links == ["https://real.example/report"], result.stdout
    assert not [t for t in [*tokens, *inline] if t.type in ("html_block", "html_inline")]


CITY_VIEWS = (
    ["cities"],
    ["city", "wuhan"],
    ["sectors", "--city", "wuhan"],
    ["sectors"],
    ["reasons"],
    ["topics"],
    ["facts"],
    ["show", "wuhan-share"],
    ["cite", "wuhan-share"],
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(HOSTILE, HOSTILE)
def test_a_hostile_city_name_is_shown_harmless_in_every_view(
    run: RunCli, tmp_path_factory: pytest.TempPathFactory, name: str, name_zh: str
) -> None:
    """City names reach titles, column headers and group headings, not only cells."""
    folder = tmp_path_factory.mktemp("pack")

    def quoted(text: str) -> str:
        return text.encode("unicode_escape").decode("ascii").replace('"', '\\"')

    city = f'{{slug: wuhan, name: "{quoted(name)}", name_zh: "{quoted(name_zh)}"}}'
    (folder / "pack.yaml").write_text(
        HEADER.replace("{slug: wuhan, name: Wuhan}", city) + GOOD_FACT, encoding="utf-8"
    )
    for args in CITY_VIEWS:
        result = run("--no-builtin", "--facts", str(folder), *args, columns=120)
        if result.exit_code == 1:  # a name the loader refuses: said, harmless
            assert not DANGER.search(result.stderr)
            return
        assert result.exit_code == 0, (args, result.stderr)
        assert not DANGER.search(result.stdout.replace("\n", "")), args

"""Did-you-mean: the one way a message about an unknown name points at the right one.

Every such message has one shape, on the command line and in a fact file alike:

    unknown city `bejing`; did you mean `beijing`? known cities: beijing, shanghai, ...
    draft.yaml:6: unknown key `valeu` in a fact; did you mean `value`? known keys: id, city, ...

The caller writes what was not found (the head); `suggest` writes the rest: the nearest known name,
if one is close, then the known names (or, where they are too many to list, what to do instead).

Names are quoted in backticks, never in single quotes, because
- the fact-file messages already quote every key, id and slug that way (dozens of them, and the
  docs show them), so a suggestion in single quotes would mix two styles in one line;
- a backtick never appears in a name, where an apostrophe can (Xi'an, master’s): `xi'an` reads
  unambiguously, 'xi'an' does not;
- the docs are Markdown, where a name in backticks shows as code, as a command in hatch's
  messages does ("Run `hatch dep lock` first").
Values read from a fact file that are not names (text, numbers) keep the `repr` quoting the loader
gives them: they may hold anything, and repr shows it exactly.

Pure: no Typer, no Rich, no printing.
"""

from __future__ import annotations

from collections.abc import Iterable

CUTOFF = 0.6  # difflib's similarity ratio a name must reach to be suggested


def quoted(name: str) -> str:
    """A name as every message quotes it: `beijing`."""
    return f"`{name}`"


def suggest(
    word: str,
    choices: Iterable[str],
    known: str,
    *,
    then: str | None = None,
    fallback: str | None = None,
    limit: int | None = None,
) -> str:
    """What follows `unknown <what> <word>; ` in a message: "did you mean `x`? known <known>: ...".

    `choices` are the names `word` may have been meant as, in the order they are listed; `known` is
    what they are, in the plural ("cities"). `then` replaces the list ("run `returnees facts` to
    list the ids"), `fallback` is the name to suggest when none is close in spelling, and `limit`
    cuts a long list short ("a, b, ...").
    """
    import difflib  # only for a name that is not known: an error's message

    names = list(choices)
    close = difflib.get_close_matches(word, names, n=1, cutoff=CUTOFF)
    nearest = close[0] if close else fallback
    hint = f"did you mean {quoted(nearest)}? " if nearest is not None else ""
    if then is None:
        shown = names if limit is None else names[:limit]
        more = ", ..." if len(shown) < len(names) else ""
        then = f"known {known}: {', '.join(shown) or 'none'}{more}"
    return hint + then

"""Where things are: the built-in facts, and a path as a user should see it."""

from __future__ import annotations

import os
from pathlib import Path


def builtin_facts_dir() -> Path:
    """The facts shipped inside the package (wheel), or the repository's `facts/` (checkout)."""
    packaged = Path(__file__).resolve().parent / "facts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "facts"


def display_path(path: Path) -> str:
    """A path as a user should see it: relative to the working folder when it is inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative

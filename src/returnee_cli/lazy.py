"""A module imported the first time one of its names is used: the renderers import rich, which a
--json answer never needs."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


def lazy_module(name: str) -> ModuleType:
    """`name`, loaded on first attribute access (importlib's LazyLoader)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # pragma: no cover - a broken installation
        raise ImportError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def on_first_use(name: str) -> None:
    """`name`, a module of the standard library, imported when one of its names is first used,
    not when another module writes `import name`. (Python 3.11's LazyLoader loads a module on
    any attribute, and `import` itself reads its `__spec__`: hence a stand-in.) The stand-in
    takes on the module's names when it loads, and the module itself replaces it in
    sys.modules, so every later `import name` gets the real one."""
    if name in sys.modules:
        return
    stand_in = ModuleType(name)

    def load(attribute: str) -> Any:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        module = importlib.import_module(name)
        del stand_in.__dict__["__getattr__"]
        stand_in.__dict__.update(module.__dict__)
        return getattr(module, attribute)

    stand_in.__dict__["__getattr__"] = load
    sys.modules[name] = stand_in

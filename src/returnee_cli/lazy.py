"""A module imported the first time one of its names is used: the renderers import rich, which a
--json answer never needs."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time (3 ms)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager
    from typing import Any


def lazy_module(name: str) -> ModuleType:
    """`name`, loaded on first attribute access (importlib's LazyLoader)."""
    import importlib.util  # 1 ms: only where a module is made lazy, never on the --json path

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


def called_on_first_use(functions: dict[str, tuple[str, ...]]) -> AbstractContextManager[None]:
    """While the block runs, `from name import function` (for each module of the standard
    library named, and each of its functions listed) gives a stand-in function that imports the
    module the first time it is called, and calls the real one. Any other name of the module
    imports it at once, as `import name` then does.

    For a library that imports a module only for a function it calls in a case we never meet:
    Rich imports `ast` for markup parameters, `pickle` for a style's metadata and `fractions`
    for a layout's ratios, none of which a table drawn without markup uses (about 4 ms of a
    table's start). After the block, the module is no one else's stand-in: a later `import name`
    gets the real module, as if nothing had happened; only what the block imported keeps the
    stand-in functions. Only functions (and classes only ever called, never tested with
    isinstance) may be listed."""
    from contextlib import contextmanager  # (only where a table is drawn: not on every start)

    return contextmanager(_stand_ins)(functions)


def _stand_ins(functions: dict[str, tuple[str, ...]]) -> Iterator[None]:
    installed: dict[str, ModuleType] = {}
    for name, names in functions.items():
        if name not in sys.modules:
            installed[name] = sys.modules[name] = _calling_stand_in(name, names)
    try:
        yield
    finally:
        for name, stand_in in installed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def _calling_stand_in(name: str, functions: tuple[str, ...]) -> ModuleType:
    stand_in = ModuleType(name)

    def real() -> ModuleType:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        module = importlib.import_module(name)
        if "__getattr__" in stand_in.__dict__:  # from now on, the stand-in is the module's twin
            del stand_in.__dict__["__getattr__"]
            stand_in.__dict__.update(module.__dict__)
        return module

    def load(attribute: str) -> Any:
        if attribute.startswith("__"):  # the import system asking (`__path__`): a plain module
            raise AttributeError(attribute)
        return getattr(real(), attribute)

    def forwarder(function: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(real(), function)(*args, **kwargs)

        call.__name__ = call.__qualname__ = function
        return call

    stand_in.__dict__["__getattr__"] = load
    for function in functions:
        stand_in.__dict__[function] = forwarder(function)
    return stand_in

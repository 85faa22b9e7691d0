"""The one way returnees writes a file: exports (-o), pictures (--svg) and the cache alike.

The content goes to a new temporary file in the target's folder (`mkstemp`: an unpredictable
name, created exclusively, never through a symlink), is flushed to disk, and only then takes the
target's name in one step. A reader never sees half a file, and an interrupted or failed write
leaves nothing behind. Without `force`, an existing target is never replaced, even when another
run creates it meanwhile (the finished file is linked into place, which fails if the name is
taken). A folder, a device, a FIFO or a fact file in use is refused even with `force`; a symlink
target is replaced by the new file, never written through.

Failures are told apart by when they happen. A target that may not or cannot be created (it
exists, its folder is missing or read-only, its name is too long) is refused before a byte is
written: UsageError, exit 2. A write the system cuts short (a full disk, a file-size limit, an
I/O error) is WriteFailed, exit 74. Ctrl-C and SIGTERM (turned into errors.Terminated by the
command) unwind through the same `finally`. Either way the temporary file is gone and the target
is as it was.

Only SIGKILL (or a power cut) can leave a temporary file behind. Its name says whose it was,
`.returnees-tmp-PID-XXXXXXXX.partial` (the random part from mkstemp), and the next write into the
same folder removes those whose process is gone.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from returnee_cli.errors import UsageError, WriteFailed

TEMP_PREFIX = ".returnees-tmp-"
TEMP_SUFFIX = ".partial"
_LEFTOVER = re.compile(re.escape(TEMP_PREFIX) + r"([0-9]+)-[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX))
# A leftover younger than this is left alone even if its pid looks dead: a writer in another pid
# namespace (a container sharing the folder) may still own it. A write refreshes its mtime.
LEFTOVER_AGE = 60.0


def write_file(
    target: Path,
    fill: Callable[[Path], None],
    *,
    force: bool = False,
    protected: Sequence[Path] = (),
    mode: int | None = None,
    option: str = "",
) -> None:
    """Write `target` by calling `fill(path)` on a temporary file beside it. `protected` are
    files and folders that must never be written over (the fact files being read); `mode` is
    the new file's permissions (default: what the umask allows, as for any new file).

    Raises UsageError, with the option that named the target (`option`), the path and the
    reason, when the target may not or cannot be created; WriteFailed (a UsageError) when the
    system cuts the write short. Either way nothing of it is left."""
    try:
        _write(target, fill, force, protected, mode)
    except UsageError as error:
        said = f"{option}: {error.message}" if option else error.message
        raise type(error)(said) from None  # WriteFailed stays WriteFailed (its exit code)


def _write(
    target: Path,
    fill: Callable[[Path], None],
    force: bool,
    protected: Sequence[Path],
    mode: int | None,
) -> None:
    _check_target(target, force, protected)
    folder = target.parent
    remove_leftovers(folder)
    try:
        handle, name = tempfile.mkstemp(
            dir=folder, prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX
        )
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None
    partial = Path(name)
    try:
        os.close(handle)
        os.chmod(partial, mode if mode is not None else 0o666 & ~_umask())
        fill(partial)
        with partial.open("rb+") as written:
            os.fsync(written.fileno())
        _put_in_place(partial, target, force)
    except OSError as error:
        raise WriteFailed(
            f"cannot write {target}: {error.strerror or error}; no partial file was left"
        ) from None
    finally:
        partial.unlink(missing_ok=True)


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files of writers that were killed (SIGKILL) in `folder`: ours by
    name, regular files, at least LEFTOVER_AGE old, whose process is gone. Best effort: anything
    that cannot be checked or removed is left. Returns what was removed."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    removed: list[Path] = []
    now = time.time()
    for entry in entries:
        match = _LEFTOVER.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if (
                stat.S_ISREG(info.st_mode)
                and now - info.st_mtime >= LEFTOVER_AGE
                and not _alive(int(match.group(1)))
            ):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid <= 0:  # never a writer's pid (and os.kill(0, ...) means this process group)
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except (OverflowError, OSError):
        return False
    return True


def write_text(
    target: Path,
    chunks: Iterable[str],
    *,
    force: bool = False,
    protected: Sequence[Path] = (),
    option: str = "",
) -> None:
    """Text (UTF-8, newlines as given), chunk by chunk, through write_file."""

    def fill(path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as file:
            file.writelines(chunks)

    write_file(target, fill, force=force, protected=protected, option=option)


def _check_target(target: Path, force: bool, protected: Sequence[Path]) -> None:
    if is_protected(target, protected):
        raise UsageError(
            f"{target} is being read (a fact file or a source's stored text); choose another file"
        )
    try:
        info = target.lstat()
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise UsageError(f"cannot write {target}: no such folder {target.parent}") from None
        return
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror}") from None
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise UsageError(f"{target} is not a regular file; choose a file name")
    if not force:
        raise UsageError(f"{target} exists; add --force to replace it")


def is_protected(target: Path, protected: Sequence[Path]) -> bool:
    """Whether `target` is, or would land inside as a fact file, one of `protected`."""
    try:
        resolved = target.resolve()
    except OSError:
        return False
    for root in protected:
        root = root.resolve()
        if resolved == root or (
            root.is_dir() and root in resolved.parents and resolved.suffix in (".yaml", ".yml")
        ):
            return True
    return False


def _put_in_place(partial: Path, target: Path, force: bool) -> None:
    if force:
        os.replace(partial, target)  # replaces a symlink itself, never what it points to
        return
    try:
        os.link(partial, target)  # fails if the name was taken meanwhile: never clobbers
    except FileExistsError:
        raise UsageError(f"{target} exists; add --force to replace it") from None
    except OSError:  # a file system without hard links: the check above has to do
        if target.exists() or target.is_symlink():
            raise UsageError(f"{target} exists; add --force to replace it") from None
        os.replace(partial, target)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current

"""I/O failures are the user's, not bugs (issue 10, sections 2 and 4): a closed or full stdout, a
closed stderr, a reader that left, unreadable fact files and folders, names too long, paths
through a file, folders that cannot be written, a disk full or a file-size limit, Ctrl-C, SIGTERM
and SIGKILL while a file is written.

Where the behaviour depends on the real process (its file descriptors, signals, limits, user),
the installed command runs in a subprocess, once through the fast path and once through the
Typer app (RETURNEES_NO_FASTPATH=1). Each failure is one line on stderr naming the cause and the
path, with its documented exit code (errors.EXIT_CODES), never "internal error".
"""

from __future__ import annotations

import errno
import functools
import os
import resource
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returnee_cli import writer
from returnee_cli.errors import (
    EXIT_CODES,
    EXIT_DATA,
    EXIT_INTERRUPTED,
    EXIT_IO,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    Terminated,
    UsageError,
    WriteFailed,
)
from returnee_cli.paths import builtin_facts_dir

from .conftest import RunCli
from .test_installed import returnees

PATHS = ["fastpath", "typer"]
TOO_LONG = "n" * 300  # longer than any file system's NAME_MAX (255)
NOBODY = 65534


def environ(path: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RETURNEES_FACTS", "FORCE_COLOR")}
    env.pop("RETURNEES_NO_FASTPATH", None)
    if path == "typer":
        env["RETURNEES_NO_FASTPATH"] = "1"
    return {**env, "NO_COLOR": "1", "COLUMNS": "80", **more}


def shell(line: str, path: str, cwd: Path, **popen: object) -> subprocess.CompletedProcess[str]:
    """`line` in sh, with `returnees` the installed command: for redirections such as `>&-`."""
    command = line.replace("returnees", shlex.quote(returnees()), 1)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        ["sh", "-c", command],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ(path),
        timeout=60,
        **popen,
    )


def assert_one_line(stderr: str, *parts: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("returnees: "), stderr
    for part in parts:
        assert part in lines[0], stderr
    assert "internal error" not in stderr and "Traceback" not in stderr


def test_every_exit_code_used_here_is_documented() -> None:
    for code in (EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_IO, EXIT_INTERRUPTED, EXIT_TERMINATED):
        assert code in EXIT_CODES
    assert (EXIT_IO, EXIT_TERMINATED) == (74, 143)


# --- stdout and stderr --------------------------------------------------------------------------

STDOUT_CALLS = [
    "returnees facts --json",
    "returnees sectors --city beijing",
    "returnees --version",
    "returnees --help",
    "returnees sectors --help",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("call", STDOUT_CALLS)
def test_a_closed_stdout_is_one_line_and_exit_74(tmp_path: Path, path: str, call: str) -> None:
    result = shell(f"{call} >&-", path, tmp_path)
    assert result.returncode == EXIT_IO, result.stderr
    assert_one_line(result.stderr, "cannot write to stdout: it is closed")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("call", STDOUT_CALLS)
def test_a_full_stdout_is_one_line_and_exit_74(tmp_path: Path, path: str, call: str) -> None:
    result = shell(f"{call} > /dev/full", path, tmp_path)
    assert result.returncode == EXIT_IO, result.stderr
    assert_one_line(result.stderr, "cannot write to stdout: No space left on device")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("call", STDOUT_CALLS)
def test_a_reader_that_left_ends_the_command_quietly(tmp_path: Path, path: str, call: str) -> None:
    """`| head -1`, made deterministic: the pipe's read end is closed before the command starts,
    so its first write meets a broken pipe whatever the timing."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            shlex.split(call.replace("returnees", shlex.quote(returnees()), 1)),
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=environ(path),
            timeout=60,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (EXIT_OK, "")


@pytest.mark.parametrize("path", PATHS)
def test_help_piped_into_head_exits_quietly(tmp_path: Path, path: str) -> None:
    for call in ("returnees --help | head -1", "returnees sectors --help | head -1"):
        result = shell(f"set -e; {call}", path, tmp_path)
        assert result.returncode == 0 and result.stdout.startswith("Usage: returnees")
        assert result.stderr == ""


@pytest.mark.parametrize("path", PATHS)
def test_a_closed_stderr_loses_the_messages_never_puts_them_on_stdout(
    tmp_path: Path, path: str
) -> None:
    failed = shell("returnees city atlantis 2>&-", path, tmp_path)
    assert (failed.returncode, failed.stdout, failed.stderr) == (EXIT_USAGE, "", "")
    worked = shell("returnees facts --city nowhere-at-all --json 2>&-", path, tmp_path)
    assert worked.returncode == EXIT_USAGE and worked.stdout == ""
    fine = shell("returnees sectors --city beijing --json 2>&-", path, tmp_path)
    assert fine.returncode == 0 and '"value": 20.84' in fine.stdout
    both = shell("returnees facts --json >&- 2>&-", path, tmp_path)
    assert (both.returncode, both.stdout, both.stderr) == (EXIT_IO, "", "")
    full = shell("returnees city atlantis 2> /dev/full", path, tmp_path)
    assert (full.returncode, full.stdout, full.stderr) == (EXIT_USAGE, "", "")


@pytest.mark.parametrize("path", PATHS)
def test_a_closed_stdout_does_not_stop_a_command_that_writes_a_file(
    tmp_path: Path, path: str
) -> None:
    result = shell("returnees cities --json -o cities.json >&-", path, tmp_path)
    assert result.returncode == 0
    assert_one_line(result.stderr, "wrote 7 cities to cities.json")
    assert '"slug": "beijing"' in (tmp_path / "cities.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", PATHS)
def test_a_closed_stderr_never_lets_a_file_take_its_number(tmp_path: Path, path: str) -> None:
    """With fd 2 closed, the first file opened would get number 2 and receive every message:
    the command puts /dev/null there first, so the written file holds only its data."""
    result = shell("returnees facts --city atlantis -o out.json 2>&-", path, tmp_path)
    assert result.returncode == EXIT_USAGE and not (tmp_path / "out.json").exists()
    result = shell("returnees cities --json -o out.json 2>&-", path, tmp_path)
    assert result.returncode == 0
    text = (tmp_path / "out.json").read_text(encoding="utf-8")
    assert text.startswith("[") and "returnees:" not in text


# --- fact files and folders that cannot be read -------------------------------------------------


@pytest.fixture
def reachable() -> Iterator[Path]:
    """A folder every user can enter (pytest's tmp_path lives under a root-only folder), for
    the runs as an unprivileged user."""
    folder = Path(tempfile.mkdtemp(prefix="returnees-io-"))
    folder.chmod(0o755)
    yield folder
    for root, folders, _files in os.walk(folder):
        for name in folders:
            Path(root, name).chmod(0o755)
    subprocess.run(["rm", "-rf", str(folder)], check=True)


@functools.cache
def as_nobody() -> list[str]:
    """The prefix that runs a command without privileges. Permissions do not bind root, so as
    root the command runs as `nobody` (uid 65534) through util-linux's setpriv (a preexec_fn
    calling os.setuid cannot exec the interpreter in some sandboxes where setpriv can)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    probe = subprocess.run([*prefix, returnees(), "--version"], capture_output=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip(
            "the installed command cannot run as nobody here (its interpreter is not reachable)"
        )
    return prefix


def run_as_user(path: str, cwd: Path, *args: str, **more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*as_nobody(), returnees(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ(path, RETURNEES_CACHE_DIR=str(cwd / ".cache"), **more),
        timeout=60,
    )


def a_pack(folder: Path) -> Path:
    """A pack with the built-in facts in a subfolder, so that losing the subfolder loses facts."""
    pack = folder / "pack"
    (pack / "more").mkdir(parents=True)
    for name in ("cities.yaml", "beijing.yaml"):
        (pack / name).write_bytes((builtin_facts_dir() / name).read_bytes())
    (pack / "more" / "sources").mkdir()
    sources = builtin_facts_dir() / "sources"
    for file in sources.iterdir():
        (pack / "more" / "sources" / file.name).write_bytes(file.read_bytes())
    for root, folders, files in os.walk(folder):
        for name in folders:
            Path(root, name).chmod(0o755)
        for name in files:
            Path(root, name).chmod(0o644)
    return pack


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("locked", ["pack/more/sources", "pack/more", "pack", "pack/cities.yaml"])
def test_an_unreadable_file_or_folder_of_a_pack_is_named_never_skipped(
    reachable: Path, path: str, locked: str
) -> None:
    a_pack(reachable)
    (reachable / locked).chmod(0)
    said = "cannot be read (Permission denied); check its permissions"
    result = run_as_user(path, reachable, "--no-builtin", "--facts", "pack", "facts", "--json")
    assert result.returncode == EXIT_DATA and result.stdout == "", result.stderr
    assert f"returnees: {locked}: {said}\n" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    report = run_as_user(path, reachable, "validate", "pack")
    assert report.returncode == EXIT_DATA
    assert f"{locked}: error: {said} [unreadable]\n" in report.stdout


@pytest.mark.parametrize("path", PATHS)
def test_a_folder_listed_but_not_entered_names_what_it_holds(reachable: Path, path: str) -> None:
    pack = a_pack(reachable)
    pack.chmod(0o444)  # its names can be read, the files in it cannot be reached
    result = run_as_user(path, reachable, "--no-builtin", "--facts", "pack", "cities")
    assert result.returncode == EXIT_DATA
    assert "returnees: pack/cities.yaml: cannot be read (Permission denied)" in result.stderr
    assert "returnees: pack/more: cannot be read (Permission denied)" in result.stderr


@pytest.mark.parametrize("path", PATHS)
def test_a_fact_file_behind_a_locked_folder_cannot_be_reached(reachable: Path, path: str) -> None:
    pack = a_pack(reachable)
    pack.chmod(0)
    for option in (["--facts", "pack/cities.yaml", "cities"], ["validate", "pack/cities.yaml"]):
        result = run_as_user(path, reachable, "--no-builtin", *option)
        assert result.returncode == EXIT_USAGE and result.stdout == ""
        assert_one_line(result.stderr, "cannot reach pack/cities.yaml: Permission denied")


@pytest.mark.parametrize("path", PATHS)
def test_output_into_a_read_only_folder_is_refused(reachable: Path, path: str) -> None:
    (reachable / "locked").mkdir(mode=0o555)
    (reachable / "locked").chmod(0o555)
    for option, name in (("-o", "cities.json"), ("--svg", "cities.svg")):
        result = run_as_user(path, reachable, "cities", option, f"locked/{name}")
        assert result.returncode == EXIT_USAGE
        assert_one_line(result.stderr, f"{option}: cannot write locked/{name}: Permission denied")
        assert os.listdir(reachable / "locked") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--facts", TOO_LONG, "cities"], f"--facts: cannot reach {TOO_LONG}: File name too long"),
        (["validate", TOO_LONG], f"cannot reach {TOO_LONG}: File name too long"),
        (
            ["--facts", f"{TOO_LONG}/{TOO_LONG}.yaml", "cities"],
            "File name too long",
        ),
        (["cities", "-o", TOO_LONG], f"-o: cannot write {TOO_LONG}: File name too long"),
        (
            ["cities", "--svg", f"{TOO_LONG}.svg"],
            f"--svg: cannot write {TOO_LONG}.svg: File name too long",
        ),
        (
            ["--facts", "file.yaml/x", "cities"],
            "--facts: cannot reach file.yaml/x: Not a directory",
        ),
        (["validate", "file.yaml/x"], "cannot reach file.yaml/x: Not a directory"),
        (
            ["cities", "-o", "file.yaml/x.json"],
            "-o: cannot write file.yaml/x.json: Not a directory",
        ),
        (["cities", "-o", "missing/x.json"], "-o: cannot write missing/x.json: no such folder"),
    ],
)
def test_names_too_long_and_paths_through_a_file(
    run: RunCli, terminal: Path, args: list[str], message: str
) -> None:
    (terminal / "file.yaml").write_text("cities: []\n", encoding="utf-8")
    result = run(*args)
    assert result.exit_code == EXIT_USAGE and result.stdout == ""
    assert_one_line(result.stderr, message)
    assert sorted(os.listdir(terminal)) == ["file.yaml"]


@pytest.mark.parametrize("path", PATHS)
def test_a_name_too_long_in_the_installed_command(tmp_path: Path, path: str) -> None:
    for args in (["--facts", TOO_LONG, "facts"], ["facts", "-o", TOO_LONG]):
        result = subprocess.run(
            [returnees(), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=environ(path),
            timeout=60,
        )
        assert result.returncode == EXIT_USAGE
        assert_one_line(result.stderr, TOO_LONG, "File name too long")


def test_a_stored_text_with_a_name_too_long_is_a_problem_of_the_file(
    run: RunCli, terminal: Path
) -> None:
    text = (builtin_facts_dir() / "sources" / "sources.yaml").read_text(encoding="utf-8")
    assert "text: china-minutes-2025-04-01.txt" in text
    (terminal / "sources.yaml").write_text(
        text.replace("china-minutes-2025-04-01.txt", f"{TOO_LONG}.txt"), encoding="utf-8"
    )
    result = run("--no-builtin", "--facts", "sources.yaml", "sources")
    assert result.exit_code == EXIT_DATA
    assert "names a stored text" in result.stderr and "internal error" not in result.stderr


# --- the writer: a write cut short leaves nothing ----------------------------------------------

FAILURES = [errno.ENOSPC, errno.EFBIG, errno.EIO, errno.EDQUOT]


@given(
    failure=st.sampled_from(FAILURES),
    written=st.integers(min_value=0, max_value=200_000),
    existing=st.booleans(),
)
def test_a_write_cut_short_leaves_the_folder_as_it_was(
    failure: int, written: int, existing: bool
) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        target = folder / "out.json"
        if existing:
            target.write_text("the old content\n", encoding="utf-8")

        def fill(path: Path) -> None:
            path.write_bytes(b"x" * written)
            raise OSError(failure, os.strerror(failure))

        with pytest.raises(WriteFailed) as raised:
            writer.write_file(target, fill, force=True, option="-o")
        assert raised.value.exit_code == EXIT_IO
        assert raised.value.message == (
            f"-o: cannot write {target}: {os.strerror(failure)}; no partial file was left"
        )
        assert os.listdir(folder) == (["out.json"] if existing else [])
        if existing:
            assert target.read_text(encoding="utf-8") == "the old content\n"


@given(
    interruption=st.sampled_from([KeyboardInterrupt, Terminated]),
    written=st.integers(min_value=0, max_value=200_000),
    existing=st.booleans(),
)
def test_an_interrupted_write_leaves_the_folder_as_it_was(
    interruption: type[BaseException], written: int, existing: bool
) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        target = folder / "out.json"
        if existing:
            target.write_text("the old content\n", encoding="utf-8")

        def chunks() -> Iterator[str]:
            yield "y" * written
            raise interruption()

        with pytest.raises(interruption):
            writer.write_text(target, chunks(), force=True)
        assert os.listdir(folder) == (["out.json"] if existing else [])


def test_a_target_that_cannot_be_created_is_a_usage_error_not_74(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        writer.write_text(tmp_path / "missing" / "out.json", ["x"], option="-o")
    assert type(raised.value) is UsageError and raised.value.exit_code == EXIT_USAGE


def size_limited() -> None:
    """In the child: files of at most 1,000 bytes; SIGXFSZ ignored, so the write fails with
    EFBIG instead of killing the process (the same path as a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("args", "option", "name"),
    [
        (["facts", "--json"], "-o", "facts.json"),
        (["facts", "--format", "csv"], "-o", "facts.csv"),
        (["export"], "-o", "facts.db"),
        (["cities"], "--svg", "cities.svg"),
    ],
)
def test_a_file_size_limit_leaves_no_partial_file(
    tmp_path: Path, path: str, args: list[str], option: str, name: str
) -> None:
    (tmp_path / "out").mkdir()
    result = subprocess.run(
        [returnees(), *args, option, f"out/{name}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ(path, RETURNEES_CACHE_DIR=str(tmp_path / "cache")),
        timeout=60,
        preexec_fn=size_limited,
    )
    assert result.returncode == EXIT_IO, result.stderr
    assert_one_line(result.stderr, f"{option}: cannot write out/{name}: ", "no partial file")
    assert os.listdir(tmp_path / "out") == []


# --- signals while writing, and what SIGKILL leaves ---------------------------------------------

# Runs the real command (returnees_cli.main), but sends the given signal to itself from inside
# the writer's fill, once the temporary file in out/ holds the whole output: deterministic, no
# timing.
SIGNAL_DURING_WRITE = """
import os, signal, sys
from returnee_cli import main, writer

chosen = getattr(signal, sys.argv[1])
real = writer.write_file
def write_file(target, fill, **options):
    if target.parent.name != "out":  # the cache: written as usual
        return real(target, fill, **options)
    def fill_then_signal(path):
        fill(path)
        os.kill(os.getpid(), chosen)
    return real(target, fill_then_signal, **options)

writer.write_file = write_file
sys.argv = ["returnees", *sys.argv[2:]]
main.main()
"""


def signal_during_write(
    name: str, path: str, cwd: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SIGNAL_DURING_WRITE, name, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ(path, RETURNEES_CACHE_DIR=str(cwd / "cache")),
        timeout=60,
        # Ctrl-C as at a keyboard, even when the suite runs where SIGINT is ignored (started in
        # the background by a shell: the child inherits SIG_IGN, and Python then never raises
        # KeyboardInterrupt), as test_long_loads.py does
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("name", "code", "said"),
    [("SIGTERM", EXIT_TERMINATED, "terminated"), ("SIGINT", EXIT_INTERRUPTED, "interrupted")],
)
@pytest.mark.parametrize("existing", [False, True])
def test_sigterm_or_ctrl_c_while_writing_leaves_nothing_and_the_target_untouched(
    tmp_path: Path, path: str, name: str, code: int, said: str, existing: bool
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if existing:
        (out / "facts.jsonl").write_text("the old content\n", encoding="utf-8")
    result = signal_during_write(name, path, tmp_path, "facts", "-o", "out/facts.jsonl", "--force")
    assert result.returncode == code, result.stderr
    assert result.stdout == "" and result.stderr == f"returnees: {said}\n"
    assert os.listdir(out) == (["facts.jsonl"] if existing else [])
    if existing:
        assert (out / "facts.jsonl").read_text(encoding="utf-8") == "the old content\n"


def leftover(folder: Path, pid: int, *, age: float = 3600.0) -> Path:
    """A temporary file as a writer with `pid` leaves it, `age` seconds old."""
    handle, name = tempfile.mkstemp(
        dir=folder, prefix=f"{writer.TEMP_PREFIX}{pid}-", suffix=writer.TEMP_SUFFIX
    )
    os.write(handle, b'{"half": ')
    os.close(handle)
    old = os.stat(name).st_mtime - age
    os.utime(name, (old, old))
    return Path(name)


def dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)  # waited for: no such process any more


@pytest.mark.parametrize("path", PATHS)
def test_sigkill_leaves_a_named_leftover_that_the_next_write_removes(
    tmp_path: Path, path: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    killed = signal_during_write("SIGKILL", path, tmp_path, "facts", "-o", "out/facts.jsonl")
    assert killed.returncode == -signal.SIGKILL
    (left,) = out.iterdir()  # only SIGKILL gets past the `finally`
    assert left.name.startswith(writer.TEMP_PREFIX) and left.name.endswith(writer.TEMP_SUFFIX)
    pid = int(left.name[len(writer.TEMP_PREFIX) :].split("-")[0])
    assert str(pid) != "" and pid > 0
    old = left.stat().st_mtime - 2 * writer.LEFTOVER_AGE
    os.utime(left, (old, old))
    alive = leftover(out, os.getpid())  # this test's own process: alive
    young = leftover(out, dead_pid(), age=0)  # maybe a writer in another pid namespace
    result = subprocess.run(
        [returnees(), "cities", "-o", "out/cities.json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ(path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(out.iterdir()) == sorted([out / "cities.json", alive, young])


def test_leftovers_are_removed_only_when_dead_old_regular_and_named_so(tmp_path: Path) -> None:
    dead = dead_pid()
    gone = [leftover(tmp_path, dead), leftover(tmp_path, 0)]
    kept = [
        leftover(tmp_path, os.getpid()),
        leftover(tmp_path, 1),  # init: alive (or someone else's: PermissionError, alive too)
        leftover(tmp_path, dead, age=0),
    ]
    lookalike = tmp_path / f"{writer.TEMP_PREFIX}{dead}-abc.partial.yaml"
    lookalike.write_text("mine\n", encoding="utf-8")
    linked = tmp_path / f"{writer.TEMP_PREFIX}{dead}-link1234{writer.TEMP_SUFFIX}"
    linked.symlink_to(lookalike)
    folder = tmp_path / f"{writer.TEMP_PREFIX}{dead}-dir12345{writer.TEMP_SUFFIX}"
    folder.mkdir()
    assert sorted(writer.remove_leftovers(tmp_path)) == sorted(gone)
    assert sorted(tmp_path.iterdir()) == sorted([*kept, lookalike, linked, folder])
    assert stat.S_ISLNK(linked.lstat().st_mode)


def test_temporary_names_carry_the_prefix_and_the_pid(tmp_path: Path) -> None:
    seen: list[str] = []
    writer.write_file(tmp_path / "out.txt", lambda path: seen.append(path.name))
    (name,) = seen
    assert name.startswith(f"{writer.TEMP_PREFIX}{os.getpid()}-")
    assert name.endswith(writer.TEMP_SUFFIX) and len(name) > len(
        f"{writer.TEMP_PREFIX}{os.getpid()}-{writer.TEMP_SUFFIX}"
    )
    assert os.listdir(tmp_path) == ["out.txt"]

"""The fence around a submission while it is graded (``make grade``), set by ``tools.grade``.

``tools.grade`` runs each submission's grading (otter-grader, and the
notebook's kernel it starts) with this folder on PYTHONPATH and
``SOFTMAX_COURSE_SANDBOX`` naming the submission's private folder. Python then
runs this file at start-up, and an audit hook (which Python code cannot
remove) refuses, in that process:

- writing, deleting, renaming or creating anything outside the private folder;
- reading the folders named in ``SOFTMAX_COURSE_SANDBOX_HIDDEN`` (the lessons
  with their solutions, the maintainer's tools with the hidden cases, the
  other submissions), and the autograder (its zip, and the test files with the
  hidden cases that otter unpacks from it) except from otter's own code;
- a network connection to another machine (otter's own logging on 127.0.0.1 is let through
  from otter's code only);
- starting a program, except the grader starting the notebook's kernel.

Each refusal raises PermissionError in the submission and is logged to
``<private folder>/sandbox.log``; the student's feedback file counts them.
What this cannot stop: code outside Python's audit events (a C extension
loaded with ctypes, a compiled library's own file access), and a
submission that fools the tests running in its own kernel. See the README,
"Teaching a class".
"""

from __future__ import annotations

import os
import sys

_ROOT = os.environ.get("SOFTMAX_COURSE_SANDBOX")


def _install(root: str) -> None:
    root = os.path.realpath(root)
    hidden = [
        os.path.realpath(path)
        for path in os.environ.get("SOFTMAX_COURSE_SANDBOX_HIDDEN", "").split(os.pathsep)
        if path
    ]
    from importlib.util import find_spec

    spec = find_spec("otter")  # found, not imported: otter's own code is trusted below
    otter_dir = os.path.realpath(list(spec.submodule_search_locations)[0]) if spec else "\0"
    log_path = os.path.join(root, "sandbox.log")
    is_kernel = "ipykernel_launcher" in " ".join(getattr(sys, "orig_argv", sys.argv))
    realpath, getframe, fspath = os.path.realpath, sys._getframe, os.fspath
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    busy = [False]

    # otter unpacks the autograder under a temporary folder of the private one (its TMPDIR):
    # <tmp>/autograder/source/tests, copied to <tmp>/autograder/submission/tests.
    autograder_parts = (("autograder", "source"), ("autograder", "submission", "tests"))
    autograder_zip = os.path.join(root, "autograder.zip")
    file_events = frozenset({
        "os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.utime", "os.truncate",
        "shutil.rmtree", "os.link", "os.symlink",
    })  # fmt: skip
    socket_events = frozenset(
        {"socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo"}
    )
    start_events = frozenset({
        "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
        "os.forkpty",
    })  # fmt: skip
    # Python raises hundreds of thousands of events while a kernel imports torch
    # (``builtins.id`` alone); one set lookup lets the ones not watched through.
    watched = file_events | socket_events | start_events | {"open", "os.rename"}

    def resolve(path: object) -> str | None:
        try:
            return realpath(fspath(path))
        except (TypeError, ValueError):
            return None

    def within(resolved: str | None, folder: str) -> bool:
        return resolved is not None and (resolved == folder or resolved.startswith(folder + os.sep))

    def autograder_file(resolved: str | None) -> bool:
        """The autograder's zip, or a file otter unpacked from it (its tests, hidden cases too)."""
        if resolved == autograder_zip:
            return True
        if not within(resolved, root):
            return False
        parts = resolved[len(root) + 1 :].split(os.sep)
        return any(
            tuple(parts[i : i + len(run)]) == run
            for run in autograder_parts
            for i in range(len(parts) - len(run) + 1)
        )

    def from_otter() -> bool:
        frame = getframe(2)
        while frame is not None:
            if frame.f_code.co_filename.startswith(otter_dir):
                return True
            frame = frame.f_back
        return False

    def refuse(what: str) -> None:
        busy[0] = True
        try:
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(f"refused: {what}\n")
        finally:
            busy[0] = False
        raise PermissionError(f"the grader's sandbox refused: {what}")

    def hook(event: str, args: tuple) -> None:
        if event not in watched or busy[0]:
            return
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int) or path is None:
                return
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & write_flags
            )
            resolved = resolve(path)  # once per open: realpath is most of the hook's cost
            if writes and not within(resolved, root) and fspath(path) != os.devnull:
                refuse(f"writing {path}")
            if any(within(resolved, folder) for folder in hidden):
                refuse(f"reading {path}")
            if autograder_file(resolved) and not from_otter():
                refuse(f"reading the autograder's {path}")
        elif event in file_events:
            if event == "os.mkdir" and os.path.isdir(args[0]):
                return  # an existing folder: nothing is created
            if args and not within(resolve(args[0]), root):
                refuse(f"{event} {args[0]}")
        elif event == "os.rename":
            if not (within(resolve(args[0]), root) and within(resolve(args[1]), root)):
                refuse(f"renaming {args[0]} to {args[1]}")
        elif event in socket_events:
            if event == "socket.getaddrinfo":
                address = (args[0], args[1])
            else:
                address = args[1] if len(args) > 1 else None
            host = address[0] if isinstance(address, tuple) and address else address
            if host in ("127.0.0.1", "localhost", "::1") and from_otter():
                return
            refuse(f"{event} to {address!r}")
        else:
            command = " ".join(map(str, args[1] if event == "subprocess.Popen" else args[:1]))
            if not is_kernel and event == "subprocess.Popen" and "ipykernel_launcher" in command:
                return
            if command == "uname -p":  # platform.processor(), which torch asks
                return
            refuse(f"starting {command[:200]}")

    sys.addaudithook(hook)
    if is_kernel:
        _limit_cpu(float(os.environ.get("SOFTMAX_COURSE_SANDBOX_CPU_SECONDS", "0")))


def _limit_cpu(seconds: float) -> None:
    """Stop the kernel after ``seconds`` of processor time (an endless loop), load or not.

    Where the resource module is missing (Windows), the grader's wall-clock limit remains.
    """
    try:
        import resource
    except ImportError:
        return
    if seconds > 0:
        limit = int(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (limit, limit))


if _ROOT:
    _install(_ROOT)

"""The operating system's sandbox around one submission: bubblewrap, a user of its own, limits.

A handed-in notebook runs under ``bwrap`` (bubblewrap, the sandbox Flatpak is
built on) in new PID, network, IPC and UTS namespaces. It sees the Python
runtime, the virtual environment and the installed course package, all
read-only, and nothing else of the machine's files but ``/usr``, ``/etc``
and the system libraries: not the repository, the hidden cases, the solutions,
another submission or the grader's outputs, by any path (they are not mounted
in its world). Its own folder ``/home/submission`` and ``/tmp`` are small in-memory file
systems that vanish with it; the grader's inputs are a read-only folder
``/grader``. As root the grader also switches the submission to a user id of its
own with no capabilities (``setpriv``), so that the process limit counts only
its processes. Limits (``setrlimit``, inherited by every process it starts):
processor time, address space per process, number of processes, file size
and open files; the grader adds the wall time and the size of what it reads
back. When the sandbox's first process ends, the kernel ends every other
process of its PID namespace.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import softmax_course

#: Where the submission's world keeps what the grader hands it, and its own folder.
GRADER_DIR = "/grader"
WORK_DIR = "/home/submission"
#: First of the user ids the submissions run as (when the grader runs as root).
FIRST_UID = 61000


@dataclass(frozen=True)
class Limits:
    """What one submission may use. The README's "Teaching a class" states each one."""

    cpu_seconds: int = 60
    #: The grading's wall time, as a multiple of the processor limit: a sleeping notebook
    #: uses no processor time and is stopped by this one.
    wall_factor: float = 3.0
    address_space_bytes: int = 4 * 2**30
    processes: int = 128
    file_bytes: int = 64 * 2**20
    open_files: int = 512
    work_bytes: int = 256 * 2**20
    tmp_bytes: int = 64 * 2**20
    answer_bytes: int = 16 * 2**20

    @property
    def wall_seconds(self) -> float:
        return self.cpu_seconds * self.wall_factor


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot make a sandbox here; the message says what is missing."""


def check_available() -> None:
    """Raise :class:`SandboxUnavailable`, naming what is missing, unless a sandbox starts here."""
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(
            f"grading untrusted notebooks needs Linux namespaces (bubblewrap); this is "
            f"{sys.platform}. Grade inside a Linux container or virtual machine (for example "
            f"`docker run -it --privileged debian:bookworm`, then `apt-get install bubblewrap` "
            f"and `make grade` there)."
        )
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed: `sudo apt-get install bubblewrap` on "
            "Debian/Ubuntu, `sudo dnf install bubblewrap` on Fedora."
        )
    probe = subprocess.run(
        [*_bwrap_base(), "--ro-bind", "/", "/", "true"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        raise SandboxUnavailable(
            "bubblewrap is installed but cannot create namespaces here "
            f"({probe.stderr.strip() or probe.returncode}). Unprivileged user namespaces may "
            "be switched off (Ubuntu 24.04: `sudo sysctl kernel.apparmor_restrict_unprivileged_"
            "userns=0`), or this is a container that forbids them: run `make grade` as root or "
            "in a Linux virtual machine."
        )


def _bwrap_base() -> list[str]:
    namespaces = [
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
    ]
    if os.geteuid() != 0:
        namespaces.append("--unshare-user")
    return ["bwrap", "--die-with-parent", "--new-session", *namespaces]


def _read_only_roots() -> list[Path]:
    """The Python runtime, the environment and the course package: what a kernel needs."""
    roots = [Path(sys.base_prefix).resolve(), Path(os.path.abspath(sys.prefix))]
    package = Path(softmax_course.__file__).resolve().parent
    if not any(package.is_relative_to(root) for root in roots):
        roots.append(package)  # an editable install: the package's source folder only
    for system in ("/usr", "/etc", "/lib", "/lib64", "/bin", "/sbin"):
        if Path(system).exists():
            roots.append(Path(system))
    return roots


def command(private: Path, argv: Sequence[str], limits: Limits, uid: int) -> list[str]:
    """The bwrap command that runs ``argv`` with ``private`` (read-only) as ``/grader``."""
    args = _bwrap_base()
    # /tmp first: a later mount hides an earlier one, and the environment may live under /tmp.
    args += ["--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp"]
    roots = _read_only_roots()
    made: set[Path] = set()
    for root in roots:
        for parent in reversed(root.parents[:-1]):
            if parent not in made and not any(parent.is_relative_to(r) for r in roots):
                made.add(parent)  # a folder on the way, readable by the submission's user
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", str(root), str(root)]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "0755", "--dir", "/home"]
    args += ["--size", str(limits.work_bytes), "--perms", "1777", "--tmpfs", WORK_DIR]
    args += ["--ro-bind", str(private), GRADER_DIR, "--chdir", WORK_DIR, "--clearenv"]
    environment = {
        "HOME": WORK_DIR,
        "TMPDIR": "/tmp",
        "PATH": f"{os.path.abspath(sys.prefix)}/bin:/usr/bin:/bin",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }
    for name, value in environment.items():
        args += ["--setenv", name, value]
    if os.geteuid() == 0:
        args += [
            "setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]
    return [*args, *argv]


def apply_limits(limits: Limits) -> None:
    """Set the limits on this process before it becomes the sandbox (a ``preexec_fn``)."""
    for limit, value in (
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, limits.address_space_bytes),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))
    if os.geteuid() == 0:
        # A process count is per user: a user id of its own makes it a per-sandbox limit.
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))

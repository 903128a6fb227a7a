"""Run nbval over the lessons under several arithmetic paths of this machine.

One processor computes the same PyTorch program along several paths, each
rounding differently: ``ATEN_CPU_CAPABILITY`` picks PyTorch's vectorised
kernels (default, avx2, avx512) and ``MKL_CBWR`` pins MKL's code path (MKL
does the float64 matrix products). A stored output that holds on every path
of one machine is well conditioned, so it holds on other processors too; a
chaotic number (a run that turns one rounding into an order-1 difference)
fails here on any x86-64 machine, not only on the processor that differs.

    python -m tools.arithmetic_paths [pytest arguments...]

runs ``pytest --nbval`` once per non-native path (``make test`` runs the
native one before it), prints which paths ran and which were skipped and why,
and exits non-zero if any path failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ArithmeticPath:
    """A name, the environment variables that select the path, and the capability it needs."""

    name: str
    environment: dict[str, str] = field(default_factory=dict)
    #: The native capability (``torch.backends.cpu.get_cpu_capability()``) this path needs to
    #: differ from native; None when it differs on every x86-64 processor.
    needs_native: str | None = None


#: Changed together in one run: each changes rounding on every x86-64 processor.
SCALAR_AND_MKL_COMPATIBLE = ArithmeticPath(
    "ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE",
    {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"},
)
#: Only where the processor's own path is AVX-512: half the vector width.
AVX2_ON_AVX512 = ArithmeticPath(
    "ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2",
    {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"},
    needs_native="AVX512",
)
OTHER_PATHS = (SCALAR_AND_MKL_COMPATIBLE, AVX2_ON_AVX512)


def native_capability() -> tuple[str, bool]:
    """The vector capability PyTorch picks on this processor, asked of a clean interpreter,
    and whether this torch uses MKL (x86-64 builds do; Apple silicon's does not)."""
    environment = {k: v for k, v in os.environ.items() if k != "ATEN_CPU_CAPABILITY"}
    code = (
        "import torch; "
        "print(torch.backends.cpu.get_cpu_capability(), torch.backends.mkl.is_available())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    )
    capability, mkl = result.stdout.split()
    return capability, mkl == "True"


def paths_for(
    capability: str, mkl: bool = True
) -> tuple[list[ArithmeticPath], list[tuple[ArithmeticPath, str]]]:
    """The non-native paths to run on a processor of ``capability``, and those skipped (why)."""
    chosen, skipped = [], []
    for path in OTHER_PATHS:
        if path.needs_native not in (None, capability):
            skipped.append((path, f"needs a processor whose native path is {path.needs_native}"))
        elif path.environment["ATEN_CPU_CAPABILITY"].upper() == capability and not mkl:
            skipped.append((path, f"it is the native path here ({capability}, no MKL)"))
        else:
            chosen.append(path)
    return chosen, skipped


def run(path: ArithmeticPath, pytest_arguments: list[str]) -> tuple[int, float]:
    """``pytest --nbval`` under ``path``; its exit code and wall seconds."""
    environment = {**os.environ, **path.environment}
    command = [sys.executable, "-m", "pytest", "--nbval", *pytest_arguments]
    print(f"\n=== nbval under the arithmetic path: {path.name}", flush=True)
    start = time.monotonic()
    returncode = subprocess.run(command, env=environment, check=False).returncode
    return returncode, time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    pytest_arguments = sys.argv[1:] if argv is None else argv
    capability, mkl = native_capability()
    chosen, skipped = paths_for(capability, mkl)
    print(f"native capability: {capability}")
    for path, reason in skipped:
        print(f"skipped {path.name}: {reason}")
    results = [(path, *run(path, pytest_arguments)) for path in chosen]
    print("\narithmetic paths:")
    for path, returncode, seconds in results:
        verdict = "passed" if returncode == 0 else f"FAILED (exit {returncode})"
        print(f"  {path.name:<48} {verdict:<16} {seconds:6.1f} s")
    return 0 if all(returncode == 0 for _, returncode, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())

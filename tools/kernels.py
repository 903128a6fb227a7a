"""Kernels from the interpreter that runs the tools, whatever kernelspecs a user has.

A user-level ``python3`` kernelspec may point to another Python, without the
course's pinned packages; outputs stored from it would not be the ones nbval
later checks.
"""

from __future__ import annotations

import sys

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default


class CurrentEnvKernelSpecManager(KernelSpecManager):
    """Every kernel name resolves to this interpreter."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            # ERROR: skip the warning that a loopback TCP kernel is unencrypted on every start.
            argv=[
                sys.executable,
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
                "--IPKernelApp.log_level=ERROR",
            ],
            display_name="Python 3 (ipykernel)",
            language="python",
            resource_dir="",
        )


class CurrentEnvKernelManager(AsyncKernelManager):
    """nbclient's default kernel manager, with kernels from this interpreter."""

    @default("kernel_spec_manager")
    def _current_env_kernel_spec_manager(self) -> KernelSpecManager:
        return CurrentEnvKernelSpecManager()

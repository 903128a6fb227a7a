"""Network guard for ``make test``: refuse every connection that would leave the machine.

``make test`` puts this folder on ``PYTHONPATH``, so Python imports this file
at start-up in the test process, in the xdist workers and in every kernel they
start. Loopback and Unix sockets still work (kernels talk to pytest over
127.0.0.1); anything else raises ``OSError`` and is appended to the file named
by ``SOFTMAX_COURSE_NETWORK_LOG``, which ``make test`` requires to stay empty.
"""

import os
import socket

LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0", ""}
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _refuse(what: str) -> OSError:
    log = os.environ.get("SOFTMAX_COURSE_NETWORK_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as file:
            file.write(f"pid {os.getpid()}: {what}\n")
    return OSError(f"network access blocked by the softmax-course test guard: {what}")


def _is_remote(sock: socket.socket, address: object) -> bool:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    host = address[0] if isinstance(address, tuple) else str(address)
    return host not in LOOPBACK and not str(host).startswith("127.")


def connect(self: socket.socket, address: object) -> None:
    if _is_remote(self, address):
        raise _refuse(f"connect to {address}")
    return _connect(self, address)


def connect_ex(self: socket.socket, address: object) -> int:
    if _is_remote(self, address):
        raise _refuse(f"connect to {address}")
    return _connect_ex(self, address)


def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
    if host is not None and str(host) not in LOOPBACK and not str(host).startswith("127."):
        raise _refuse(f"name lookup of {host}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo
socket.SOFTMAX_COURSE_GUARD = True

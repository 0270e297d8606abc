"""Kernel-enforced confinement of a SPARQL worker process: no network, no files, no programs.

Why at the kernel: Oxigraph's `SERVICE` opens HTTP connections from Rust code (checked with the
installed pyoxigraph wheel: it POSTs the inner query to the IRI), so a Python-level guard cannot
stop it, and a text filter in front of the engine could be bypassed by any parser difference.
Once a worker has imported its modules and loaded its store, `confine()` installs a seccomp filter
on every thread of the process that makes `socket`, `connect`, `bind`, `open`/`openat`/`openat2`,
`creat`, `execve` and `execveat` fail with `EPERM`. Communication with the parent uses the pipe
inherited before confinement, which stays usable.

Linux on x86-64 or AArch64 only; elsewhere `confine()` returns False and the caller logs that only
the query-text guard (`kg.sparql.guard`) applies.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct
import sys

# <linux/filter.h>, <linux/seccomp.h>, <linux/audit.h>
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_X32_SYSCALL_BIT = 0x40000000

# (audit arch, seccomp syscall number, {name: number} of the denied calls)
_ARCHES: dict[str, tuple[int, int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        317,
        {
            "open": 2,
            "creat": 85,
            "openat": 257,
            "openat2": 437,
            "socket": 41,
            "connect": 42,
            "bind": 49,
            "execve": 59,
            "execveat": 322,
        },
    ),
    "aarch64": (
        0xC00000B7,
        277,
        {
            "openat": 56,
            "openat2": 437,
            "socket": 198,
            "connect": 203,
            "bind": 200,
            "execve": 221,
            "execveat": 281,
        },
    ),
}


def _program(arch: int, denied: list[int]) -> bytes:
    """The BPF program: wrong architecture or x32 call -> EPERM; a denied call -> EPERM; else allow."""
    deny = _RET_ERRNO | errno.EPERM
    n = len(denied)
    insns: list[tuple[int, int, int, int]] = [
        (_BPF_LD_W_ABS, 0, 0, 4),  # A = seccomp_data.arch
        (_BPF_JEQ_K, 0, n + 3, arch),  # other arch -> deny
        (_BPF_LD_W_ABS, 0, 0, 0),  # A = seccomp_data.nr
        (_BPF_JGE_K, n + 1, 0, _X32_SYSCALL_BIT),  # x32 ABI -> deny
    ]
    for i, nr in enumerate(denied):
        insns.append((_BPF_JEQ_K, n - i, 0, nr))  # jump to the deny return
    insns.append((_BPF_RET_K, 0, 0, _RET_ALLOW))
    insns.append((_BPF_RET_K, 0, 0, deny))
    return b"".join(struct.pack("HBBI", *insn) for insn in insns)


def confine() -> bool:
    """Deny network, file opening and program execution to every thread of this process, for good.

    Returns True when the filter is in place, False where seccomp is not available (the caller
    decides whether that is acceptable). Irreversible by design: call it only in a worker.
    """
    if not sys.platform.startswith("linux"):
        return False
    spec = _ARCHES.get(platform.machine())
    if spec is None:
        return False
    arch, seccomp_nr, calls = spec
    code = _program(arch, sorted(calls.values()))
    count = len(code) // 8
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(count, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    result = libc.syscall(seccomp_nr, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(prog))
    return bool(result == 0)

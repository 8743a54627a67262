"""Landlock (Linux >= 5.13) through ctypes: restrict this process, and every process it starts, to a set of paths.

Shared by the scoring worker (sandbox.py) and the analyzer (analyze.py loads this file by path). Landlock only grants:
once restrict() has run, a path is reachable only with the rights a rule gave it (or one of its parents), TCP bind and
connect are refused where the kernel's ABI has them (4+), and signals and abstract unix sockets cannot reach
processes outside the sandbox (ABI 6+). Only the rights the running kernel's ABI knows are handled. Python >= 3.8,
standard library only. Root is restricted too.
"""

import ctypes
import os
import sys
from typing import Iterable, List, Optional, Tuple

# For tests: behave as on a kernel without Landlock (the degraded path), whatever the kernel offers.
SIMULATE_MISSING_ENV = "BATT_TEST_NO_LANDLOCK"

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446  # the same on x86_64 and arm64
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
_ABI1 = (1 << 13) - 1  # EXECUTE .. MAKE_SYM: every right of ABI 1
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights a rule on a non-directory may hold
_NET_TCP = (1 << 0) | (1 << 1)  # BIND_TCP, CONNECT_TCP: ABI 4
_SCOPES = (1 << 0) | (1 << 1)  # ABSTRACT_UNIX_SOCKET, SIGNAL: ABI 6

READ = READ_FILE | READ_DIR
READ_EXEC = READ | EXECUTE
WRITE = -1  # every filesystem right the ABI knows


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


def _libc() -> "ctypes.CDLL":
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def abi() -> Tuple[int, str]:
    """(the kernel's Landlock ABI version, '') or (0, why Landlock cannot be used)."""
    if not sys.platform.startswith("linux"):
        return 0, f"Landlock is Linux only (this is {sys.platform})"
    if os.environ.get(SIMULATE_MISSING_ENV):
        return 0, f"Landlock is not available (simulated: ${SIMULATE_MISSING_ENV} is set)"
    try:
        libc = _libc()
        version = libc.syscall(ctypes.c_long(_SYS_CREATE_RULESET), None, ctypes.c_size_t(0),
                               ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except Exception as exc:  # no libc through ctypes
        return 0, f"cannot call the Landlock system calls: {type(exc).__name__}: {exc}"
    if version < 0:
        err = ctypes.get_errno()
        why = {38: "this kernel has no Landlock (Linux 5.13+ built with CONFIG_SECURITY_LANDLOCK)",
               95: "Landlock is disabled on this kernel (add landlock to the lsm= boot parameter)"}.get(err)
        return 0, why or f"Landlock is not available: {os.strerror(err)}"
    return int(version), ""


def _handled(version: int) -> Tuple[int, int, int, int]:
    """(fs rights, net rights, scopes, size of the ruleset attribute) the ABI knows."""
    fs = _ABI1
    if version >= 2:
        fs |= REFER
    if version >= 3:
        fs |= TRUNCATE
    if version >= 5:
        fs |= IOCTL_DEV
    net = _NET_TCP if version >= 4 else 0
    scoped = _SCOPES if version >= 6 else 0
    size = 24 if version >= 6 else 16 if version >= 4 else 8
    return fs, net, scoped, size


def restrict(rules: Iterable[Tuple[str, int]], no_network: bool = True) -> Tuple[int, str, List[str]]:
    """Restricts this process to `rules` ((path, rights): READ, READ_EXEC, WRITE or bits of this module) and, with
    no_network, refuses TCP bind/connect. Paths that do not exist are left out. Returns (ABI, '', paths that could not
    be granted) once restricted, or (0, why not, []) with nothing changed (no Landlock, or a call failed before restrict_self)."""
    version, why = abi()
    if not version:
        return 0, why, []
    fs_rights, net_rights, scoped, size = _handled(version)
    libc = _libc()
    attr = _RulesetAttr(fs_rights, net_rights if no_network else 0, scoped)
    ruleset = libc.syscall(ctypes.c_long(_SYS_CREATE_RULESET), ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return 0, f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}", []
    skipped: List[str] = []
    try:
        for path, rights in rules:
            problem = _add_rule(libc, int(ruleset), path, fs_rights if rights == WRITE else rights & fs_rights)
            if problem:
                skipped.append(f"{path}: {problem}")
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return 0, f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}", []
        if libc.syscall(ctypes.c_long(_SYS_RESTRICT_SELF), ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            return 0, f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}", []
    finally:
        os.close(ruleset)
    return version, "", skipped


def _add_rule(libc: "ctypes.CDLL", ruleset: int, path: str, rights: int) -> Optional[str]:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return None  # nothing to grant (e.g. no /lib32 here)
    except OSError as exc:
        return exc.strerror or "cannot open"
    try:
        if not os.path.isdir(path):
            rights &= _FILE_RIGHTS
        rule = _PathBeneath(rights, fd)
        if libc.syscall(ctypes.c_long(_SYS_ADD_RULE), ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                        ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            return f"landlock_add_rule failed: {os.strerror(ctypes.get_errno())}"
    finally:
        os.close(fd)
    return None

"""Hash-checked .pyc files (PEP 552) for the analyzer's precompile op.

CPython builds them with the private importlib._bootstrap_external._code_to_hash_pyc; it is used when present, and
hash_pyc_fallback builds the same bytes from public APIs when a Python lacks it. Python >= 3.8, standard library only.
"""
import importlib
import importlib.util
import marshal
import os
import sys
from types import CodeType
from typing import Any, List

# PEP 552 flags word: bit 0 "hash-based", bit 1 "check the source hash on import".
CHECKED_HASH_FLAGS = 0b11


def hash_pyc_fallback(code: CodeType, source_hash: bytes) -> bytes:
    """magic number, flags, the 8-byte importlib.util.source_hash of the source, then the marshalled code."""
    if len(source_hash) != 8:
        raise ValueError(f"source hash must be 8 bytes, not {len(source_hash)}")
    return importlib.util.MAGIC_NUMBER + CHECKED_HASH_FLAGS.to_bytes(4, "little") + source_hash + marshal.dumps(code)


def code_to_hash_pyc(code: CodeType, source_hash: bytes) -> bytes:
    """The checked hash-based .pyc of `code`: CPython's own builder when this Python has it, else the fallback."""
    private = getattr(importlib.import_module("importlib._bootstrap_external"), "_code_to_hash_pyc", None)
    if private is None:
        return hash_pyc_fallback(code, source_hash)
    return bytes(private(code, source_hash, checked=True))


def precompile(prefix: str, files: List[Any]) -> int:
    """Writes a hash-checked .pyc for each {"path", "source"} under `prefix` (the workers' sys.pycache_prefix), so
    workers that (re)start import big solver modules without compiling them; returns how many were written. A .pyc is
    only ever used for a file whose bytes hash to the same value, so it can never be stale."""
    saved = sys.pycache_prefix
    sys.pycache_prefix = prefix
    written = 0
    try:
        for f in files:
            path, source = f.get("path"), f.get("source")
            if not isinstance(path, str) or not isinstance(source, str):
                continue
            data = source.encode("utf-8")
            source_hash = importlib.util.source_hash(data)
            cfile = importlib.util.cache_from_source(path)
            try:
                with open(cfile, "rb") as fh:
                    head = fh.read(16)
                if len(head) == 16 and head[8:16] == source_hash:
                    continue
            except OSError:
                pass
            try:
                code = compile(data, path, "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                continue  # the import reports it
            os.makedirs(os.path.dirname(cfile), exist_ok=True)
            tmp = f"{cfile}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(code_to_hash_pyc(code, source_hash))
            os.replace(tmp, cfile)
            written += 1
    finally:
        sys.pycache_prefix = saved
    return written

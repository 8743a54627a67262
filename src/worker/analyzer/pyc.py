"""Bytes of a hash-checked .pyc (PEP 552) for the analyzer's precompile op.

CPython builds them with the private importlib._bootstrap_external._code_to_hash_pyc; it is used when present, and
hash_pyc_fallback builds the same bytes from public APIs when a Python lacks it. Python >= 3.8, standard library only.
"""
import importlib
import importlib.util
import marshal
from types import CodeType

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

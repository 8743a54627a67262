"""Checks what a candidate returned: a valid ARC grid, or a precise description of why not."""

from itertools import chain
from typing import Any, Dict, List, Optional, Sequence, Tuple

Grid = Tuple[Tuple[int, ...], ...]

MAX_SIDE = 30
_DIGITS = frozenset(range(10))
_INT_ONLY = {int}


def to_grid(rows: Sequence[Sequence[int]]) -> Grid:
    """Wire grid (list of lists) -> arc-dsl Grid (tuple of tuples)."""
    return tuple(tuple(r) for r in rows)


def to_wire(grid: Grid) -> List[List[int]]:
    return [list(r) for r in grid]


def _type_name(v: object) -> str:
    return type(v).__name__


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _describe_scalar(v: Any) -> str:
    name = _type_name(v)
    if v is None:
        return "returned NoneType"
    if isinstance(v, (bool, int, float, complex)):
        return f"returned {name} {v!r}"
    if isinstance(v, (str, bytes)):
        text = repr(v)
        return f"returned {name} {text if len(text) <= 40 else text[:37] + '...'}"
    try:
        size = len(v)
    except Exception:
        return f"returned {_a(name)}"
    return f"returned {_a(name)} of {size} item{'' if size == 1 else 's'}"


def check_grid(value: Any) -> Tuple[Optional[Grid], Optional[str]]:
    """Return (grid, None) for a valid grid (tuple of tuples of ints 0-9), else (None, description).

    Accepts tuples or lists of rows, and anything with .tolist() such as a numpy array.
    bool cells are rejected even though True == 1.
    """
    try:
        return _check(value)
    except Exception as exc:  # a hostile __len__/__iter__/tolist
        return None, f"returned {_a(_type_name(value))} that could not be read as a grid ({_type_name(exc)}: {str(exc)[:200]})"


def _check(value: Any) -> Tuple[Optional[Grid], Optional[str]]:
    if type(value) is not tuple and type(value) is not list:
        if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
            converted = value.tolist()
            if type(converted) is not list:
                return None, _describe_scalar(converted)  # a numpy scalar reads as "returned int 5"
            value = converted
        else:
            return None, _describe_scalar(value)
    h = len(value)
    if h == 0:
        return None, "returned an empty grid"
    first = value[0]
    if type(first) is tuple or type(first) is list:
        if h > MAX_SIDE or len(first) > MAX_SIDE:
            return None, f"returned a {h}x{len(first)} grid (largest allowed is {MAX_SIDE}x{MAX_SIDE})"
    rows = []
    width = -1
    for r, row in enumerate(value):
        if type(row) is not tuple:
            if type(row) is not list and hasattr(row, "tolist") and not isinstance(row, (str, bytes)):
                row = row.tolist()  # a sequence of numpy rows
            if type(row) is not list:
                return None, f"returned {_a(_type_name(value))} whose row {r} is {_a(_type_name(row))}, not a row of cells"
            row = tuple(row)
        if width < 0:
            width = len(row)
        elif len(row) != width:
            return None, f"returned a ragged grid: row {r} has {len(row)} cells, expected {width}"
        rows.append(row)
    if width == 0:
        return None, "returned an empty grid"
    if h > MAX_SIDE or width > MAX_SIDE:
        return None, f"returned a {h}x{width} grid (largest allowed is {MAX_SIDE}x{MAX_SIDE})"
    # Fast path in C: the set of cell types and the set of distinct values.
    if set(map(type, chain.from_iterable(rows))) != _INT_ONLY or not set(chain.from_iterable(rows)) <= _DIGITS:
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if type(cell) is not int:
                    return None, f"returned a grid with {_a(_type_name(cell))} at row {r}, column {c}"
                if not 0 <= cell <= 9:
                    return None, f"returned a grid with value {cell} at row {r}, column {c}"
    return tuple(rows), None


def outcome(value: Any, expected: Optional[Grid]) -> Dict[str, Any]:
    """WireOutcome dict for a returned value against the expected grid (None = unknown)."""
    grid, invalid = check_grid(value)
    if grid is None:
        return {"match": None if expected is None else False, "invalid": invalid}
    if expected is None:
        return {"match": None, "output": to_wire(grid)}
    if grid == expected:
        return {"match": True}
    return {"match": False, "output": to_wire(grid)}

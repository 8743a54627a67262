"""A small grid DSL for the batt sample workspace, in the spirit of arc-dsl.

Grids are tuples of rows of colours 0-9; an Object is a frozenset of (colour, (row, col)) cells and Indices a
frozenset of (row, col). Every primitive is pure and deterministic: whenever elements of a frozenset are picked or
listed they are sorted first, so no result depends on hash order. Grids given as lists are accepted; grids returned
are always tuples. Python >= 3.8, standard library only.
"""
from typing import Any, Callable, FrozenSet, Tuple, Union

# ---------------------------------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------------------------------
Boolean = bool
Integer = int
IntegerTuple = Tuple[int, int]
Numerical = Union[int, IntegerTuple]
Grid = Tuple[Tuple[int, ...], ...]
Cell = Tuple[int, IntegerTuple]
Object = FrozenSet[Cell]
Objects = FrozenSet[Object]
Indices = FrozenSet[IntegerTuple]
Patch = Union[Object, Indices]
Element = Union[Grid, Object]
Piece = Union[Grid, Patch]
Container = Union[Tuple[Any, ...], FrozenSet[Any]]
ContainerContainer = Union[Tuple[Container, ...], FrozenSet[Container]]


# ---------------------------------------------------------------------------------------------------------------------
# Helpers (not primitives: `from dsl import *` skips names starting with "_")
# ---------------------------------------------------------------------------------------------------------------------
def _key(value: Any) -> Any:
    """A total order over DSL values (ints, tuples, frozensets), so frozensets can be sorted deterministically."""
    if isinstance(value, (frozenset, set)):
        return (2, tuple(sorted(_key(v) for v in value)))
    if isinstance(value, (tuple, list)):
        return (1, tuple(_key(v) for v in value))
    return (0, value)


def _ordered(container: Any) -> Tuple[Any, ...]:
    """The elements of a container as a tuple: sequences keep their order, sets are sorted."""
    if isinstance(container, (frozenset, set)):
        return tuple(sorted(container, key=_key))
    return tuple(container)


def _is_grid(element: Any) -> bool:
    return isinstance(element, (tuple, list))


def _colours(element: Element) -> Tuple[int, ...]:
    """Every cell's colour, for a grid or an object."""
    if _is_grid(element):
        return tuple(v for row in element for v in row)
    return tuple(c for c, _ in _ordered(element))


def _bounds(patch: Patch) -> Tuple[int, int, int, int]:
    """(top, left, bottom, right) of a non-empty patch, inclusive."""
    cells = toindices(patch)
    if not cells:
        raise ValueError("the patch is empty, so it has no bounding box")
    rows = [i for i, _ in cells]
    cols = [j for _, j in cells]
    return min(rows), min(cols), max(rows), max(cols)


def _grid(rows: Any) -> Grid:
    return tuple(tuple(row) for row in rows)


# ---------------------------------------------------------------------------------------------------------------------
# Functions and containers
# ---------------------------------------------------------------------------------------------------------------------
def compose(outer: Callable, inner: Callable) -> Callable:
    """The function x -> outer(inner(x))."""
    return lambda x: outer(inner(x))


def rbind(function: Callable, fixed: Any) -> Callable:
    """Fix the right (second) argument of a two-argument function."""
    return lambda x: function(x, fixed)


def lbind(function: Callable, fixed: Any) -> Callable:
    """Fix the left (first) argument of a two-argument function."""
    return lambda y: function(fixed, y)


def first(container: Container) -> Any:
    """The first element (the smallest one, for a set); IndexError when the container is empty."""
    return _ordered(container)[0]


def last(container: Container) -> Any:
    """The last element (the largest one, for a set); IndexError when the container is empty."""
    return _ordered(container)[-1]


def size(container: Container) -> Integer:
    """The number of elements."""
    return len(container)


def remove(value: Any, container: Container) -> Container:
    """The container without every element equal to value."""
    kept = (e for e in container if e != value)
    return frozenset(kept) if isinstance(container, (frozenset, set)) else tuple(kept)


def merge(containers: ContainerContainer) -> Container:
    """Flatten one level: a tuple of tuples is concatenated in order, a set of sets becomes their union."""
    items = (e for c in _ordered(containers) for e in _ordered(c))
    return tuple(items) if isinstance(containers, (tuple, list)) else frozenset(items)


def apply(function: Callable, container: Container) -> Container:
    """function applied to each element; a tuple stays a tuple (in order), a set stays a set."""
    mapped = (function(e) for e in _ordered(container))
    return tuple(mapped) if isinstance(container, (tuple, list)) else frozenset(mapped)


def mapply(function: Callable, container: ContainerContainer) -> Container:
    """apply, then merge the results."""
    return merge(apply(function, container))


def argmax(container: Container, compfunc: Callable) -> Any:
    """The element with the largest compfunc value (ties: the first in order); ValueError when empty."""
    return max(_ordered(container), key=compfunc)


def argmin(container: Container, compfunc: Callable) -> Any:
    """The element with the smallest compfunc value (ties: the first in order); ValueError when empty."""
    return min(_ordered(container), key=compfunc)


def colorfilter(objs: Objects, value: Integer) -> Objects:
    """The objects whose first cell has colour value."""
    return frozenset(obj for obj in objs if obj and first(obj)[0] == value)


def sizefilter(container: Container, n: Integer) -> FrozenSet[Any]:
    """The elements with exactly n items."""
    return frozenset(e for e in container if len(e) == n)


# ---------------------------------------------------------------------------------------------------------------------
# Colours and measurements
# ---------------------------------------------------------------------------------------------------------------------
def palette(element: Element) -> FrozenSet[int]:
    """The set of colours of a grid or object."""
    return frozenset(_colours(element))


def mostcolor(element: Element) -> Integer:
    """The most frequent colour (ties: the smallest colour); ValueError when empty."""
    values = _colours(element)
    return max(sorted(set(values)), key=values.count)


def leastcolor(element: Element) -> Integer:
    """The least frequent colour (ties: the smallest colour); ValueError when empty."""
    values = _colours(element)
    return min(sorted(set(values)), key=values.count)


def shape(piece: Piece) -> IntegerTuple:
    """(height, width) of a grid, or of a patch's bounding box."""
    if _is_grid(piece):
        return len(piece), (len(piece[0]) if piece else 0)
    top, left, bottom, right = _bounds(piece)
    return bottom - top + 1, right - left + 1


def toindices(patch: Patch) -> Indices:
    """The (row, col) positions of a patch (an object's cells lose their colour)."""
    return frozenset(p[1] if isinstance(p[1], tuple) else p for p in patch)


def ofcolor(grid: Grid, value: Integer) -> Indices:
    """The positions of every cell of colour value."""
    return frozenset((i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if v == value)


def recolor(value: Integer, patch: Patch) -> Object:
    """The patch as an object of a single colour."""
    return frozenset((value, ij) for ij in toindices(patch))


# ---------------------------------------------------------------------------------------------------------------------
# Whole-grid transformations
# ---------------------------------------------------------------------------------------------------------------------
def canvas(value: Integer, dimensions: IntegerTuple) -> Grid:
    """A grid of the given (height, width) filled with value."""
    h, w = dimensions
    return tuple(tuple(value for _ in range(w)) for _ in range(h))


def rot90(grid: Grid) -> Grid:
    """Rotate a quarter turn clockwise."""
    return _grid(zip(*grid[::-1]))


def rot180(grid: Grid) -> Grid:
    """Rotate a half turn."""
    return tuple(tuple(row[::-1]) for row in grid[::-1])


def hmirror(grid: Grid) -> Grid:
    """Mirror top to bottom (about the horizontal axis)."""
    return _grid(grid[::-1])


def vmirror(grid: Grid) -> Grid:
    """Mirror left to right (about the vertical axis)."""
    return tuple(tuple(row[::-1]) for row in grid)


def dmirror(grid: Grid) -> Grid:
    """Mirror about the main diagonal (transpose)."""
    return _grid(zip(*grid))


def upscale(grid: Grid, factor: Integer) -> Grid:
    """Each cell becomes a factor x factor block."""
    if factor < 1:
        raise ValueError("upscale factor must be at least 1, got {}".format(factor))
    return tuple(tuple(v for v in row for _ in range(factor)) for row in grid for _ in range(factor))


def downscale(grid: Grid, factor: Integer) -> Grid:
    """Keep the top-left cell of each factor x factor block."""
    if factor < 1:
        raise ValueError("downscale factor must be at least 1, got {}".format(factor))
    return tuple(tuple(row[::factor]) for row in grid[::factor])


def hconcat(a: Grid, b: Grid) -> Grid:
    """a and b side by side; ValueError when their heights differ."""
    if len(a) != len(b):
        raise ValueError("hconcat of grids with {} and {} rows".format(len(a), len(b)))
    return tuple(tuple(ra) + tuple(rb) for ra, rb in zip(a, b))


def vconcat(a: Grid, b: Grid) -> Grid:
    """a above b; ValueError when their widths differ."""
    if shape(a)[1] != shape(b)[1]:
        raise ValueError("vconcat of grids {} and {} columns wide".format(shape(a)[1], shape(b)[1]))
    return _grid(a) + _grid(b)


def tophalf(grid: Grid) -> Grid:
    """The upper half (the middle row of an odd height is dropped)."""
    return _grid(grid[: len(grid) // 2])


def lefthalf(grid: Grid) -> Grid:
    """The left half (the middle column of an odd width is dropped)."""
    return tuple(tuple(row[: len(row) // 2]) for row in grid)


def trim(grid: Grid) -> Grid:
    """The grid without its outermost rows and columns."""
    return tuple(tuple(row[1:-1]) for row in grid[1:-1])


def crop(grid: Grid, start: IntegerTuple, dimensions: IntegerTuple) -> Grid:
    """The (height, width) window whose top-left corner is start."""
    (i, j), (h, w) = start, dimensions
    return tuple(tuple(row[j : j + w]) for row in grid[i : i + h])


def subgrid(patch: Patch, grid: Grid) -> Grid:
    """The window of grid covered by the patch's bounding box; ValueError for an empty patch."""
    top, left, bottom, right = _bounds(patch)
    return crop(grid, (top, left), (bottom - top + 1, right - left + 1))


# ---------------------------------------------------------------------------------------------------------------------
# Colour edits
# ---------------------------------------------------------------------------------------------------------------------
def replace(grid: Grid, replacee: Integer, replacer: Integer) -> Grid:
    """Every cell of colour replacee becomes replacer."""
    return tuple(tuple(replacer if v == replacee else v for v in row) for row in grid)


def switch(grid: Grid, a: Integer, b: Integer) -> Grid:
    """Swap colours a and b."""
    return tuple(tuple(b if v == a else a if v == b else v for v in row) for row in grid)


def fill(grid: Grid, value: Integer, patch: Patch) -> Grid:
    """Paint value on the patch's positions (positions outside the grid are ignored)."""
    rows = [list(row) for row in grid]
    for i, j in toindices(patch):
        if 0 <= i < len(rows) and 0 <= j < len(rows[i]):
            rows[i][j] = value
    return _grid(rows)


def underfill(grid: Grid, value: Integer, patch: Patch) -> Grid:
    """Like fill, but only where the grid shows its background (most frequent) colour."""
    background = mostcolor(grid)
    return fill(grid, value, frozenset(ij for ij in toindices(patch) if ij in ofcolor(grid, background)))


def paint(grid: Grid, obj: Object) -> Grid:
    """Draw an object's cells, each in its own colour (cells outside the grid are ignored)."""
    rows = [list(row) for row in grid]
    for value, (i, j) in obj:
        if 0 <= i < len(rows) and 0 <= j < len(rows[i]):
            rows[i][j] = value
    return _grid(rows)


# ---------------------------------------------------------------------------------------------------------------------
# Objects
# ---------------------------------------------------------------------------------------------------------------------
def objects(grid: Grid, univalued: Boolean, diagonal: Boolean, without_bg: Boolean) -> Objects:
    """Connected groups of cells. univalued: one colour per object; diagonal: 8- instead of 4-connectivity;
    without_bg: cells of the background (most frequent) colour belong to no object."""
    background = mostcolor(grid) if without_bg else None
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if diagonal:
        steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    height, width = shape(grid)
    seen = set()
    found = set()
    for i in range(height):
        for j in range(width):
            colour = grid[i][j]
            if (i, j) in seen or colour == background:
                continue
            seen.add((i, j))
            todo, cells = [(i, j)], set()
            while todo:
                a, b = todo.pop()
                cells.add((grid[a][b], (a, b)))
                for da, db in steps:
                    n = (a + da, b + db)
                    if not (0 <= n[0] < height and 0 <= n[1] < width) or n in seen:
                        continue
                    v = grid[n[0]][n[1]]
                    if v == background or (univalued and v != colour):
                        continue
                    seen.add(n)
                    todo.append(n)
            found.add(frozenset(cells))
    return frozenset(found)

from dsl import *
from constants import *


def settle(grid: Grid) -> Grid:
    """Let every non-zero cell fall one row at a time until nothing moves.

    Deliberate bug: `moving` is never updated, so the loop never ends. batt stops the call at the workspace
    timeout (batt.json: 2 s of CPU time); the worker lives on.
    """
    moving = True
    while moving:
        grid = _fall_one_row(grid)
    return grid


def _fall_one_row(grid: Grid) -> Grid:
    """Move each non-zero cell that sits above a zero cell down by one row."""
    rows = [list(row) for row in grid]
    for i in range(len(rows) - 2, -1, -1):
        for j, value in enumerate(rows[i]):
            if value != ZERO and rows[i + 1][j] == ZERO:
                rows[i + 1][j], rows[i][j] = value, ZERO
    return tuple(tuple(row) for row in rows)


# Endless loop: a candidate for task 2ab8e5f0 (gravity) that never returns; its verdict is a timeout on every pair.
def solve_2ab8e5f0(I):
    O = settle(I)
    return O

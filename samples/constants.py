"""Named constants for solvers, as in arc-dsl: solver lines take names, never literals."""
from typing import Tuple

T: bool = True
F: bool = False

NEG_ONE: int = -1
ZERO: int = 0
ONE: int = 1
TWO: int = 2
THREE: int = 3
FOUR: int = 4
FIVE: int = 5
SIX: int = 6
SEVEN: int = 7
EIGHT: int = 8
NINE: int = 9
TEN: int = 10

# Directions as (row, col) steps.
ORIGIN: Tuple[int, int] = (0, 0)
UNITY: Tuple[int, int] = (1, 1)
UP: Tuple[int, int] = (-1, 0)
DOWN: Tuple[int, int] = (1, 0)
LEFT: Tuple[int, int] = (0, -1)
RIGHT: Tuple[int, int] = (0, 1)

# Sizes as (height, width).
TWO_BY_TWO: Tuple[int, int] = (2, 2)
THREE_BY_THREE: Tuple[int, int] = (3, 3)

# ARC colour names.
BLACK: int = 0
BLUE: int = 1
RED: int = 2
GREEN: int = 3
YELLOW: int = 4
GREY: int = 5
MAGENTA: int = 6
ORANGE: int = 7
AZURE: int = 8
MAROON: int = 9

from dsl import *
from constants import *

# Wrong on purpose: one solver per class of the mismatch explainer, each for a sample task, so its diagnostic (and
# `npx batt run --workspace samples`) names the class. Each comment says what the explainer reports.


# Rotation: turns a quarter instead of a half turn. "the expected is the actual rotated 90° clockwise".
def solve_a3f1c07e_quarter(I):
    O = rot90(I)
    return O


# Flip: shrinks the blocks right, then mirrors left to right. "the expected is the actual flipped horizontally".
def solve_41c7d8ab_mirrored(I):
    x1 = downscale(I, THREE)
    O = vmirror(x1)
    return O


# Transposition: shrinks the blocks right, then swaps rows and columns. "the expected is the actual transposed".
def solve_41c7d8ab_transposed(I):
    x1 = downscale(I, THREE)
    O = dmirror(x1)
    return O


# Colour permutation: keeps the background 0 in the palette, so it swaps 0 with the larger colour and leaves the
# smaller one. "colours permuted (expected→actual): ..." lists the three-colour cycle.
def solve_7b4c2e91_background(I):
    x1 = palette(I)
    x2 = first(x1)
    x3 = last(x1)
    O = switch(I, x2, x3)
    return O


# Recolouring: replace instead of switch, so both colours end up as the larger one. "colours replaced
# (expected→actual): ...".
def solve_7b4c2e91_replace(I):
    x1 = palette(I)
    x2 = remove(ZERO, x1)
    x3 = first(x2)
    x4 = last(x2)
    O = replace(I, x3, x4)
    return O


# Translation: the right answer, one column off to the right (mirrored, moved left by a crop, mirrored back).
# "the expected is the actual moved by (dy, dx) = (0, -1)", filled with 0.
def solve_d1e84c5a_shifted(I):
    x1 = objects(I, T, F, T)
    x2 = sizefilter(x1, ONE)
    x3 = merge(x2)
    x4 = fill(I, ZERO, x3)
    x5 = vmirror(x4)
    x6 = shape(x5)
    x7 = canvas(ZERO, x6)
    x8 = hconcat(x5, x7)
    x9 = crop(x8, RIGHT, x6)
    O = vmirror(x9)
    return O


# Differing cells: paints only the largest object magenta, the others keep their colours. "N of M cells differ"
# with the first few cells (row, column, expected→actual colour), and the share of cells right.
def solve_63d5af2e_largest(I):
    x1 = objects(I, F, T, T)
    x2 = argmax(x1, size)
    O = fill(I, SIX, x2)
    return O


# Crop: crops to all the objects instead of the largest one. "the expected is the actual's rows ..., columns ...".
def solve_e6a05f38_all(I):
    x1 = objects(I, T, F, T)
    x2 = merge(x1)
    O = subgrid(x2, I)
    return O


# Padding: upscales right, then trims off the border. "the actual is the expected's rows 1–4, columns 1–4".
def solve_0d9e3b72_trimmed(I):
    x1 = upscale(I, TWO)
    O = trim(x1)
    return O


# Wrong shape: puts the upside-down copy beside the grid instead of below it. "expected 6x3, got 3x6: actual is
# the transposed shape".
def solve_c81f4a6b_beside(I):
    x1 = hmirror(I)
    O = hconcat(I, x1)
    return O

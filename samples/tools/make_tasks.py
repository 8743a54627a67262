"""Writes the sample tasks to samples/tasks/<id>.json.

Deterministic: one seeded generator, tasks made in a fixed order. Outputs are computed here by plain-Python rules,
independently of dsl.py, so the solvers passing is real evidence. Run from anywhere:
    python3 samples/tools/make_tasks.py          # (re)write the files
    python3 samples/tools/make_tasks.py --check  # exit 1 if a file differs from what would be written
"""
import json
import os
import random
import sys
from typing import Callable, Dict, List, Optional, Tuple

Rows = List[List[int]]
Spec = Tuple[int, int]  # (height, width)

TASKS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tasks")
SEED = 20251128


# ---------------------------------------------------------------------------------------------------------------------
# Rules: the reference implementations the solvers are checked against
# ---------------------------------------------------------------------------------------------------------------------
def rot180(g: Rows) -> Rows:
    return [row[::-1] for row in g[::-1]]


def mirror_below(g: Rows) -> Rows:
    return [list(r) for r in g] + [list(r) for r in g[::-1]]


def upscale2(g: Rows) -> Rows:
    return [[v for v in row for _ in range(2)] for row in g for _ in range(2)]


def swap_two_colours(g: Rows) -> Rows:
    a, b = sorted({v for row in g for v in row} - {0})
    return [[b if v == a else a if v == b else v for v in row] for row in g]


def components(g: Rows) -> List[List[Tuple[int, int]]]:
    """4-connected single-colour groups of non-zero cells."""
    seen, groups = set(), []
    for i, row in enumerate(g):
        for j, v in enumerate(row):
            if v == 0 or (i, j) in seen:
                continue
            seen.add((i, j))
            todo, group = [(i, j)], []
            while todo:
                a, b = todo.pop()
                group.append((a, b))
                for n in ((a - 1, b), (a + 1, b), (a, b - 1), (a, b + 1)):
                    if 0 <= n[0] < len(g) and 0 <= n[1] < len(row) and n not in seen and g[n[0]][n[1]] == v:
                        seen.add(n)
                        todo.append(n)
            groups.append(group)
    return groups


def crop_to(g: Rows, group: List[Tuple[int, int]]) -> Rows:
    rows, cols = [i for i, _ in group], [j for _, j in group]
    return [row[min(cols) : max(cols) + 1] for row in g[min(rows) : max(rows) + 1]]


def crop_largest(g: Rows) -> Rows:
    return crop_to(g, max(components(g), key=len))


def crop_smallest(g: Rows) -> Rows:
    return crop_to(g, min(components(g), key=len))


def downscale3(g: Rows) -> Rows:
    return [row[::3] for row in g[::3]]


def gravity(g: Rows) -> Rows:
    out = [[0] * len(g[0]) for _ in g]
    for j in range(len(g[0])):
        column = [g[i][j] for i in range(len(g)) if g[i][j] != 0]
        for k, v in enumerate(column):
            out[len(g) - len(column) + k][j] = v
    return out


def mirror_lr(g: Rows) -> Rows:
    return [row[::-1] for row in g]


def paint_magenta(g: Rows) -> Rows:
    return [[6 if v else 0 for v in row] for row in g]


def drop_single_cells(g: Rows) -> Rows:
    out = [list(row) for row in g]
    for group in components(g):
        if len(group) == 1:
            out[group[0][0]][group[0][1]] = 0
    return out


# ---------------------------------------------------------------------------------------------------------------------
# Input makers
# ---------------------------------------------------------------------------------------------------------------------
def noise(rng: random.Random, spec: Spec, colours: List[int], density: float) -> Rows:
    """Background 0 with random cells of the given colours."""
    return [[rng.choice(colours) if rng.random() < density else 0 for _ in range(spec[1])] for _ in range(spec[0])]


def blobs(rng: random.Random, spec: Spec, sizes: List[int]) -> Rows:
    """4-connected single-colour blobs of the given sizes, no two touching (not even diagonally)."""
    h, w = spec
    while True:
        g, taken, ok = [[0] * w for _ in range(h)], set(), True
        for n in sizes:
            cells = blob_cells(rng, h, w, n, taken)
            if cells is None:
                ok = False
                break
            colour = rng.randint(1, 9)
            for i, j in cells:
                g[i][j] = colour
                taken.update((i + di, j + dj) for di in (-1, 0, 1) for dj in (-1, 0, 1))
        if ok:
            return g


def blob_cells(rng: random.Random, h: int, w: int, n: int, taken: set) -> Optional[List[Tuple[int, int]]]:
    for _ in range(200):
        start = (rng.randrange(h), rng.randrange(w))
        if start in taken:
            continue
        cells = [start]
        while len(cells) < n:
            a, b = rng.choice(cells)
            da, db = rng.choice(((-1, 0), (1, 0), (0, -1), (0, 1)))
            c = (a + da, b + db)
            if 0 <= c[0] < h and 0 <= c[1] < w and c not in taken and c not in cells:
                cells.append(c)
            if rng.random() < 0.02:
                break  # stuck against edges or neighbours: try another start
        if len(cells) == n:
            return cells
    return None


def distinct_ok(g: Rows, rule: Callable[[Rows], Rows]) -> bool:
    """Reject inputs the rule leaves unchanged (they would not show the rule)."""
    return rule(g) != g


# ---------------------------------------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------------------------------------
def make(rng: random.Random, rule: Callable[[Rows], Rows], inputs: List[Rows], n_train: int) -> dict:
    pairs = [{"input": g, "output": rule(g)} for g in inputs]
    return {"train": pairs[:n_train], "test": pairs[n_train:]}


def until(rng: random.Random, draw: Callable[[], Rows], ok: Callable[[Rows], bool]) -> Rows:
    while True:
        g = draw()
        if ok(g):
            return g


def build() -> Dict[str, dict]:
    rng = random.Random(SEED)
    all_colours = list(range(1, 10))
    tasks = {}

    def changed(spec: Spec, rule: Callable[[Rows], Rows], colours: List[int], density: float) -> Rows:
        return until(rng, lambda: noise(rng, spec, colours, density), lambda g: distinct_ok(g, rule))

    # Two tasks with the same rule (rotate a half turn) and different data: one solver serves both.
    tasks["a3f1c07e"] = make(rng, rot180, [changed(s, rot180, [1, 2, 3], 0.5) for s in [(3, 3), (4, 4), (3, 5), (4, 3), (5, 5)]], 3)
    tasks["5e2b9d14"] = make(rng, rot180, [changed(s, rot180, [4, 7, 8], 0.6) for s in [(3, 4), (5, 5), (4, 6)]], 2)
    tasks["c81f4a6b"] = make(rng, mirror_below, [changed(s, lambda g: g[::-1], [2, 5], 0.5) for s in [(3, 3), (3, 4), (4, 3), (4, 4)]], 3)
    tasks["0d9e3b72"] = make(rng, upscale2, [noise(rng, s, all_colours, 0.7) for s in [(3, 3), (3, 3), (3, 4), (4, 4)]], 3)

    def two_colours(spec: Spec) -> Rows:
        a, b = rng.sample(all_colours, 2)
        return until(rng, lambda: noise(rng, spec, [a, b], 0.5), lambda g: len({v for r in g for v in r}) == 3)

    tasks["7b4c2e91"] = make(rng, swap_two_colours, [two_colours(s) for s in [(4, 4), (5, 5), (3, 6), (6, 4), (5, 3)]], 3)
    tasks["e6a05f38"] = make(rng, crop_largest, [blobs(rng, (9, 9), [7, 4, 2]), blobs(rng, (10, 8), [3, 9, 5]),
                                                 blobs(rng, (8, 10), [5, 1, 3, 2]), blobs(rng, (10, 10), [4, 8, 6])], 3)
    tasks["41c7d8ab"] = make(rng, downscale3, [[[v for v in row for _ in range(3)] for row in small for _ in range(3)]
                                               for small in [noise(rng, s, all_colours, 0.8) for s in [(3, 3), (2, 3), (3, 3), (3, 2)]]], 3)
    # Smallest objects of sizes 1, 2, 1 (train) and 3 (test): a solver that assumes size 1 fails on train[1] and test.
    tasks["9fd2a6c3"] = make(rng, crop_smallest, [blobs(rng, (8, 8), [5, 1, 3]), blobs(rng, (9, 9), [6, 2, 4]),
                                                  blobs(rng, (8, 9), [1, 4, 7]), blobs(rng, (10, 10), [8, 3, 5])], 3)
    tasks["2ab8e5f0"] = make(rng, gravity, [changed(s, gravity, all_colours, 0.25) for s in [(5, 5), (6, 5), (5, 7), (7, 6)]], 3)

    # train[0] is symmetric under a half turn, so mirroring top-bottom happens to give the right answer there.
    def half_turn_symmetric(spec: Spec) -> Rows:
        def draw() -> Rows:
            g = noise(rng, spec, [3, 9], 0.5)
            for i in range(spec[0]):
                for j in range(spec[1]):
                    twin = (spec[0] - 1 - i, spec[1] - 1 - j)
                    if (i, j) > twin:  # copy the already-drawn twin cell
                        g[i][j] = g[twin[0]][twin[1]]
            return g
        return until(rng, draw, lambda g: mirror_lr(g) != g and rot180(g) == g)

    def lr_not_tb(spec: Spec) -> Rows:
        return until(rng, lambda: noise(rng, spec, [3, 9], 0.5), lambda g: mirror_lr(g) != g[::-1])

    tasks["b70e19d4"] = make(rng, mirror_lr, [half_turn_symmetric((4, 4)), lr_not_tb((3, 5)), lr_not_tb((5, 4)), lr_not_tb((4, 6))], 3)

    def fewer_cells_than_background(spec: Spec) -> Rows:
        return until(rng, lambda: noise(rng, spec, [1, 2, 4, 7], 0.35),
                     lambda g: 0 < sum(v != 0 for r in g for v in r) < sum(v == 0 for r in g for v in r))

    tasks["63d5af2e"] = make(rng, paint_magenta, [fewer_cells_than_background(s) for s in [(4, 4), (5, 6), (6, 5), (6, 6)]], 3)
    tasks["d1e84c5a"] = make(rng, drop_single_cells, [blobs(rng, (8, 8), [4, 1, 2, 1]), blobs(rng, (9, 9), [6, 1, 3, 1, 1]),
                                                      blobs(rng, (8, 10), [2, 5, 1, 1]), blobs(rng, (10, 9), [7, 1, 2, 4, 1])], 3)
    return tasks


def render(task: dict) -> str:
    return json.dumps(task) + "\n"


def main(argv: List[str]) -> int:
    tasks = build()
    if "--check" in argv:
        stale = [i for i, t in tasks.items() if not os.path.isfile(os.path.join(TASKS_DIR, i + ".json"))
                 or open(os.path.join(TASKS_DIR, i + ".json")).read() != render(t)]
        for i in stale:
            print("stale or missing: tasks/{}.json".format(i))
        return 1 if stale else 0
    os.makedirs(TASKS_DIR, exist_ok=True)
    for task_id, task in tasks.items():
        with open(os.path.join(TASKS_DIR, task_id + ".json"), "w") as f:
            f.write(render(task))
    print("wrote {} tasks to {}".format(len(tasks), TASKS_DIR))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Checks that the sample workspace behaves as samples/README.md says. Standard library only, Python >= 3.8.

    python3 samples/tools/check_samples.py

Every solver except the endless loop runs in-process on its task's pairs; the endless loop runs in a child process
that must still be running after a deadline.
"""
import ast
import glob
import json
import os
import re
import subprocess
import sys
import traceback
import unittest

SAMPLES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SAMPLES)

import batt_sample  # noqa: E402
import explained  # noqa: E402
import solvers  # noqa: E402

ARC = "/work/shared/arc-agi-1"
TASKS = {os.path.basename(p)[:-5]: p for p in sorted(glob.glob(os.path.join(SAMPLES, "tasks", "*.json")))}

# Per candidate: its task and its verdict on each pair, train pairs then test pairs (as in README.md).
# "shape" = a valid grid of the wrong shape; "fail" = right shape, wrong cells.
EXPECTED = {
    "solve_a3f1c07e": ("a3f1c07e", ["pass"] * 3 + ["pass"] * 2),
    "solve_c81f4a6b": ("c81f4a6b", ["pass"] * 3 + ["pass"]),
    "solve_c81f4a6b_copy": ("c81f4a6b", ["pass"] * 3 + ["pass"]),
    "solve_0d9e3b72": ("0d9e3b72", ["pass"] * 3 + ["pass"]),
    "solve_0d9e3b72_triple": ("0d9e3b72", ["shape"] * 3 + ["shape"]),
    "solve_7b4c2e91": ("7b4c2e91", ["pass"] * 3 + ["pass"] * 2),
    "solve_e6a05f38": ("e6a05f38", ["pass"] * 3 + ["pass"]),
    "solve_41c7d8ab": ("41c7d8ab", ["pass"] * 3 + ["pass"]),
    "solve_9fd2a6c3": ("9fd2a6c3", ["pass", "error:IndexError", "pass"] + ["error:IndexError"]),
    "solve_b70e19d4": ("b70e19d4", ["pass", "fail", "fail"] + ["fail"]),
    "solve_63d5af2e_sic": ("63d5af2e", ["pass"] * 3 + ["pass"]),
    "solve_d1e84c5a": ("d1e84c5a", ["pass"] * 3 + ["pass"]),
    # explained.py: wrong on purpose, one per class of the mismatch explainer (the class in the comments there)
    "solve_a3f1c07e_quarter": ("a3f1c07e", ["fail", "fail", "shape"] + ["shape", "fail"]),
    "solve_41c7d8ab_mirrored": ("41c7d8ab", ["fail"] * 3 + ["fail"]),
    "solve_41c7d8ab_transposed": ("41c7d8ab", ["fail", "shape", "fail"] + ["shape"]),
    "solve_7b4c2e91_background": ("7b4c2e91", ["fail"] * 3 + ["fail"] * 2),
    "solve_7b4c2e91_replace": ("7b4c2e91", ["fail"] * 3 + ["fail"] * 2),
    "solve_d1e84c5a_shifted": ("d1e84c5a", ["fail"] * 3 + ["fail"]),
    "solve_63d5af2e_largest": ("63d5af2e", ["fail"] * 3 + ["fail"]),
    "solve_e6a05f38_all": ("e6a05f38", ["shape"] * 3 + ["shape"]),
    "solve_0d9e3b72_trimmed": ("0d9e3b72", ["shape"] * 3 + ["shape"]),
    "solve_c81f4a6b_beside": ("c81f4a6b", ["shape"] * 3 + ["shape"]),
}
SOLVER_FILES = ("solvers.py", "explained.py")
ENDLESS = ("slow_solvers", "solve_2ab8e5f0", "2ab8e5f0")
# The one candidate that solves a task other than its own.
TRANSFER = ("solve_a3f1c07e", "5e2b9d14")
DUPLICATE = ("solve_c81f4a6b_copy", "solve_c81f4a6b")

# batt_sample.batt: (t, mutated, source task) -> the tasks on which it matches every pair; it matches no other pair.
BATT = {
    (1, False, "a3f1c07e"): {"a3f1c07e", "5e2b9d14"},
    (7, False, "e6a05f38"): {"e6a05f38"},
    (10, True, "d1e84c5a"): set(),
    (12, False, "7b4c2e91"): {"7b4c2e91"},
}


def as_grid(rows):
    return tuple(tuple(r) for r in rows)


def load(task_id):
    with open(TASKS[task_id]) as f:
        task = json.load(f)
    demos = tuple((as_grid(p["input"]), as_grid(p["output"])) for p in task["train"])
    pairs = list(demos) + [(as_grid(p["input"]), as_grid(p["output"])) for p in task["test"]]
    return demos, pairs


def verdict(name, fn, demos, grid, expected):
    """The verdict of one call, and the exception if it raised."""
    try:
        out = fn(demos, grid, None) if name.endswith("_sic") else fn(grid)
    except Exception as e:  # noqa: BLE001 - any exception is a verdict here
        return "error:" + type(e).__name__, e
    if out == expected:
        return "pass", None
    if len(out) != len(expected) or len(out[0]) != len(expected[0]):
        return "shape", None
    return "fail", None


def candidates():
    return {n: f for m in (solvers, explained) for n, f in vars(m).items() if n.startswith("solve_") and callable(f)}


def canonical(fn_node):
    """The body without docstring, variables renamed v1, v2... in order of first assignment (O included)."""
    body = fn_node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    names = {}
    for stmt in body:
        for target in getattr(stmt, "targets", []):
            names.setdefault(target.id, "v{}".format(len(names) + 1))

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node):
            return ast.copy_location(ast.Name(id=names.get(node.id, node.id), ctx=node.ctx), node)

    return [ast.dump(Rename().visit(stmt)) for stmt in body]


def solver_defs(path):
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("solve_")}


class TaskFiles(unittest.TestCase):
    def test_twelve_tasks_in_arc_format(self):
        self.assertEqual(len(TASKS), 12)
        for task_id, path in TASKS.items():
            with self.subTest(task=task_id):
                self.assertRegex(task_id, r"^[0-9a-f]{8}$")
                with open(path) as f:
                    task = json.load(f)
                self.assertEqual(sorted(task), ["test", "train"])
                self.assertTrue(2 <= len(task["train"]) <= 4 and 1 <= len(task["test"]) <= 2)
                for pair in task["train"] + task["test"]:
                    self.assertEqual(sorted(pair), ["input", "output"])
                    for grid in pair.values():
                        self.assertTrue(1 <= len(grid) <= 30 and 1 <= len(grid[0]) <= 30)
                        self.assertEqual({len(r) for r in grid}, {len(grid[0])}, "ragged grid")
                        self.assertTrue(all(type(v) is int and 0 <= v <= 9 for r in grid for v in r))

    @unittest.skipUnless(os.path.isdir(ARC), "ARC-AGI-1 corpus not present")
    def test_ids_are_not_arc_ids(self):
        taken = [i for i in TASKS for split in ("training", "evaluation")
                 if os.path.exists(os.path.join(ARC, split, i + ".json"))]
        self.assertEqual(taken, [])

    def test_files_match_the_generator(self):
        script = os.path.join(SAMPLES, "tools", "make_tasks.py")
        run = subprocess.run([sys.executable, script, "--check"], stdout=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(run.returncode, 0, run.stdout)


class Sources(unittest.TestCase):
    def test_python_38_syntax(self):
        for path in glob.glob(os.path.join(SAMPLES, "*.py")) + glob.glob(os.path.join(SAMPLES, "tools", "*.py")):
            with open(path) as f:
                ast.parse(f.read(), path, feature_version=(3, 8))

    def test_solvers_are_straight_line_dsl_programs(self):
        line = re.compile(r"^    \w+ = \w+\((\w+(, \w+)*)?\)$")
        for path in [os.path.join(SAMPLES, f) for f in SOLVER_FILES + ("slow_solvers.py",)]:
            with open(path) as f:
                text = f.read().splitlines()
            for name, node in solver_defs(path).items():
                with self.subTest(solver=name):
                    self.assertRegex(name, r"^solve_[0-9a-f]{8}(_[A-Za-z0-9_]+)?$")
                    self.assertIn([a.arg for a in node.args.args], (["I"], ["S", "I", "C"]))
                    body = node.body[1:] if isinstance(node.body[0].value, ast.Constant) else node.body
                    for stmt in body[:-1]:
                        self.assertRegex(text[stmt.lineno - 1], line)
                    self.assertTrue(text[body[-2].lineno - 1].startswith("    O = "))
                    self.assertEqual(text[body[-1].lineno - 1], "    return O")

    def test_readme_names_every_task_and_candidate(self):
        with open(os.path.join(SAMPLES, "README.md")) as f:
            readme = f.read()
        for name in list(TASKS) + list(EXPECTED) + [ENDLESS[1]]:
            self.assertIn(name, readme)


class Solvers(unittest.TestCase):
    def test_every_candidate_is_listed(self):
        self.assertEqual(sorted(candidates()), sorted(EXPECTED))

    def test_verdicts_on_own_task(self):
        for name, fn in sorted(candidates().items()):
            task_id, expected = EXPECTED[name]
            demos, pairs = load(task_id)
            with self.subTest(solver=name):
                got = [verdict(name, fn, demos, grid, out)[0] for grid, out in pairs]
                self.assertEqual(got, expected)

    def test_exception_surfaces_in_solver_line_and_dsl_first(self):
        demos, pairs = load("9fd2a6c3")
        _, error = verdict("solve_9fd2a6c3", solvers.solve_9fd2a6c3, demos, pairs[1][0], pairs[1][1])
        frames = traceback.extract_tb(error.__traceback__)
        own = [f for f in frames if f.filename.endswith("solvers.py")][-1]
        self.assertEqual(own.line, "x3 = first(x2)")
        self.assertEqual((os.path.basename(frames[-1].filename), frames[-1].name), ("dsl.py", "first"))

    def test_transfer_is_the_only_cross_task_solve(self):
        solved = set()
        for name, fn in candidates().items():
            for task_id in TASKS:
                demos, pairs = load(task_id)
                if task_id != EXPECTED[name][0] and all(
                        verdict(name, fn, demos, g, out)[0] == "pass" for g, out in pairs):
                    solved.add((name, task_id))
        self.assertEqual(solved, {TRANSFER})

    def test_duplicate_has_the_same_canonical_form_and_no_other_does(self):
        forms = {name: canonical(node) for f in SOLVER_FILES for name, node in solver_defs(os.path.join(SAMPLES, f)).items()}
        same = {(a, b) for a in forms for b in forms if a > b and forms[a] == forms[b]}
        self.assertEqual(same, {DUPLICATE})

    def test_endless_loop_does_not_return(self):
        demos, pairs = load(ENDLESS[2])
        code = "import sys; sys.path.insert(0, {!r}); import {} as m; m.{}({!r}); print('returned')".format(
            SAMPLES, ENDLESS[0], ENDLESS[1], pairs[0][0])
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, universal_newlines=True)
        try:
            with self.assertRaises(subprocess.TimeoutExpired):
                child.communicate(timeout=1.5)
        finally:
            child.kill()
            child.communicate()


class Batt(unittest.TestCase):
    def test_candidates_and_outcomes(self):
        solved = {key: set() for key in BATT}
        for task_id in TASKS:
            demos, pairs = load(task_id)
            passes = {key: [] for key in BATT}
            for grid, out in pairs:
                o, s = batt_sample.batt(task_id, demos, grid, None, None)
                self.assertEqual(s, [])
                self.assertEqual(sorted(entry[:3] for entry in o), sorted(BATT), task_id)
                for t, mutated, source, result in o:
                    passes[(t, mutated, source)].append(result == out)
            for key, hits in passes.items():
                with self.subTest(task=task_id, candidate=key):
                    self.assertIn(hits, ([True] * len(pairs), [False] * len(pairs)), "matches only some pairs")
                if all(hits):
                    solved[key].add(task_id)
        self.assertEqual(solved, BATT)

    def test_append_lines_follow_output_lines(self):
        with open(batt_sample.__file__) as f:
            text = f.read()
        appends = re.findall(r"^    o\.append\(\((\d+), (True|False), '([0-9a-f]{8})', t(\d+)\)\)$", text, re.M)
        self.assertEqual(sorted((int(t), m == "True", s) for t, m, s, _ in appends), sorted(BATT))
        self.assertTrue(all(t == u for t, _, _, u in appends))
        self.assertIn("    # - Arg change: ONE -> TWO\n", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)

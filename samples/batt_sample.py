# A small batt module in the shape tokpidjin's card.py generates (hand-made for the samples).
# Four solvers run in one pass, their lines interleaved round-robin and renumbered t1, t2, ...:
#   a3f1c07e: rot180                        -> candidate t1
#   e6a05f38: crop the largest object       -> candidate t7
#   d1e84c5a: erase single cells, MUTATED   -> candidate t10 (sizefilter ONE -> TWO: erases pairs instead)
#   7b4c2e91: swap the two colours          -> candidate t12
# The call objects(I, T, F, T) is shared by e6a05f38 and d1e84c5a, so it is computed once (t2).
# Every line falls back to an empty value of the function's return type when it raises one of the five caught types.
from dsl import *
from constants import *

import dsl as _dsl


def _get_safe_default(func):
    """An empty value of func's annotated return type, standing in for a result the call could not produce."""
    returns = getattr(func, '__annotations__', {}).get('return')
    if returns in (_dsl.Grid, _dsl.Container, _dsl.IntegerTuple):
        return ()
    if returns in (_dsl.Integer, _dsl.Boolean):
        return returns()
    return frozenset()


def batt(task_id, S, I, C, log_path):
    s = []
    o = []
    try:
        t1 = rot180(I)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t1 = _get_safe_default(rot180)
    o.append((1, False, 'a3f1c07e', t1))
    try:
        t2 = objects(I, T, F, T)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t2 = _get_safe_default(objects)
    try:
        t3 = palette(I)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t3 = _get_safe_default(palette)
    try:
        t4 = argmax(t2, size)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t4 = _get_safe_default(argmax)
    # - Arg change: ONE -> TWO
    try:
        t5 = sizefilter(t2, TWO)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t5 = _get_safe_default(sizefilter)
    try:
        t6 = remove(ZERO, t3)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t6 = _get_safe_default(remove)
    try:
        t7 = subgrid(t4, I)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t7 = _get_safe_default(subgrid)
    o.append((7, False, 'e6a05f38', t7))
    try:
        t8 = merge(t5)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t8 = _get_safe_default(merge)
    try:
        t9 = first(t6)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t9 = _get_safe_default(first)
    try:
        t10 = fill(I, ZERO, t8)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t10 = _get_safe_default(fill)
    o.append((10, True, 'd1e84c5a', t10))
    try:
        t11 = last(t6)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t11 = _get_safe_default(last)
    try:
        t12 = switch(I, t9, t11)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError):
        t12 = _get_safe_default(switch)
    o.append((12, False, '7b4c2e91', t12))
    return o, s

"""Top-level chunks of a module and a per-path cache of their parse results, so a save re-parses only what changed.

Why it is exact: a chunk starts on a line that begins at column 0 with a name or `@`. If the chunk before it parses on
its own (and does not end in a backslash continuation), the tokenizer was not inside a string, a bracket or a joined
line there, and the indentation is back to 0, so the two chunks tokenize exactly as they do inside the whole module.
Statements can only join across such a line through `else`/`elif`/`except`/`finally` (never a boundary here) or a
decorator (whose chunk then fails alone). So "every chunk parses alone" implies "the module's top-level statements are
the chunks' statements, in order, shifted by the chunk's first line". A chunk that fails alone is merged with the
next; when merging does not help, the caller runs the full parse, which also gives the exact syntax error.

Part of the analyzer (analyze.py). Python >= 3.8, standard library only.
"""
import collections
import re
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from lint import SourceText

# def / class / async def, or a decorator, at column 0; names that continue a compound statement are never boundaries.
_HEAD_RE = re.compile(r"(@)|((?:def|class|async)[ \t])|((?:else|elif|except|finally)\b)|[^\W\d]")
_DECO, _DEF, _CONT, _STMT = "deco", "def", "cont", "stmt"

# Marks a chunk text that does not parse on its own (cached too, so a stale failure costs nothing on the next save).
FAILED = object()


_COL0_RE = re.compile(r"\n[^\s#]")  # a line that starts at column 0 with something other than a comment (after line 1)


def _col0_lines(source: str) -> Iterator[Tuple[int, int]]:
    """(offset, line index) of every line starting at column 0 with code, lines split like the tokenizer splits them."""
    if "\r" not in source or source.count("\r") == source.count("\r\n"):  # only \n line ends (\r\n ends in \n): regex + count, in C
        if source[:1] and not source[:1].isspace() and source[:1] != "#":
            yield 0, 0
        line, prev = 0, 0
        for m in _COL0_RE.finditer(source):
            pos = m.start() + 1
            line += source.count("\n", prev, pos)
            prev = pos
            yield pos, line
        return
    pos = 0
    for line, text in enumerate(SourceText(source).lines):  # a lone \r ends a line too
        if not text[:1].isspace() and text[:1] != "#":
            yield pos, line
        pos += len(text)


def _head(source: str, pos: int) -> Optional[str]:
    """What the line at `pos` starts with: a decorator, a def/class, a compound-statement continuation, a statement."""
    m = _HEAD_RE.match(source, pos)
    if m is None:
        return None
    if m.group(1):
        return _DECO
    if m.group(2):
        return _DEF
    if m.group(3):
        return _CONT
    return _STMT


def split_chunks(source: str) -> List[Tuple[int, int]]:
    """Chunk starts as (offset, line index) pairs, followed by (len(source), -1).

    Chunks: each def/class with its decorators, and each run of module-level statements (the code before the first
    def included). Blank and comment lines stay with the chunk above them.
    """
    starts = [(0, 0)]
    kind = "module"
    for pos, line in _col0_lines(source):
        head = _head(source, pos)
        if head is None or head is _CONT:
            continue
        if head is _DECO:
            if kind == "deco":
                continue
            kind = "deco"
        elif head is _DEF:
            if kind == "deco":
                kind = "def"
                continue
            kind = "def"
        else:
            if kind == "module":
                continue
            kind = "module"
        if pos > starts[-1][0]:
            starts.append((pos, line))
    starts.append((len(source), -1))
    return starts


def _ends_joined(text: str) -> bool:
    """A backslash at the end of the last line joins it with the next chunk's first line."""
    return text.rstrip("\r\n").endswith("\\")


class ChunkCache:
    """Per-path chunk results keyed by chunk text; least recently parsed paths go beyond `max_paths` or `max_chars`.

    `parse_chunk(text)` returns an opaque record (line numbers relative to the chunk) or None when the text does not
    parse on its own. Records must be pure functions of the text: that is what makes reuse after a move exact.
    """

    def __init__(self, parse_chunk: Callable[[str], Any], max_paths: int = 64, max_chars: int = 32 << 20,
                 max_merge: int = 16) -> None:
        self._parse_chunk = parse_chunk
        self._max_paths = max_paths
        self._max_chars = max_chars  # total source size kept (records hold about as much again)
        self._max_merge = max_merge
        self._paths: "collections.OrderedDict[str, Tuple[int, Dict[str, Any]]]" = collections.OrderedDict()  # path -> (source length, {chunk text: record or FAILED})
        self._chars = 0
        self.last: Dict[str, Any] = {}  # what the last call did, for tests and logs

    def parse(self, path: str, source: str) -> Optional[List[Tuple[int, Any]]]:
        """[(first line index, record)] covering `source` in order, or None when the full parse must decide."""
        old = self._drop(path)
        new: Dict[str, Any] = {}
        stats = {"mode": "incremental", "chunks": 0, "parsed": 0, "reused": 0, "merged": 0}
        bounds = split_chunks(source)
        n = len(bounds) - 1
        out: Optional[List[Tuple[int, Any]]] = []
        i = 0
        while i < n:
            j = i + 1
            text = source[bounds[i][0]:bounds[j][0]]
            rec = self._lookup(text, old, new, stats)
            while rec is FAILED and j < n and j - i <= self._max_merge:
                j += 1
                stats["merged"] += 1
                text = source[bounds[i][0]:bounds[j][0]]
                rec = self._lookup(text, old, new, stats)
            if rec is FAILED:
                # Keep what the rest of the module had, so the save that fixes the error is incremental again.
                for k in range(i + 1, n):
                    rest = source[bounds[k][0]:bounds[k + 1][0]]
                    if rest in old and rest not in new:
                        new[rest] = old[rest]
                out = None
                stats["mode"] = "full"
                break
            out.append((bounds[i][1], rec))
            i = j
        if out is not None:
            stats["chunks"] = len(out)
        self._paths[path] = (len(source), new)
        self._chars += len(source)
        while len(self._paths) > self._max_paths or (self._chars > self._max_chars and len(self._paths) > 1):
            self._drop(next(iter(self._paths)))
        self.last = stats
        return out

    def forget(self, path: str) -> None:
        self._drop(path)

    def _drop(self, path: str) -> Dict[str, Any]:
        size, chunks = self._paths.pop(path, (0, {}))
        self._chars -= size
        return chunks

    def paths(self) -> List[str]:
        return list(self._paths)

    def _lookup(self, text: str, old: Dict[str, Any], new: Dict[str, Any], stats: Dict[str, Any]) -> Any:
        rec = new.get(text)
        if rec is not None:
            return rec
        rec = old.get(text)
        if rec is not None:
            stats["reused"] += 1
        else:
            stats["parsed"] += 1
            rec = None if _ends_joined(text) else self._parse_chunk(text)
            if rec is None:
                rec = FAILED
        new[text] = rec
        return rec

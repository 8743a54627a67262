"""Wire protocol of the analyzer: mirrors src/protocol/analyzer.ts (change both together).

NDJSON, one object per line: requests on stdin ({"id", "op", ...}), answers on stdout ({"id", "ok", ...}), matched
by id. analyze.py builds every answer with ok_answer() / error_answer(), so an answer can only carry the fields
declared here. test/unit/analyzerProtocol.test.ts compares these tables with the TypeScript interfaces and
round-trips sample messages through check_request() / check_answer().
Python >= 3.8, standard library only.
"""

import json
from typing import Any, Dict, List, Tuple

# Node -> analyzer: op -> field names (besides "id" and "op").
REQUESTS: Dict[str, List[str]] = {
    "parse": ["path", "source", "sources", "incremental"],
    "canonical": ["items"],
    "lint": ["path", "source", "dslNames"],
    "names": ["path", "source"],
    "precompile": ["prefix", "files"],
    "parseStats": [],
}

# Fields a request must carry (the rest are optional in analyzer.ts).
REQUIRED_REQUEST: Dict[str, List[str]] = {
    "parse": ["source"],
    "canonical": ["items"],
    "lint": ["source"],
    "names": ["source"],
    "precompile": ["prefix"],
    "parseStats": [],
}

# analyzer -> Node: op -> field names of its success answer (besides "id" and "ok"); all required.
ANSWERS: Dict[str, List[str]] = {
    "parse": ["functions", "batt", "imports", "contextHash", "syntaxError", "symbols"],
    "canonical": ["items"],
    "lint": ["problems", "syntaxError"],
    "names": ["names", "starImports", "syntaxError"],
    "precompile": ["written"],
    "parseStats": ["last", "paths"],
}

# The answer to a request that failed (besides "id" and "ok").
ERROR_ANSWER = ["error"]

# Nested records (TypeScript interface name -> field names).
RECORDS: Dict[str, List[str]] = {
    "CanonicalInput": ["key", "source"],
    "PrecompileFile": ["path", "source"],
    "SolverFunction": ["name", "taskId", "suffix", "line", "col", "endLine", "params", "kind", "segHash", "source"],
    "BattCandidate": ["t", "mutated", "source", "line", "hashes", "length", "reads", "program", "error"],
    "BattInfo": ["line", "endLine", "segHash", "candidates"],
    "ImportInfo": ["module", "level", "line", "names"],
    "SyntaxErrorInfo": ["message", "line", "col"],
    "CanonicalItem": ["key", "hash", "length", "error"],
    "LintProblem": ["line", "col", "endCol", "severity", "code", "message"],
    "StarImport": ["module", "level"],
    "ParseStats": ["mode", "chunks", "parsed", "reused", "merged"],
    "ModuleSymbols": ["hash", "defs", "starImports", "opaque", "dynamic"],
    "SymbolDef": ["name", "hash", "reads", "line", "endLine", "module", "level", "imported"],
    "OpaqueInfo": ["reason", "line"],
    "DynamicLookup": ["name", "line", "call"],
}

# Where the records sit: (op, field) -> record name, for a field holding one record or a list of them.
NESTED: Dict[Tuple[str, str], str] = {
    ("canonical", "items"): "CanonicalItem",
    ("parse", "functions"): "SolverFunction",
    ("parse", "batt"): "BattInfo",
    ("parse", "imports"): "ImportInfo",
    ("parse", "syntaxError"): "SyntaxErrorInfo",
    ("parse", "symbols"): "ModuleSymbols",
    ("lint", "problems"): "LintProblem",
    ("lint", "syntaxError"): "SyntaxErrorInfo",
    ("names", "starImports"): "StarImport",
    ("names", "syntaxError"): "SyntaxErrorInfo",
    ("parseStats", "last"): "ParseStats",
}
NESTED_REQUEST: Dict[Tuple[str, str], str] = {
    ("canonical", "items"): "CanonicalInput",
    ("precompile", "files"): "PrecompileFile",
}
NESTED_RECORD: Dict[Tuple[str, str], str] = {
    ("BattInfo", "candidates"): "BattCandidate",
    ("ModuleSymbols", "defs"): "SymbolDef",
    ("ModuleSymbols", "starImports"): "StarImport",
    ("ModuleSymbols", "opaque"): "OpaqueInfo",
    ("ModuleSymbols", "dynamic"): "DynamicLookup",
}


def ok_answer(rid: Any, op: str, body: Dict[str, Any]) -> Dict[str, Any]:
    """The success answer of `op` to request `rid`; ValueError if `body` has other fields than the op's answer."""
    fields = ANSWERS[op]
    extra = [k for k in body if k not in fields]
    missing = [k for k in fields if k not in body]
    if extra or missing:
        raise ValueError(f"{op} answer: unexpected fields {extra!r}, missing fields {missing!r}")
    answer = dict(body)
    answer["id"] = rid
    answer["ok"] = True
    return answer


def error_answer(rid: Any, message: str) -> Dict[str, Any]:
    return {"id": rid, "ok": False, "error": message}


def check_request(msg: Any) -> List[str]:
    """Return a list of problems with a decoded request (empty when it conforms)."""
    if not isinstance(msg, dict):
        return [f"request is a {type(msg).__name__}, expected an object"]
    op = msg.get("op")
    if not isinstance(op, str) or op not in REQUESTS:
        return [f"unknown op {op!r}"]
    problems: List[str] = []
    if not isinstance(msg.get("id"), int):
        problems.append(f"{op}: id must be a number")
    problems.extend(f"{op}: missing field {k!r}" for k in REQUIRED_REQUEST[op] if k not in msg)
    problems.extend(f"{op}: unexpected field {k!r}" for k in msg if k not in ("id", "op") and k not in REQUESTS[op])
    for (o, field), rec in NESTED_REQUEST.items():
        if o == op:
            problems.extend(_check_nested(rec, msg.get(field)))
    return problems


def check_answer(op: str, msg: Any) -> List[str]:
    """Return a list of problems with a decoded answer to an `op` request (empty when it conforms)."""
    if not isinstance(msg, dict):
        return [f"answer is a {type(msg).__name__}, expected an object"]
    if msg.get("ok") is False:
        fields = ERROR_ANSWER
    elif msg.get("ok") is True:
        fields = ANSWERS[op]
    else:
        return [f"{op} answer: ok must be true or false"]
    problems = [f"{op} answer: missing field {k!r}" for k in fields if k not in msg]
    problems.extend(f"{op} answer: unexpected field {k!r}" for k in msg if k not in ("id", "ok") and k not in fields)
    if msg.get("ok") is True:
        for (o, field), rec in NESTED.items():
            if o == op:
                problems.extend(_check_nested(rec, msg.get(field)))
    return problems


def _check_nested(name: str, value: Any) -> List[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [p for item in value for p in _check_record(name, item)]
    return _check_record(name, value)


def _check_record(name: str, value: Any) -> List[str]:
    if not isinstance(value, dict):
        return [f"{name} is a {type(value).__name__}, expected an object"]
    problems = [f"{name}: unexpected field {k!r}" for k in value if k not in RECORDS[name]]
    for (rec, field), inner in NESTED_RECORD.items():
        if rec == name:
            problems.extend(_check_nested(inner, value.get(field)))
    return problems


if __name__ == "__main__":
    # `python3 protocol.py` prints the tables (used by the TypeScript mirror test);
    # `python3 protocol.py check` reads JSON lines on stdin, each {"request": ...} or {"op": ..., "answer": ...}, and
    # prints the problems of each.
    import sys

    if len(sys.argv) > 1 and sys.argv[1] == "check":
        for raw in sys.stdin:
            if raw.strip():
                line = json.loads(raw)
                if "request" in line:
                    problems = check_request(line["request"])
                else:
                    problems = check_answer(line["op"], line["answer"])
                print(json.dumps({"problems": problems}))
    else:
        def pairs(table: Dict[Tuple[str, str], str]) -> List[List[str]]:
            return sorted([a, b, rec] for (a, b), rec in table.items())

        print(json.dumps({"requests": REQUESTS, "requiredRequest": REQUIRED_REQUEST, "answers": ANSWERS,
                          "errorAnswer": ERROR_ANSWER, "records": RECORDS, "nested": pairs(NESTED),
                          "nestedRequest": pairs(NESTED_REQUEST), "nestedRecord": pairs(NESTED_RECORD)}))

#!/usr/bin/env python3
"""Seams the compiler does not keep, checked on every `./test`:
- no import cycle between the server's modules (file level: `crate::a::b` uses, `super::` resolved);
- the server's layers import downwards only: api -> service -> db/domain (db may read domain's types, domain
  imports no other layer); nothing below the top (api, app, web, main, demo, generate) imports `state`, so the
  use cases take what they use; demo and generator code sit outside the use cases;
- SQL rows are read by column name only in `server/src/db/decode.rs`;
- the app builds API URLs only in its API client (`app/src/api/`);
- every date and timestamp field of the API's shapes is read through `types/src/when.rs` (its accepted range);
- CSV is written only by `server/src/domain/csv_out.rs` (cells a spreadsheet would run are neutralised there).
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
problems = []


def modules(src):
    """Map module path (tuple) -> file for a crate's src directory."""
    out = {}
    for f in src.rglob("*.rs"):
        parts = list(f.relative_to(src).with_suffix("").parts)
        if parts[-1] in ("mod", "lib", "main"):
            parts = parts[:-1]
        out[tuple(parts)] = f
    return out


def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    # Test modules may reach anywhere.
    cut = re.search(r"#\[cfg\(test\)\]\s*mod\s+tests", text)
    return text[: cut.start()] if cut else text


def resolve(path, here, mods):
    """The longest known module prefix of a `crate::`/`super::`/`self::` path used in module `here`."""
    parts = path.split("::")
    if parts[0] == "crate":
        base, rest = [], parts[1:]
    elif parts[0] in ("super", "self"):
        base = list(here)
        rest = parts
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
    else:
        return None
    full = base + rest
    for n in range(len(full), 0, -1):
        if tuple(full[:n]) in mods:
            return tuple(full[:n])
    return None


def use_paths(text):
    """Every path a file uses, with `use a::{b, c::{d}}` groups expanded."""
    paths = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        paths.extend(expand(m.group(1).replace("\n", " ")))
    paths.extend(re.findall(r"\b((?:crate|super)(?:::\w+)+)", text))
    return paths


def expand(tree):
    tree = tree.strip()
    m = re.match(r"^([\w:]*?)::\{(.*)\}$", tree, re.S)
    if not m:
        return [re.sub(r"\s+as\s+\w+$", "", tree)]
    prefix, inner = m.group(1), m.group(2)
    items, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    out = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        if item == "self":
            out.append(prefix)
        else:
            out.extend(prefix + "::" + p for p in expand(item))
    return out


def cycles(src, name):
    mods = modules(src)
    graph = {m: set() for m in mods}
    for m, f in mods.items():
        for p in use_paths(strip(f.read_text())):
            t = resolve(p, m, mods)
            # A module may use its own children and ancestors' items freely; only siblings and cousins count.
            if t is None or t == m or t[: len(m)] == m or m[: len(t)] == t:
                continue
            graph[m].add(t)
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    for comp in out:
        names = sorted("::".join(c) or "crate" for c in comp)
        problems.append(f"{name}: modules import each other: {', '.join(names)}")


cycles(root / "server/src", "server")
cycles(root / "app/src", "app")

# What each lower layer may import of the crate besides itself; the top (api, auth, app, web, main, state, demo,
# generate) may import anything.
LAYERS = {
    "domain": set(),
    "clock": set(),
    "error": {"domain"},
    "db": {"domain", "clock"},
    "service": {"db", "domain", "clock", "error", "auth"},
}


def directions(src):
    mods = modules(src)
    for m, f in sorted(mods.items()):
        if not m or m[0] not in LAYERS:
            continue
        allowed = LAYERS[m[0]] | {m[0]}
        seen = set()
        for p in use_paths(strip(f.read_text())):
            t = resolve(p, m, mods)
            if t is None or not t or t[0] in allowed or t[0] in seen:
                continue
            seen.add(t[0])
            problems.append(f"{f.relative_to(root)}: the {m[0]} layer imports {t[0]} (allowed: {', '.join(sorted(allowed))})")


directions(root / "server/src")

for f in sorted((root / "server/src").rglob("*.rs")):
    if f.name == "decode.rs" and f.parent.name == "db":
        continue
    for n, line in enumerate(f.read_text().splitlines(), 1):
        if "try_get" in line:
            problems.append(f"{f.relative_to(root)}:{n}: reads a column by name outside db/decode.rs")

api = root / "app/src/api"
for f in sorted((root / "app/src").rglob("*.rs")):
    if api in f.parents or f == root / "app/src/api.rs":
        continue
    for n, line in enumerate(f.read_text().splitlines(), 1):
        if "/api/v1" in line:
            problems.append(f"{f.relative_to(root)}:{n}: builds an API URL outside app/src/api/")

for f in sorted((root / "server/src").rglob("*.rs")):
    if f == root / "server/src/domain/csv_out.rs":
        continue
    for n, line in enumerate(f.read_text().splitlines(), 1):
        if re.search(r"csv::(Writer|WriterBuilder)\b", line):
            problems.append(f"{f.relative_to(root)}:{n}: writes CSV outside domain/csv_out.rs")

date_field = re.compile(r"^\s*pub \w+: (Option<)?(DateTime<Utc>|chrono::DateTime<chrono::Utc>|NaiveDate)>?,")
for f in sorted((root / "types/src").rglob("*.rs")):
    lines = f.read_text().splitlines()
    for n, line in enumerate(lines, 1):
        if date_field.match(line) and "crate::when::" not in lines[n - 2]:
            problems.append(f"{f.relative_to(root)}:{n}: a date field not read through crate::when (its range)")

for p in problems:
    print(p)
if problems:
    print(f"{len(problems)} seam problem(s)", file=sys.stderr)
    sys.exit(1)

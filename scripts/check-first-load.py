#!/usr/bin/env python3
"""The browser's first load, measured as it is sent: every file app/dist/index.html makes the browser fetch before
the first page shows (the page itself, its stylesheet, icon, JavaScript and WebAssembly), at its brotli size, the
precompressed copy the server sends. Fails when the sum is over the budget, so the app cannot grow unnoticed.

The goal is 400 KB (issue 34). The budget below is a ratchet at what the app weighs now: lower it whenever the app
shrinks, never raise it without saying why in BENCHMARKS.md ("First load").
"""

import re
import sys
from pathlib import Path

BUDGET_KB = 750
GOAL_KB = 400

dist = Path(sys.argv[1] if len(sys.argv) > 1 else "app/dist")
index = dist / "index.html"
if not index.is_file():
    sys.exit(f"{index} is missing: build the app first (trunk build --release)")
html = index.read_text()
# Everything the page loads from its own origin: href and src attributes, and the module the inline script imports.
names = {"index.html"}
names.update(m.lstrip("/") for m in re.findall(r"""(?:href|src|module_or_path:|from)\s*=?\s*['"](/[^'"]+)['"]""", html))

total = 0
rows = []
for name in sorted(names):
    plain = dist / name
    compressed = dist / (name + ".br")
    if not plain.is_file():
        sys.exit(f"index.html loads {name}, which is not in {dist}")
    if not compressed.is_file():
        sys.exit(f"{name} has no brotli copy ({compressed.name}): the Trunk post-build hook makes one")
    size = compressed.stat().st_size
    total += size
    rows.append((size, plain.stat().st_size, name))

for size, raw, name in sorted(rows, reverse=True):
    print(f"{size / 1000:9.1f} KB brotli {raw / 1000:9.1f} KB raw  {name}")
print(f"{total / 1000:9.1f} KB brotli in all; budget {BUDGET_KB} KB, goal {GOAL_KB} KB")
if total > BUDGET_KB * 1000:
    sys.exit(f"the first load is {total / 1000:.1f} KB brotli, over its budget of {BUDGET_KB} KB")

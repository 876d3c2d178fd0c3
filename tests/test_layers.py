"""The domain returns data; the presentation Tables are made beside the renderer, in
comptoir.views (one module per area). A domain module that constructs a Table fails here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "cli" / "domain"
# Modules allowed to construct a Table while their tables move into comptoir.views (none now);
# the list only shrinks.
EXEMPT: set[str] = set()
# A diff effect (comptoir.domain.diff.Effect, marked @effect) is the reviewer's table of what a
# change does to its family: returning a Table is its contract, so it is not counted.
EFFECT_MARK = "effect"


def table_constructions(source: str) -> list[int]:
    """Line numbers where `source` calls Table(...) outside a function marked @effect."""
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(
                (isinstance(d, ast.Name) and d.id == EFFECT_MARK) for d in node.decorator_list):
            allowed |= {id(n) for n in ast.walk(node)}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) not in allowed:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "Table":
                lines.append(node.lineno)
    return sorted(lines)


def test_domain_modules_construct_no_table():
    found = []
    for path in sorted(DOMAIN.rglob("*.py")):
        rel = path.relative_to(DOMAIN).as_posix()
        if rel in EXEMPT:
            continue
        found += [f"cli/domain/{rel}:{line}" for line in table_constructions(path.read_text(encoding="utf-8"))]
    assert found == [], "make the Table in comptoir.views.<area>; the domain returns rows"


def test_every_exemption_is_still_needed():
    """A module whose tables have moved (or that was split or renamed) comes off the list."""
    stale = [rel for rel in EXEMPT
             if not (DOMAIN / rel).exists() or not table_constructions((DOMAIN / rel).read_text(encoding="utf-8"))]
    assert sorted(stale) == []


def test_a_table_made_in_the_domain_is_caught():
    source = '''
from .table import Table, text
from . import table as t

def report(book):
    return Table("x", [text("a", "A")], [])

def other(book):
    return t.Table("y", [], [])

@effect
def review(base, head):
    return Table("z", [], [])
'''
    assert table_constructions(source) == [6, 9]

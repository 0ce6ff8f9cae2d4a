"""The layout the code keeps (docs/architecture.md): pure packages never import Scrapy or Twisted, calls go one way,
development tools stay off the runtime path, and no import cycle forms — read from the source's own imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = ("crawler.portal", "crawler.extract", "crawler.net", "crawler.storage", "crawler.archive", "crawler.warc",
        "crawler.distributed", "crawler.items")
SCRAPY = ("scrapy", "twisted", "scrapy_redis")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Absolute names a module imports (``from x import y`` gives x and x.y)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


MODULES = {module_name(p): p for top in ("crawler", "pipelines") for p in (ROOT / top).rglob("*.py")}


def project_deps(name: str) -> set[str]:
    """The project modules ``name`` imports (each import resolved to the longest module it names)."""
    out = set()
    for imp in imports(MODULES[name]):
        while imp and imp not in MODULES:
            imp = imp.rpartition(".")[0]
        if imp and imp != name and not name.startswith(imp + "."):  # a package's own __init__ is no edge
            out.add(imp)
    return out


def under(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if under(n, PURE)))
def test_pure_modules_never_import_scrapy(name):
    bad = sorted(i for i in imports(MODULES[name]) if under(i, SCRAPY) or under(i, ("crawler.scrapy", "pipelines")))
    assert not bad, f"{name} imports {bad}"


def test_runtime_code_never_imports_the_development_tools():
    bad = {n: sorted(d for d in project_deps(n) if under(d, ("crawler.devtools",)))
           for n in MODULES if not under(n, ("crawler.devtools",))}
    assert not {n: d for n, d in bad.items() if d}


def test_pipelines_never_call_into_the_spider():
    bad = {n: sorted(d for d in project_deps(n) if under(d, ("crawler.scrapy.spiders", "crawler.scrapy.source_requests")))
           for n in MODULES if under(n, ("pipelines",))}
    assert not {n: d for n, d in bad.items() if d}


def test_calls_go_one_way_from_the_cli_down():
    """Nothing below the command line imports it, and nothing below the Scrapy glue imports the runner."""
    for name in MODULES:
        deps = project_deps(name)
        if not under(name, ("crawler.cli", "crawler.devtools")):
            assert not [d for d in deps if under(d, ("crawler.cli",))], name
        if not under(name, ("crawler.cli", "crawler.devtools", "crawler.runner")):
            assert "crawler.runner" not in deps, name


def test_no_import_cycle():
    graph = {n: project_deps(n) for n in MODULES}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(n):
        state[n] = 1
        path.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(d):] + [d]))
            if d not in state:
                visit(d)
        path.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)


def test_runtime_modules_stay_under_400_lines():
    big = {n: sum(1 for _ in p.open(encoding="utf-8")) for n, p in MODULES.items() if not under(n, ("crawler.devtools",))}
    assert not {n: lines for n, lines in big.items() if lines > 400}

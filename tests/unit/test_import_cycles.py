"""No import cycle anywhere in the project: every package (domain, the doors, infra, bench, samples) and every import
counts, also those inside functions and under TYPE_CHECKING; and `domain` imports none of the other packages."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "domain"
# Top-level directories that hold no project package: the tests import everything, the rest is tooling or data.
NOT_PACKAGES = {"tests", "docs", "node_modules", "build", "dist"}
# Packages the project has today; new top-level packages are found too (`packages`), these must never go missing.
KNOWN = {"domain", "stream_handlers", "sweepers", "cli", "infra", "bench", "samples"}


def packages(root: Path = ROOT) -> list[str]:
    """Every top-level directory of `root` holding Python code (a package, or scripts such as bench/)."""
    return sorted(
        d.name
        for d in root.iterdir()
        if d.is_dir()
        and not d.name.startswith((".", "_"))
        and d.name not in NOT_PACKAGES
        and not d.name.endswith(".egg-info")
        and any(d.rglob("*.py"))
    )


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str, root: Path = ROOT) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports_of(path: Path, source: str | None = None, *, root: Path = ROOT, within: set[str] | None = None) -> set[str]:
    """The project modules `path` imports (a name imported from a package is that submodule when it is one);
    `within`: the top-level packages that count (default: all of `root`'s)."""
    within = set(packages(root)) if within is None else within
    own = module_name(path, root)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    out: set[str] = set()
    text = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for a in node.names:
                out.add(f"{base}.{a.name}" if is_module(f"{base}.{a.name}", root) else base)
    return {name for name in out if name.split(".")[0] in within and name != own and is_module(name, root)}


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """module -> the project modules it imports, over every package of `root`."""
    within = set(packages(root))
    return {
        module_name(p, root): imports_of(p, root=root, within=within)
        for top in sorted(within)
        for p in sorted((root / top).rglob("*.py"))
    }


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_finder_sees_a_cycle_through_a_type_checking_import() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from domain.checks.facts import ReceiptFacts\n"
    probe = DOMAIN / "checks" / "reading" / "probe.py"  # never written: only its name places it in the package
    assert imports_of(probe, source) == {"domain.checks.facts"}
    assert imports_of(probe, "from ..facts import ReceiptFacts\n") == {"domain.checks.facts"}


def test_a_planted_cycle_between_two_packages_fails(tmp_path: Path) -> None:
    """A project of its own on disk: a door importing the domain, and the domain importing the door back inside a
    function (a deferred import is a cycle all the same); also one inside a package through TYPE_CHECKING."""
    files = {
        "core/__init__.py": "",
        "core/service.py": "def run():\n    from door.entry import handler\n    return handler\n",
        "door/__init__.py": "",
        "door/entry.py": "from core.service import run\n\ndef handler():\n    return run\n",
        "lib/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from lib.b import B\n",
        "lib/b.py": "from . import a\nB = 1\n",
        "tests/test_x.py": "import core.service\nimport door.entry\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert packages(tmp_path) == ["core", "door", "lib"]  # lib/ has no __init__: scripts count (like bench/)
    edges = graph(tmp_path)
    assert find_cycle(edges) in (
        ["core.service", "door.entry", "core.service"],
        ["door.entry", "core.service", "door.entry"],
    )
    assert find_cycle({k: v for k, v in edges.items() if k.startswith("lib.")}) == ["lib.a", "lib.b", "lib.a"]
    (tmp_path / "core/service.py").write_text("def run():\n    return 1\n", encoding="utf-8")
    (tmp_path / "lib/b.py").write_text("B = 1\n", encoding="utf-8")
    assert find_cycle(graph(tmp_path)) is None


def test_the_project_has_no_import_cycle() -> None:
    found = set(packages())
    assert found >= KNOWN, f"packages not read: {KNOWN - found}"
    edges = graph()
    assert edges.get("domain.checks.facts")  # the graph is really read
    assert edges.get("stream_handlers.handler") and edges.get("cli.main")  # ... across every package
    assert find_cycle(edges) is None, " -> ".join(find_cycle(edges) or [])


def test_domain_imports_none_of_the_doors() -> None:
    doors = set(packages()) - {"domain"} | {"tests"}
    for path in DOMAIN.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            assert not {n.split(".")[0] for n in names} & doors, path

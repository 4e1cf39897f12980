"""The shape docs/architecture.md promises: the import rule, no import cycle, modules that fit.

Read from the source with `ast`, so a broken rule fails here with the file and line to fix.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("forum_portal", "sessions", "proposals")
MAX_MODULE_LINES = 400


def product_modules(root=ROOT, packages=PRODUCT):
    """Every product module but migrations: {dotted name: path}."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def top_level_imports(name, path):
    """The modules `name` imports when it is itself imported (not those inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module
            found.append((module, node.lineno))
            # `from package import module` imports that module too.
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def import_cycles(root=ROOT, packages=PRODUCT):
    """Chains of module-level imports that come back to where they started."""
    modules = product_modules(root, packages)
    graph = {
        name: {target for target, _line in top_level_imports(name, path) if target in modules}
        for name, path in modules.items()
    }
    cycles = []
    state = {}

    def visit(name, trail):
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycle = [*trail[trail.index(target) :], target]
                # A package importing its own submodule is how packages work, not a cycle.
                if not all(b.startswith(a + ".") for a, b in zip(cycle, cycle[1:], strict=False)):
                    cycles.append(" → ".join(cycle))
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(modules):
        if name not in state:
            visit(name, [name])
    return cycles


def test_sessions_never_imports_proposals():
    modules = product_modules()
    offenders = []
    for name, path in modules.items():
        if not name.startswith("sessions"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                targets = [node.module or ""]
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno} imports {target}"
                for target in targets
                if target == "proposals" or target.startswith("proposals.")
            ]
    assert offenders == []


def test_product_modules_import_one_another_without_a_cycle():
    assert import_cycles() == []


def test_import_cycles_finds_a_cycle_when_there_is_one(tmp_path):
    """The check can fail: two modules importing each other at module level are found."""
    package = tmp_path / "sessions"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from sessions import b\n")
    (package / "b.py").write_text("from . import a\n")
    assert import_cycles(tmp_path, ("sessions",)) == ["sessions.a → sessions.b → sessions.a"]


def test_no_product_module_is_longer_than_the_house_limit():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in product_modules().values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


# Test modules allowed past the limit, each with its reason: {path under tests/: reason}.
LONG_TEST_MODULES = {}


def test_no_test_module_is_longer_than_the_house_limit():
    """The suite's modules too, helpers and conftest.py included: one concern per module."""
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if str(path.relative_to(ROOT / "tests")) not in LONG_TEST_MODULES
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}

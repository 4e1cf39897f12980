"""The suite's own rule: no test module imports another (shared helpers live in conftest.py,
factories.py or a helper module whose name does not start with test_)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_test_modules(path):
    """The test_* modules that the module at `path` imports, as written there."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [f"{node.module or ''}.{alias.name}".lstrip(".") for alias in node.names]
        else:
            continue
        found += [m for m in modules if any(p.startswith("test_") for p in m.split("."))]
    return found


def test_no_test_module_imports_another_test_module():
    imports = {
        str(path.relative_to(TESTS)): imported_test_modules(path)
        for path in sorted(TESTS.rglob("test_*.py"))
    }

    assert {module: found for module, found in imports.items() if found} == {}

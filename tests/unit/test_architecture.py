"""Rules of the code's shape that a reviewer would otherwise have to remember."""

import ast
import re
from pathlib import Path

from sparcs_engage.settings import REPO_ROOT

CORE = REPO_ROOT / "sparcs_engage"
VIEWS = REPO_ROOT / "views"
# A page script only hands the visitor to its view; everything else lives in sparcs_engage/ui/.
MAX_PAGE_LINES = 15
# A core module longer than this says why in its first line.
MAX_MODULE_LINES = 500
LONG_MODULE_REASON = "# Over 500 lines because "


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def top_level_imports(path: Path) -> set[str]:
    """The modules a file imports when it is loaded (imports inside functions left out)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from sparcs_engage import surveys` names a module too.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def core_modules() -> list[Path]:
    """The core: every module of sparcs_engage outside ui/."""
    return sorted(p for p in CORE.rglob("*.py") if p.relative_to(CORE).parts[0] != "ui")


def test_the_core_imports_no_streamlit_outside_ui():
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in CORE.rglob("*.py")
        if "ui" not in path.relative_to(CORE).parts[:1]
        and any(
            name.split(".")[0] in {"streamlit", "streamlit_folium"}
            for name in imported_modules(path)
        )
    ]
    assert offenders == []


def test_there_is_no_pages_folder_beside_app_py():
    # A folder named pages/ next to the entry point switches Streamlit into its legacy
    # multipage mode until st.navigation first runs: the first deep link after a restart shows
    # "Page not found", and AppTest runs page scripts without app.py. Pages live in views/.
    assert not (REPO_ROOT / "pages").exists()


def test_every_registered_page_script_exists():
    from sparcs_engage.navigation import PAGES

    assert all((REPO_ROOT / page.script).is_file() for page in PAGES)


def test_url_paths_are_the_stable_ones_of_the_design():
    from sparcs_engage.navigation import PAGES

    allowed = {
        "",
        "map",
        "footprint",
        "method",  # how the footprint is calculated, linked from its result
        "vision",
        "results",
        "workshop",
        "facilitate",
        "staff",
        "privacy",
        "login",
        "accessibility",
    }
    paths = [page.url_path for page in PAGES]
    assert set(paths) <= allowed
    assert len(paths) == len(set(paths))


def test_imports_run_one_way_views_ui_core_models():
    back_up = []
    for path in sorted(VIEWS.rglob("*.py")):
        back_up += [
            f"{path.relative_to(REPO_ROOT)} imports {name}"
            for name in imported_modules(path)
            if name.startswith("sparcs_engage") and not name.startswith("sparcs_engage.ui")
        ]
    for path in core_modules():
        inside_models = path.relative_to(CORE).parts[0] == "models"
        for name in imported_modules(path):
            if name.startswith("sparcs_engage.ui") or (
                inside_models
                and name.startswith("sparcs_engage")
                and not name.startswith("sparcs_engage.models")
            ):
                back_up.append(f"{path.relative_to(REPO_ROOT)} imports {name}")
    assert back_up == []


def test_no_import_cycle_in_sparcs_engage():
    modules = {module_name(p): p for p in CORE.rglob("*.py")}
    graph = {
        name: sorted(n for n in top_level_imports(path) if n in modules and n != name)
        for name, path in modules.items()
    }
    cycles = []
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        for imported in graph[name]:
            if imported in path:
                cycles.append(" -> ".join([*path[path.index(imported) :], imported]))
            elif imported not in done:
                visit(imported, [*path, imported])
        done.add(name)

    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert cycles == []


def test_every_page_script_is_a_registered_page():
    from sparcs_engage.navigation import PAGES

    scripts = {str(path.relative_to(REPO_ROOT)) for path in VIEWS.rglob("*.py")}
    assert scripts == {page.script for page in PAGES}


def test_every_page_script_only_hands_the_visitor_to_its_view():
    # The page's code is in sparcs_engage/ui/<page>_view.py: a module is compiled once, while
    # Streamlit compiles a page script on every run.
    from sparcs_engage.navigation import PAGES

    for page in PAGES:
        path = REPO_ROOT / page.script
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) < MAX_PAGE_LINES, page.script
        tree = ast.parse(source)
        assert ast.get_docstring(tree), f"{page.script} says in a docstring what the page is for"
        body = [ast.unparse(node) for node in tree.body[1:]]
        # The two imports in the order the import sorter puts them.
        assert sorted(body[:2]) == sorted(
            [
                "from sparcs_engage.ui.context import current_visitor",
                f"from sparcs_engage.ui.{page.key}_view import render",
            ]
        ), page.script
        assert body[2:] == ["render(current_visitor())"], page.script


def test_no_core_module_is_over_500_lines_without_a_reason_at_its_top():
    too_long = []
    for path in core_modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_MODULE_LINES and not lines[0].startswith(LONG_MODULE_REASON):
            too_long.append(f"{path.relative_to(REPO_ROOT)}: {len(lines)} lines")
    assert too_long == []


def test_every_path_architecture_md_names_exists():
    text = (REPO_ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    examples = {"<lang>": "en", "<id>": "espoo", "<page>": "map"}
    named = [p for p in re.findall(r"`([^`\s]+)`", text) if "/" in p]
    for placeholder, example in examples.items():
        named = [p.replace(placeholder, example) for p in named]
    assert named
    assert [p for p in named if not (REPO_ROOT / p).exists()] == []

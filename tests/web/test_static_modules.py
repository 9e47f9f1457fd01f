"""The page's scripts are ES modules: each uses another's names only through an import, no cycle, no shared globals."""

from __future__ import annotations

import re
from pathlib import Path

from loraprep.web.app import STATIC

TOP_LEVEL = re.compile(r"^(?:export\s+)?(?:async\s+)?(?:function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)", re.M)
MORE_CONSTS = re.compile(r",\s*([A-Za-z_$][\w$]*)\s*=")
IMPORT = re.compile(r"^import\s*\{([^}]*)\}\s*from\s*\"\./([\w.-]+)\";", re.M)
EXPORTED = re.compile(r"^export\s+(?:async\s+)?(?:function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)", re.M)
COMMENTS = re.compile(r"/\*.*?\*/|(?<![:\"'])//[^\n]*", re.S)
STRINGS = re.compile(r"\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'")


def modules() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(STATIC.glob("*.js"))}


def code_of(text: str) -> str:
    """The text without comments and plain string literals: what remains names identifiers."""
    return STRINGS.sub('""', COMMENTS.sub(" ", text))


def defined(text: str) -> set[str]:
    names = set()
    for line in code_of(text).splitlines():
        m = TOP_LEVEL.match(line)
        if m:
            names.add(m.group(1))
            if re.match(r"^(?:const|let|var)\b", line) and "(" not in line:  # let a = 0, b = null;
                names.update(MORE_CONSTS.findall(line))
    return names


def imports(text: str) -> dict[str, set[str]]:
    return {source: {n.strip().split(" as ")[-1] for n in names.split(",") if n.strip()}
            for names, source in IMPORT.findall(text)}


def used(text: str) -> set[str]:
    # identifiers not reached through a property (obj.name) or written as a key (name: value)
    return set(re.findall(r"(?<![\w$.])([A-Za-z_$][\w$]*)(?![\w$])(?!\s*:(?!:))", code_of(text)))


def test_every_script_tag_of_the_page_is_a_module():
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    tags = re.findall(r"<script\b[^>]*>", page)
    assert tags, "the page loads no script"
    assert all('type="module"' in tag and "src=" in tag for tag in tags), tags   # no inline script: the CSP


def test_a_module_uses_another_modules_names_only_through_an_import():
    found = modules()
    assert len(found) >= 4
    owners = {}
    for name, text in found.items():
        for ident in defined(text):
            owners.setdefault(ident, set()).add(name)
    wrong = []
    for name, text in found.items():
        mine, imported = defined(text), set().union(*imports(text).values(), set())
        for ident in used(text) - mine - imported:
            others = owners.get(ident, set()) - {name}
            if others:
                wrong.append(f"{name} uses {ident} of {sorted(others)} without importing it")
    assert wrong == []


def test_every_import_names_an_export_of_a_served_module():
    found = modules()
    for name, text in found.items():
        for source, names in imports(text).items():
            assert source in found, f"{name} imports ./{source}, which is not in web/static"
            exported = set(EXPORTED.findall(found[source]))
            assert names <= exported, f"{name} imports {sorted(names - exported)} that ./{source} does not export"


def test_the_modules_import_each_other_without_a_cycle():
    graph = {name: set(imports(text)) for name, text in modules().items()}
    done, path = set(), []

    def visit(name):
        assert name not in path, "import cycle: " + " -> ".join([*path[path.index(name):], name])
        if name in done:
            return
        path.append(name)
        for dep in graph.get(name, ()):
            visit(dep)
        path.pop()
        done.add(name)

    for name in graph:
        visit(name)


def test_no_module_hides_an_imported_name_under_a_local_one():
    # const q = query() inside a function that also calls the imported q(...) breaks the page at run time
    hidden = []
    for name, text in modules().items():
        code = code_of(text)
        for ident in set().union(set(), *imports(text).values()):
            local = rf"\b(?:const|let|var)\s+{re.escape(ident)}\b|\bfunction\s*[\w$]*\s*\((?:[^)]*[\s,(])?{re.escape(ident)}\b"
            if re.search(local, code) or re.search(rf"[(,]\s*{re.escape(ident)}\s*(?:,[\w$\s,]*)?\)\s*=>", code):
                hidden.append(f"{name}: {ident}")
    assert hidden == []


def test_one_global_only_the_deliberate_test_hook():
    written = {name: re.findall(r"\bwindow\.(\w+)\s*=(?!=)", code_of(text)) for name, text in modules().items()}
    assert {name: names for name, names in written.items() if names} == {"app.js": ["LP"]}
    read = [name for name, text in modules().items() if re.search(r"\bwindow\.(?!LP\b)\w+", code_of(text))]
    assert read == []


def test_the_page_lists_no_edit_kind_itself():
    from loraprep.ops.edits import FILE_KINDS, TAG_KINDS

    page = (STATIC / "index.html").read_text(encoding="utf-8")
    menu = re.search(r'<select id="batch-kind"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert not any(f'value="{kind}"' in menu for kind in TAG_KINDS + FILE_KINDS), menu


def test_the_checks_see_a_global_used_without_an_import(tmp_path, monkeypatch):
    # the check itself: a module that calls another's function without importing it is caught
    (tmp_path / "a.js").write_text('export function helper() { return 1; }\n', encoding="utf-8")
    (tmp_path / "b.js").write_text('/* helper() in a comment is fine */\nconst x = helper();\n', encoding="utf-8")
    (tmp_path / "c.js").write_text('const o = { helper: 1 }; o.helper;\n', encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["STATIC"]), "STATIC", Path(tmp_path))
    (tmp_path / "d.js").write_text("const y = 2;\n", encoding="utf-8")
    try:
        test_a_module_uses_another_modules_names_only_through_an_import()
    except AssertionError as e:
        assert "b.js uses helper of ['a.js']" in str(e) and "c.js" not in str(e)
    else:
        raise AssertionError("the check missed b.js")

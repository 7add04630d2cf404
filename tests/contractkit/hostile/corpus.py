"""The hostile corpus: contracts a pull request could bring, laid out in a throw-away repository.

Each case is a folder of ``tests/contractkit/fixtures/hostile/`` holding its files and a ``case.yaml``
(what it tries, the exit code each command must give, the text its finding must hold). What git
cannot store, or should not (a FIFO, symlinks to absolute paths, a 40 MiB file, a thousand files),
is made by the case's ``setup`` when the tree is built. Next to the repository lies ``outside/``,
whose files hold :data:`SECRET`: no command may ever print it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints

FIXTURES = Path(__file__).parents[1] / "fixtures" / "hostile"
SECRET = "corpus-secret-6f1d9a"
BASE_CONTRACT = """openapi: 3.1.0
info:
  title: Hostile corpus
  version: 1.0.0
paths:
  /v1/things:
    get:
      operationId: listThings
      responses:
        "200":
          description: The things.
          content:
            application/json:
              schema:
                type: object
"""


@dataclass(frozen=True)
class Case:
    """One hostile contract and what every command must make of it."""

    name: str
    about: str
    exit: Mapping[str, int]
    finding: str | None = None
    # Commands whose output must hold the finding; by default every command that does not exit 0.
    finding_in: tuple[str, ...] | None = None
    setup: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    def must_report(self, command: str) -> bool:
        """Whether ``command``'s output must hold :attr:`finding`."""
        if self.finding is None:
            return False
        return command in self.finding_in if self.finding_in is not None else self.exit[command] != 0


def cases() -> list[Case]:
    """Every case of the corpus, by name."""
    found = []
    for folder in sorted(path for path in FIXTURES.iterdir() if path.is_dir()):
        meta = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
        found.append(
            Case(
                name=folder.name,
                about=meta["about"],
                exit=meta["exit"],
                finding=meta.get("finding"),
                finding_in=tuple(meta["finding_in"]) if "finding_in" in meta else None,
                setup=meta.get("setup"),
                env=meta.get("env", {}),
            )
        )
    return found


@dataclass(frozen=True)
class Tree:
    """The built corpus: a git repository of cases, the outside folder, and the listener's port."""

    repository: Path
    outside: Path
    port: int

    @property
    def base(self) -> Path:
        """A clean contract every case is diffed against."""
        return self.repository / "base" / "openapi.yaml"

    def folder(self, case: Case) -> Path:
        """Where ``case`` lives in the repository."""
        return self.repository / "cases" / case.name

    def contract(self, case: Case) -> Path:
        """The root contract of ``case``."""
        folder = self.folder(case)
        json_contract = folder / "openapi.json"
        return json_contract if json_contract.exists() else folder / "openapi.yaml"

    def secrets(self) -> list[str]:
        """Text that must never appear in any output: the marker, and what the system files hold."""
        found = [SECRET, "root:x:0:0"]
        # The environment a $ref to /proc/self/environ would show (long entries only: short ones occur anywhere).
        environ = Path("/proc/self/environ")
        if environ.exists():
            entries = environ.read_bytes().split(b"\0")
            found += [entry.decode(errors="replace") for entry in entries if len(entry) > 24]
        return found


def build(directory: Path, port: int) -> Tree:
    """Lay the corpus out under ``directory`` (a repository and an outside folder) and run every setup."""
    outside = directory / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"Money:\n  type: object\n  description: {SECRET}\n", encoding="utf-8")
    (outside / "secret.json").write_text(f'{{"Money": {{"description": "{SECRET}"}}}}\n', encoding="utf-8")
    (outside / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    repository = directory / "repository"
    repository.mkdir()
    subprocess.run(["git", "init", "--quiet", str(repository)], check=True)
    subprocess.run(["git", "-C", str(repository), "config", "contractkit.secret", SECRET], check=True)
    (repository / "base").mkdir()
    (repository / "base" / "openapi.yaml").write_text(BASE_CONTRACT, encoding="utf-8")
    tree = Tree(repository, outside, port)
    for case in cases():
        target = tree.folder(case)
        for source in sorted((FIXTURES / case.name).rglob("*")):
            if source.is_dir() or source.name == "case.yaml":
                continue
            destination = target / source.relative_to(FIXTURES / case.name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text(encoding="utf-8")
            destination.write_text(text.replace("{OUTSIDE}", str(outside)).replace("{PORT}", str(port)))
        target.mkdir(parents=True, exist_ok=True)
        if case.setup is not None:
            SETUPS[case.setup](tree, target)
    return tree


def _fifo(tree: Tree, folder: Path) -> None:
    os.mkfifo(folder / "pipe.yaml")


def _symlink_file(tree: Tree, folder: Path) -> None:
    (folder / "link.yaml").symlink_to(tree.outside / "secret.yaml")


def _symlink_folder(tree: Tree, folder: Path) -> None:
    (folder / "shared").symlink_to(tree.outside, target_is_directory=True)


def _dot_git(tree: Tree, folder: Path) -> None:
    (tree.repository / ".git" / "secret.json").write_text(f'{{"Money": {{"description": "{SECRET}"}}}}\n')


def _dotenv(tree: Tree, folder: Path) -> None:
    (tree.repository / ".env").write_text(f"TOKEN={SECRET}\n", encoding="utf-8")


def _symlink_contract(tree: Tree, folder: Path) -> None:
    (folder / "openapi.yaml").symlink_to(tree.outside / "secret.yaml")


def _symlink_waivers(tree: Tree, folder: Path) -> None:
    (folder / "waivers.yaml").symlink_to(tree.outside / "secret.yaml")


def _symlink_pacts(tree: Tree, folder: Path) -> None:
    pacts = folder / "pacts"
    pacts.mkdir()
    (pacts / "zero.json").symlink_to("/dev/zero")
    (pacts / "outside.json").symlink_to(tree.outside / "secret.json")


def _huge_file(tree: Tree, folder: Path) -> None:
    with (folder / "huge.yaml").open("wb") as sparse:
        sparse.truncate(40 * 1024 * 1024)


def _many_files(tree: Tree, folder: Path) -> None:
    chain = folder / "chain"
    chain.mkdir()
    for index in range(60):
        next_one = f"S:\n  type: object\n  properties:\n    next:\n      $ref: '{index + 1}.yaml#/S'\n"
        (chain / f"{index}.yaml").write_text(next_one, encoding="utf-8")
    (chain / "60.yaml").write_text("S:\n  type: object\n", encoding="utf-8")


def _many_refs(tree: Tree, folder: Path) -> None:
    refs = ",".join(['{"$ref": "#/S"}'] * 100_001)
    (folder / "refs.json").write_text(f'{{"S": {{"type": "object"}}, "x-refs": [{refs}]}}\n', encoding="utf-8")


def _not_utf8(tree: Tree, folder: Path) -> None:
    (folder / "openapi.yaml").write_bytes(b"openapi: 3.1.0\ninfo: {title: \xff\xfe, version: '1'}\npaths: {}\n")


SETUPS: dict[str, Callable[[Tree, Path], None]] = {
    "fifo": _fifo,
    "symlink-file": _symlink_file,
    "symlink-folder": _symlink_folder,
    "dot-git": _dot_git,
    "dotenv": _dotenv,
    "symlink-contract": _symlink_contract,
    "symlink-waivers": _symlink_waivers,
    "symlink-pacts": _symlink_pacts,
    "huge-file": _huge_file,
    "many-files": _many_files,
    "many-refs": _many_refs,
    "not-utf8": _not_utf8,
}

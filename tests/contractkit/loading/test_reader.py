"""Reading one untrusted file: regular files only, checked before reading, never more than the limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contractkit.loading import LimitExceeded, RefusedFile, UnreadableFile
from contractkit.loading.reader import read_text


def test_a_regular_file_is_read_without_its_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbfopenapi: 3.1.0\n")
    assert read_text(path, 100) == "openapi: 3.1.0\n"


def test_a_file_over_the_limit_is_refused_and_named_by_its_variable(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 101)
    assert read_text(path, 101) == "x" * 101
    with pytest.raises(LimitExceeded, match="CONTRACTKIT_MAX_FILE_SIZE=100"):
        read_text(path, 100)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda folder: Path("/dev/zero"), "a character device"),
        (lambda folder: folder, "a directory"),
        (lambda folder: (os.mkfifo(folder / "pipe.yaml"), folder / "pipe.yaml")[1], "a named pipe"),
    ],
    ids=["device", "directory", "fifo"],
)
def test_anything_but_a_regular_file_is_refused_without_reading(tmp_path: Path, make: object, kind: str) -> None:
    # A FIFO with no writer would block a plain open() for ever; this returns at once.
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(RefusedFile, match=kind):
        read_text(path, 1024)


def test_a_symlink_is_not_followed_by_the_reader(tmp_path: Path) -> None:
    # The boundary resolves symlinks before reading; one that appears in between is not followed.
    (tmp_path / "target.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "target.yaml")
    with pytest.raises(UnreadableFile):
        read_text(tmp_path / "link.yaml", 1024)


def test_bytes_that_are_not_utf8_are_not_quoted(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: café\n".encode("latin-1"))
    with pytest.raises(UnreadableFile, match=r"not UTF-8 text \(byte offset 10\)") as caught:
        read_text(path, 1024)
    assert "caf" not in caught.value.message

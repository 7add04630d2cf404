"""Read one file without trusting it: regular files only, never more than a limit, nothing shown on failure.

A ``$ref`` (or a symlink a pull request adds) can name ``/dev/zero``, a FIFO nobody writes to, or a
directory. The file is therefore opened non-blocking and without following a last symlink, checked
with ``fstat`` to be a regular file before a byte is read, and read to at most the limit plus one
byte. Messages name the file and what kind of thing it is; they never quote what it holds.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from contractkit.loading.errors import LimitExceeded, RefusedFile, UnreadableFile
from contractkit.loading.limits import describe

# Opening a FIFO for reading blocks until a writer appears unless O_NONBLOCK is given.
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device (like /dev/zero)"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


def read_text(path: Path, max_bytes: int, shown: Path | None = None) -> str:
    """The UTF-8 text of the regular file at ``path`` (a leading BOM dropped).

    ``shown`` is the name errors give (the path as written, when ``path`` is where its symlinks lead).
    Raises :class:`RefusedFile` for anything but a regular file, :class:`LimitExceeded` for a file
    over ``max_bytes``, :class:`UnreadableFile` when it cannot be opened or is not UTF-8.
    """
    name = path if shown is None else shown
    try:
        descriptor = os.open(path, _FLAGS)
    except OSError as exc:
        # ELOOP: the last component is a symlink (O_NOFOLLOW); callers pass paths with symlinks resolved.
        raise UnreadableFile(name, f"cannot read file: {exc.strerror or type(exc).__name__}") from None
    except ValueError:  # an embedded NUL byte
        raise UnreadableFile(name, "cannot read file: the name holds a NUL character") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            kind = next((kind for test, kind in _KINDS if test(status.st_mode)), "not a file")
            raise RefusedFile(name, f"{kind}, not a regular file: contractkit reads only regular files")
        data = _read_at_most(descriptor, max_bytes + 1, status.st_size, name)
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise LimitExceeded(name, f"file is larger than {describe('file_size', max_bytes)} bytes allows")
    try:
        # utf-8-sig: a BOM left by some editors must not break the JSON parser.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(name, f"cannot read file: not UTF-8 text (byte offset {exc.start})") from None


def _read_at_most(descriptor: int, count: int, size: int, name: Path) -> bytes:
    # A regular file usually arrives in one read of its size (plus one byte, to see whether it grew):
    # then nothing is joined, and a 13 MB description is never held twice.
    chunks: list[bytes] = []
    remaining = count
    try:
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, max(size + 1, _CHUNK)))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise UnreadableFile(name, f"cannot read file: {exc.strerror or type(exc).__name__}") from None
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)

"""The pair a developer keeps running between commands (`dataservices pg up` / `down`), found by its folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dataservices.pgpair.pair import STATE_FILE, PostgresPair


def bring_up(directory: Path, databases: Sequence[str]) -> tuple[PostgresPair, bool]:
    """The pair in `directory`, started if there is none (True) or restarted where stopped (False).

    Each of `databases` is created unless it exists, so running it again, or with one more service,
    keeps what is there.
    """
    started = not (directory / STATE_FILE).exists()
    if started:
        pair = PostgresPair.start(directory)
    else:
        pair = PostgresPair.attach(directory)
        pair.ensure_running()
    existing = set(pair.databases())
    for name in databases:
        if name not in existing:
            pair.create_database(name)
    return pair, started


def tear_down(directory: Path) -> bool:
    """Stop the pair in `directory` and remove the folder; False when there was no pair."""
    if not (directory / STATE_FILE).exists():
        return False
    PostgresPair.attach(directory).close()
    return True

"""A stand-in for another data service: runs each keyed request once and replays its answer after.

It keeps its movements in its own SQLite file, so the test can count them after processes were killed.
"""

from __future__ import annotations

import os
import sqlite3

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SCHEMA = "CREATE TABLE IF NOT EXISTS movements (key TEXT PRIMARY KEY, receipt TEXT NOT NULL, amount INTEGER NOT NULL)"


def connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, timeout=5)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(SCHEMA)
    return connection


def create_app(path: str) -> Starlette:
    database = connect(path)

    async def move(request: Request) -> Response:
        key = request.headers.get("idempotency-key")
        if not key:
            return JSONResponse({"title": "Idempotency-Key is required"}, status_code=400)
        amount = int((await request.json())["amount"])
        database.execute("BEGIN IMMEDIATE")
        count = database.execute("SELECT count(*) FROM movements").fetchone()[0]
        database.execute(
            "INSERT OR IGNORE INTO movements (key, receipt, amount) VALUES (?, ?, ?)",
            (key, f"rcp_{count + 1}", amount),
        )
        database.execute("COMMIT")
        receipt = database.execute("SELECT receipt FROM movements WHERE key = ?", (key,)).fetchone()[0]
        return JSONResponse({"receipt": receipt}, status_code=201)

    return Starlette(routes=[Route("/moves", move, methods=["POST"])])


def app() -> Starlette:
    """The app uvicorn serves (`--factory`), on the file named by BANK_DATABASE."""
    return create_app(os.environ["BANK_DATABASE"])

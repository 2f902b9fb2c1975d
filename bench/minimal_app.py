"""The ceiling: a minimal Flask app that only inserts one row per POST, on the same database.

    DATABASE_URL=... gunicorn -c gunicorn.conf.py bench.minimal_app:app

Same server, same worker count, same database (its own table `bench_minimal`), and on SQLite
the same WAL / busy-timeout / BEGIN IMMEDIATE set-up as the app; no templates, forms, CSRF,
routing, clocks or audit chain. Whatever the real intake does beyond that is overhead.
"""

from datetime import datetime, timezone

from flask import Flask, request
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, create_engine, exc, insert

from config import config_from_env
from grievance import sqlite

metadata = MetaData()
rows = Table(
    "bench_minimal",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("body", Text),
    Column("created_at", DateTime),
)

app = Flask(__name__)
engine = create_engine(config_from_env().SQLALCHEMY_DATABASE_URI, pool_pre_ping=True)
sqlite.configure(engine, 15000)
try:
    metadata.create_all(engine)
except (exc.IntegrityError, exc.ProgrammingError, exc.OperationalError):
    pass  # another worker created it at the same moment


@app.post("/submit")
def submit():
    with engine.begin() as conn:
        new_id = conn.execute(
            insert(rows).values(body=request.get_data(as_text=True)[:1000], created_at=datetime.now(timezone.utc))
        ).inserted_primary_key[0]
    return str(new_id), 201


@app.get("/healthz")
def healthz():
    return "ok", 200

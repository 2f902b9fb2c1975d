"""The README's bare commands work where nothing was prepared: no instance folder, no database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_db_upgrade_makes_the_instance_folder_of_a_fresh_clone(tmp_path):
    instance = tmp_path / "fresh" / "instance"  # neither folder exists yet
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "GRIEVANCE_ENV", "TEST_DATABASE_URL"}}
    env["GRIEVANCE_INSTANCE"] = str(instance)
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(  # noqa: S603 - our own command line
        [str(flask), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (instance / "grievance.sqlite").stat().st_size > 0

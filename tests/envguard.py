"""Tests that need a service of the machine (Chromium, Redis) skip without it on a laptop,
and fail under CI (`CI=true`), which installs and starts every one of them: a test that CI
skipped would look green while proving nothing."""

from __future__ import annotations

import os

import pytest


def need(available: bool, reason: str) -> None:
    if available:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} — CI must provide it")
    pytest.skip(reason)

"""The newcomer's commands (issue 12 item 16): `scripts/flask` works from any directory with no
`flask` on PATH, with scripts/run's settings, without Alembic's INFO chatter; every command the
README shows goes through it and exists."""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "flask"


def _newcomer_env(tmp_path: Path, redis_url: str, **extra: str) -> dict[str, str]:
    """A shell with no venv activated and no flask on PATH; the database and Redis of this test."""
    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'newcomer.sqlite3'}",
        "REDIS_URL": redis_url,
    }
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_scripts_flask_runs_the_projects_flask_from_anywhere_without_alembic_info(tmp_path):
    env = _newcomer_env(tmp_path, os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    elsewhere = tmp_path / "somewhere"
    elsewhere.mkdir()
    assert subprocess.run(["sh", "-c", "command -v flask"], env=env, capture_output=True).returncode != 0

    migrated = _run(["db", "upgrade"], env, elsewhere)
    assert migrated.returncode == 0, migrated.stderr
    assert "INFO" not in migrated.stderr and "INFO" not in migrated.stdout, migrated.stderr
    assert (tmp_path / "newcomer.sqlite3").exists()  # DATABASE_URL reached the app

    listed = _run(["territory", "list", "--json"], env, elsewhere)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []  # stdout is the command's own: valid JSON
    assert "INFO" not in listed.stderr and "alembic" not in listed.stderr, listed.stderr


def test_alembic_keeps_its_warnings_and_errors_only(app):
    for name in ("alembic", "alembic.runtime.migration", "alembic.runtime.plugins"):
        logger = logging.getLogger(name)
        assert not logger.isEnabledFor(logging.INFO) and logger.isEnabledFor(logging.WARNING), name


def _readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for match in re.finditer(r"`scripts/flask ([^`]*)`", text):
        words = [w for w in shlex.split(match.group(1)) if not w.startswith(("<", "["))]
        commands.append([w for w in words if not w.startswith("-")][:2])
    return commands


def test_every_flask_command_in_the_readme_goes_through_scripts_flask_and_exists(app):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"(?<!scripts/)\bflask (--app|db|seed-demo|qr|territory|worker|sweep)\b", text)
    commands = _readme_commands()
    assert len(commands) >= 10
    runner = app.test_cli_runner()
    for words in commands:
        # the command path must exist: a group, then its subcommand where the README names one
        result = runner.invoke(args=[*words, "--help"])
        if result.exit_code != 0 and len(words) == 2:  # the second word was an argument, not a subcommand
            result = runner.invoke(args=[words[0], "--help"])
        assert result.exit_code == 0, (words, result.output)

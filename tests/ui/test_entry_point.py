"""`closeout`: seeding a demo, refusing politely without a display, and the smoke test CI and the bundle run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui.main import main


def test_without_a_display_it_seeds_and_points_at_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--home", str(tmp_path / "ws"), "--seed-demo-if-empty"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Seeded a demo workspace")
    assert len(out) == 2 and "no display" in out[1] and "closeout-cli --help" in out[1]
    assert main(["--home", str(tmp_path / "ws"), "--seed-demo-if-empty"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # not seeded twice


@pytest.mark.slow
def test_the_smoke_test_renders_the_window_offscreen(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CLOSEOUT_HOME": str(tmp_path / "ws")}
    result = subprocess.run(
        [sys.executable, "-m", "ui.main", "--seed-demo-if-empty", "--smoke-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "smoke test: ok" in result.stdout

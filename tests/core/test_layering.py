"""The arrows point one way: nothing but ui/ loads Qt, and the core never imports the shell."""

from __future__ import annotations

import subprocess
import sys


def test_core_packages_never_load_qt() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "for pkg in ('models', 'app', 'exporters', 'server'):\n"
        "    mod = importlib.import_module(pkg)\n"
        "    for info in pkgutil.walk_packages(mod.__path__, pkg + '.'):\n"
        "        if '.migrations' in info.name: continue\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'ui')))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""

"""`python -m app.cli`: the same as `closeout-cli`."""

from __future__ import annotations

import sys

from app.cli import main

if __name__ == "__main__":  # importing the module (as the layering test does) runs nothing
    sys.exit(main())

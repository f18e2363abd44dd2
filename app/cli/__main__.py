"""`python -m app.cli`: the same as `closeout-cli`."""

from __future__ import annotations

import sys

from app.cli import main

sys.exit(main())

"""`python -m ui`: start the Closeout desktop app (also the PyInstaller entry point)."""

from ui.main import main

raise SystemExit(main())

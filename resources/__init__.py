"""Icons (SVG) and stylesheets (QSS), loaded through importlib.resources so the bundle behaves like the source."""

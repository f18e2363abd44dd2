"""Time to build the coordinator's signoff packet for a 5,000-asset project (target: under 10 s).

Run: .venv/bin/python bench/pdf.py [--assets 5000] [--paper letter]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader

from app.db import open_workspace
from app.demo import seed_demo
from exporters.pdf_data import load_dossier
from exporters.pdf_packet import build_packet


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=5000)
    parser.add_argument("--paper", choices=("letter", "a4"), default="letter")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "ws"
        ws = open_workspace(home)
        t0 = time.perf_counter()
        with ws.transaction() as session:  # one transaction: the services, not raw SQL, but one commit
            seed_demo(session, assets=args.assets)
        print(f"seeded {args.assets} assets through the services in {time.perf_counter() - t0:.1f} s")
        out = Path(tmp) / "packet.pdf"
        t1 = time.perf_counter()
        with ws.session() as session:
            dossier = load_dossier(session, "NWD-ONB", ws.blobs_dir, with_assets=True)
        t2 = time.perf_counter()
        build_packet(dossier, out, paper=args.paper)
        t3 = time.perf_counter()
        pages = len(PdfReader(out).pages)
        size = out.stat().st_size / 1_000_000
        print(f"read project data: {t2 - t1:.2f} s")
        print(f"laid out and wrote the packet: {t3 - t2:.2f} s ({pages} pages, {size:.1f} MB)")
        total = t3 - t1
        print(f"packet for {args.assets} assets: {total:.2f} s (target < 10 s) {'OK' if total < 10 else 'SLOW'}")
        ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

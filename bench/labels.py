"""Camera scanning speed and reliability: each template's label photographed every way tests/labels/photos.py
knows, decoded by the camera's decoder. Prints the decode rate and the time per frame (target: under 50 ms).

Run: PYTHONPATH=. python bench/labels.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from app.scan_decode import decode_frame
from exporters.label_templates import load_templates
from tests.labels.photos import FRAME, photos

TARGET_MS = 50.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="decodes of each frame (default 5)")
    args = parser.parse_args()
    templates, _ = load_templates()
    times: list[float] = []
    read = total = 0
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'template':15} {'frames':>6} {'read':>5} {'median ms':>9} {'worst ms':>8}")
        for name, template in templates.items():
            frames = photos(template, "ACME-00042", Path(folder))
            spent: list[float] = []
            ok = 0
            for frame in frames.values():
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    tags = decode_frame(frame)
                    spent.append((time.perf_counter() - start) * 1000)
                    ok += tags == ["ACME-00042"]
            count = len(frames) * args.repeat
            read, total, times = read + ok, total + count, times + spent
            print(f"{name:15} {count:6d} {ok:5d} {statistics.median(spent):9.1f} {max(spent):8.1f}")
    empty = np.full((FRAME[1], FRAME[0]), 120, np.uint8)
    idle = [0.0] * args.repeat
    for i in range(args.repeat):
        start = time.perf_counter()
        decode_frame(empty)
        idle[i] = (time.perf_counter() - start) * 1000
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    print(f"\n{FRAME[0]}x{FRAME[1]} frames: {read}/{total} decoded ({100 * read / total:.1f}%), "
          f"median {statistics.median(times):.1f} ms, 95th percentile {p95:.1f} ms, worst {max(times):.1f} ms "
          f"per frame (target < {TARGET_MS:.0f} ms)")  # fmt: skip
    print(f"a frame with no label: {statistics.median(idle):.1f} ms")


if __name__ == "__main__":
    main()

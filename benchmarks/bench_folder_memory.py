"""Peak memory while loading a folder of 2,000 photos of 1-4 megapixels.

Generates noisy-gradient JPEGs of mixed sizes and orientations (4 class folders) in a
temporary directory, then loads them with `load_dataset("folder:...")` in a fresh
process and prints that process's peak resident memory, the time taken and images/s.
With --compare, also times the same load with full-size JPEG decoding (no `draft`).

Goal: peak memory under 1.5 GB (1,536 MiB).
Run: python benchmarks/bench_folder_memory.py [--images 2000] [--compare]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
GOAL_MIB = 1536
ASPECTS = (4 / 3, 3 / 4, 16 / 9, 9 / 16, 1.0)

LOADER = """
import json, sys, time
sys.path.insert(0, {root!r})
if {full}:  # decode every JPEG at full size: no draft
    original = open_image
    open_image = lambda source, **kw: original(source, name=kw.get("name"))
from benchmarks.procmem import peak_mb
from cnnviz.data import load_dataset
from cnnviz.data.folders import open_image
start = time.perf_counter()
data = load_dataset("folder:" + sys.argv[1])
seconds = time.perf_counter() - start
peak = peak_mb()
print(json.dumps({{"seconds": seconds, "peak_mib": peak, "shape": data.info.image_shape,
                  "counts": data.info.counts, "warnings": len(data.info.warnings)}}))
"""


def photo(index: int, folder: str) -> tuple[int, int]:
    """Write one noisy-gradient JPEG of 1-4 megapixels; returns (pixels, bytes)."""
    rng = np.random.default_rng(index)
    megapixels = rng.uniform(1, 4)
    aspect = ASPECTS[index % len(ASPECTS)]
    width = int(np.sqrt(megapixels * 1e6 * aspect))
    height = int(megapixels * 1e6 / width)
    ramp_x = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    ramp_y = np.linspace(0, 255, height, dtype=np.float32)[:, None, None]
    weights = rng.uniform(0, 1, size=(2, 3)).astype(np.float32)
    image = ramp_x * weights[0] + ramp_y * weights[1]
    tile = rng.normal(0, 12, size=(256, 256, 1)).astype(np.float32)
    image += np.tile(tile, (height // 256 + 1, width // 256 + 1, 1))[:height, :width]
    pixels = np.clip(image, 0, 255).astype(np.uint8)
    mode_gray = index % 10 == 0  # a few black-and-white photos
    picture = Image.fromarray(pixels[..., 0] if mode_gray else pixels)
    path = Path(folder, f"class_{index % 4}", f"photo_{index:05d}.jpg")
    picture.save(path, quality=90)
    return width * height, path.stat().st_size


def generate(folder: Path, count: int) -> tuple[float, float]:
    """Write `count` photos; returns (total megapixels, total MiB on disk)."""
    for c in range(4):
        (folder / f"class_{c}").mkdir(parents=True, exist_ok=True)
    with Pool(2) as pool:
        sizes = pool.starmap(photo, [(i, str(folder)) for i in range(count)])
    pixels, size = np.sum(sizes, axis=0)
    return pixels / 1e6, size / 2**20


def load_in_fresh_process(folder: Path, *, full: bool) -> dict:
    code = LOADER.format(root=str(ROOT), full=full)
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--compare", action="store_true", help="also time full decoding")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cnnviz-photos-") as temp:
        folder = Path(temp)
        start = time.perf_counter()
        megapixels, mib = generate(folder, args.images)
        print(
            f"generated {args.images:,} JPEGs, {megapixels:,.0f} megapixels in all "
            f"({megapixels / args.images:.1f} MP each), {mib:,.0f} MiB on disk, "
            f"in {time.perf_counter() - start:.0f} s"
        )
        runs = [("draft decoding (cnnviz)", False)] + ([("full decoding", True)] * args.compare)
        results = []
        for label, full in runs:
            result = load_in_fresh_process(folder, full=full)
            results.append(result)
            print(
                f"{label:<24} {result['seconds']:6.1f} s  "
                f"{args.images / result['seconds']:6.0f} images/s  "
                f"peak memory {result['peak_mib']:6.0f} MiB  -> {tuple(result['shape'])}, "
                f"{result['counts']}"
            )
        peak = results[0]["peak_mib"]
        verdict = "under" if peak < GOAL_MIB else "OVER"
        print(f"\npeak memory {peak:.0f} MiB: {verdict} the {GOAL_MIB} MiB (1.5 GB) goal")
        if args.compare:
            print(
                f"draft decoding is {results[1]['seconds'] / results[0]['seconds']:.1f}x "
                "faster than full decoding"
            )


if __name__ == "__main__":
    main()

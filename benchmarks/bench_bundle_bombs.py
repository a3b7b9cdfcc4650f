"""Peak memory while the bundle import refuses zip bombs, next to an honest import.

Each case runs in a fresh process that first loads what the app's server holds
(TensorFlow, Keras, a model), then imports one bundle from its bytes, as the Predict
page does with an upload. Cases: an honest bundle (the baseline's work); its weights
member replaced by 1 GB of zeros, honestly declared (compressed ~1 MB); the same member
with its sizes in the zip headers rewritten to claim 1 MB (a member that lies about its
size: the reader must stop at the claim, not inflate 1 GB). The goal (issue 13): the
server's peak stays under 1.5 GB. Prints peak RSS and the rise over the baseline.

Run: python benchmarks/bench_bundle_bombs.py [--gigabytes 1]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
LIMIT_MB = 1500
WEIGHTS = "model.weights.h5"

CHILD = r"""
import json, sys, time
from benchmarks.procmem import peak_mb as peak
import keras, numpy as np  # what the server holds before anyone uploads
from cnnviz.bundle import import_bundle
from cnnviz.errors import CnnvizError
model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
model(np.zeros((1, 8, 8, 1), "float32"))
base = peak()
data = open(sys.argv[1], "rb").read()
start = time.perf_counter()
try:
    run = import_bundle(data, runs_dir=sys.argv[2], name="upload.zip")
    outcome = f"imported as {run.id}"
except CnnvizError as err:
    outcome = f"refused: {str(err)[:110]}"
print(json.dumps({"base": base, "peak": peak(), "seconds": time.perf_counter() - start,
                  "outcome": outcome}))
"""


def honest_bundle(folder: Path) -> bytes:
    """A real run's bundle (digits-small, trained for one epoch)."""
    from cnnviz.bundle import export_bundle
    from cnnviz.cli import main
    from cnnviz.runs import list_runs

    runs = folder / "runs"
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(
            ["train", "--data", "digits", "--model", "digits-small", "--epochs", "1",
             "--limit", "200", "--runs-dir", str(runs)]
        )  # fmt: skip
    if code != 0:
        raise RuntimeError("could not train the benchmark's run")
    return export_bundle(list_runs(runs)[0])


def with_zero_weights(honest: bytes, path: Path, size: int) -> None:
    """The honest bundle with its weights member replaced by `size` zero bytes,
    streamed into the zip (never held whole)."""
    with (
        zipfile.ZipFile(io.BytesIO(honest)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            if info.filename != WEIGHTS:
                out.writestr(info.filename, source.read(info))
                continue
            with out.open(WEIGHTS, "w", force_zip64=False) as member:
                chunk = bytes(2**24)
                for _ in range(size // len(chunk)):
                    member.write(chunk)


def lying_about_size(path: Path, claim: int) -> None:
    """Rewrite the weights member's uncompressed size in its local header and in the
    central directory to `claim` bytes (its data still inflates to the real size)."""
    data = bytearray(path.read_bytes())
    name = WEIGHTS.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, claim)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, claim)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def peak_of(bundle: Path, runs: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(bundle), str(runs)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=1.0, help="zeros in the bombs")
    args = parser.parse_args()
    size = int(args.gigabytes * 2**30)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        honest = honest_bundle(folder)
        cases = {"honest bundle": folder / "honest.zip"}
        cases["honest bundle"].write_bytes(honest)
        zeros = folder / "zeros.zip"
        with_zero_weights(honest, zeros, size)
        cases[f"{args.gigabytes:g} GB of zeros as weights"] = zeros
        liar = folder / "liar.zip"
        liar.write_bytes(zeros.read_bytes())
        lying_about_size(liar, 2**20)
        cases["the same, claiming 1 MB"] = liar
        results = {}
        for label, path in cases.items():
            results[label] = peak_of(path, folder / f"runs-{len(results)}")
            results[label]["upload_mb"] = path.stat().st_size / 2**20
    print(f"{'case':<30} {'upload':>8} {'baseline':>9} {'peak':>8} {'rise':>7}  outcome")
    for label, r in results.items():
        print(
            f"{label:<30} {r['upload_mb']:7.1f}M {r['base']:8.0f}M {r['peak']:7.0f}M "
            f"{r['peak'] - r['base']:+6.0f}M  {r['outcome']}"
        )
    worst = max(r["peak"] for r in results.values())
    verdict = "under" if worst < LIMIT_MB else "OVER"
    print(f"highest peak {worst:,.0f} MB: {verdict} the {LIMIT_MB:,} MB goal")


if __name__ == "__main__":
    main()

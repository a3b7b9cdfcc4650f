"""A user's folder or .zip of class folders: layouts, formats, and hostile archives.

Every archive here is built by the test itself. Hostile ones climb out of the archive,
carry decompression bombs, hold too many files, or are not archives at all; each must
give a clear `CnnvizError` (exit 2 on the command line) or be skipped and named, and
nothing may ever be written outside.
"""

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnviz.cli import main
from cnnviz.data import load_dataset
from cnnviz.data.folders import MAX_FILES, MAX_MEMBER_BYTES, ClassFolders
from cnnviz.errors import CnnvizError

RED, BLUE = (220, 20, 20), (20, 20, 220)


def image_bytes(fmt: str, size=(40, 30), mode="RGB", colour=RED) -> bytes:
    """A solid-colour image file in `fmt`, `size` (width, height), `mode`."""
    picture = Image.new("RGB", size, colour).convert(mode)
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt)
    return buffer.getvalue()


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A grayscale PNG declaring width x height; `rows` of zero pixels really stored
    (all of them by default: a genuine decompression bomb)."""
    compressor = zlib.compressobj(1)
    rows = height if rows is None else rows
    block = bytes(width + 1) * 100
    idat = b"".join(compressor.compress(block) for _ in range(rows // 100))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def good_files(prefix: str = "") -> dict[str, bytes]:
    """Two classes, three readable images each, in every supported format and mode."""
    return {
        f"{prefix}cats/a.png": image_bytes("PNG", (40, 30), "RGBA"),
        f"{prefix}cats/b.jpg": image_bytes("JPEG", (64, 48)),
        f"{prefix}cats/sub/c.gif": image_bytes("GIF", (20, 20), "P"),
        f"{prefix}dogs/a.bmp": image_bytes("BMP", (50, 70), colour=BLUE),
        f"{prefix}dogs/b.webp": image_bytes("WEBP", (33, 33), colour=BLUE),
        f"{prefix}dogs/c.JPEG": image_bytes("JPEG", (90, 60), "L", colour=BLUE),
    }


# --- layouts and formats ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_folder_and_zip_read_every_format_and_skip_junk(tmp_path, kind):
    files = {
        **good_files("pets/"),  # one wrapping folder
        "pets/cats/broken.png": b"\x89PNG\r\n\x1a\n not really",
        "pets/dogs/notes.txt": b"hello",
        "pets/.DS_Store": b"junk",
        "pets/cats/._a.png": b"mac resource fork",
        "__MACOSX/pets/cats/._b.jpg": b"junk",
        "pets/.hidden/x.png": image_bytes("PNG"),
    }
    if kind == "zip":
        source = write_zip(tmp_path / "pets.zip", files)
    else:
        source = write_tree(tmp_path / "tree", files)
    data = load_dataset(f"folder:{source}", image_size=(16, 16))
    info = data.info
    assert info.class_names == ("cats", "dogs")
    assert info.image_shape == (16, 16, 3)
    assert len(data.train) + len(data.test) == 6  # the broken one skipped
    both = np.concatenate([data.train.labels, data.test.labels])
    assert np.bincount(both).tolist() == [3, 3]
    assert info.counts["test"] == 2  # round(20% of 3) = 1 per class (hand-computed)
    text = "\n".join(info.warnings)
    assert "pets/cats/broken.png" in text
    assert "notes.txt" in text
    assert "DS_Store" not in text and "MACOSX" not in text and "hidden" not in text
    # solid colours survive decoding and resizing: cats red, dogs blue (grey for the L one)
    for split in (data.train, data.test):
        for image, label in zip(split.images, split.labels):
            r, g, b = image.reshape(-1, 3).mean(axis=0)
            assert (r > b + 100) if label == 0 else (b > r or abs(r - b) < 3)


def test_zip_and_folder_of_the_same_images_give_the_same_arrays(tmp_path):
    files = good_files()
    a = load_dataset(f"folder:{write_zip(tmp_path / 'x.zip', files)}")
    b = load_dataset(f"folder:{write_tree(tmp_path / 'x', files)}")
    assert a.info.image_shape == (64, 64, 3)  # the folder default
    np.testing.assert_array_equal(a.train.images, b.train.images)
    np.testing.assert_array_equal(a.test.labels, b.test.labels)


def test_grayscale_only_folder_has_one_channel(tmp_path):
    files = {
        f"{c}/{i}.png": image_bytes("PNG", (10 + i, 12), "L", colour=(i * 20,) * 3)
        for c in ("a", "b")
        for i in range(5)
    }
    data = load_dataset(f"folder:{write_tree(tmp_path, files)}", image_size=(8, 8))
    assert data.info.image_shape == (8, 8, 1)


def test_loose_images_outside_class_folders_are_named(tmp_path):
    files = {**good_files(), "stray.png": image_bytes("PNG")}
    info = load_dataset(f"folder:{write_tree(tmp_path, files)}").info
    assert any("outside class folders" in w and "stray.png" in w for w in info.warnings)


def test_imbalanced_classes_warn(tmp_path):
    files = {f"many/{i}.png": image_bytes("PNG") for i in range(20)}
    files |= {f"few/{i}.png": image_bytes("PNG", colour=BLUE) for i in range(3)}
    info = load_dataset(f"folder:{write_tree(tmp_path, files)}").info
    assert info.per_class["train"] == [2, 16]  # few: 3 - 1 test; many: 20 - 4 test
    assert any("imbalanced" in w for w in info.warnings)


def test_limit_chooses_files_before_decoding(tmp_path):
    files = {f"{c}/{i}.png": image_bytes("PNG") for c in ("a", "b") for i in range(20)}
    data = load_dataset(f"folder:{write_tree(tmp_path, files)}", limit=10)
    assert data.info.per_class["train"] == [5, 5]
    assert data.info.counts["test"] == 2  # 8 test images scaled by 10 / 32


# --- hostile archives ---------------------------------------------------------------


def test_members_that_climb_out_are_ignored_and_nothing_is_written(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    absolute = outside / "absolute.png"
    files = {
        **good_files(),
        "../evil.png": image_bytes("PNG"),
        "cats/../../evil2.png": image_bytes("PNG"),
        str(absolute): image_bytes("PNG"),
        "..\\windows.png": image_bytes("PNG"),
    }
    zip_path = write_zip(tmp_path / "x.zip", files)
    before = sorted(p for p in tmp_path.rglob("*"))
    data = load_dataset(f"folder:{zip_path}")
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert not (tmp_path.parent / "evil.png").exists() and not absolute.exists()
    assert len(data.train) + len(data.test) == 6
    warning = next(w for w in data.info.warnings if "climbs out" in w)
    assert "4 zip member(s)" in warning and "../evil.png" in warning


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {
        "cats/bomb.png": bomb_png(12_000, 12_000),  # 144 megapixels, really compressed
        "dogs/liar.png": bomb_png(100_000, 100_000, rows=100),  # declares 10 gigapixels
    }


def test_bomb_images_are_refused_and_named(tmp_path, bombs):
    data = load_dataset(f"folder:{write_zip(tmp_path / 'b.zip', good_files() | bombs)}")
    assert len(data.train) + len(data.test) == 6
    text = "\n".join(data.info.warnings)
    assert "skipped cats/bomb.png declares a huge pixel count" in text
    assert "skipped dogs/liar.png declares a huge pixel count" in text


def test_huge_and_highly_compressible_members_are_refused_before_decompressing(tmp_path):
    path = write_zip(tmp_path / "h.zip", good_files())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("cats/huge.bmp", "w", force_zip64=True) as member:
            for _ in range(MAX_MEMBER_BYTES // 2**20 + 1):
                member.write(bytes(2**20))
        zf.writestr("dogs/squashed.bmp", bytes(8 * 2**20))  # 8 MiB of zeros: ~1000 to 1
    data = load_dataset(f"folder:{path}")
    assert len(data.train) + len(data.test) == 6
    text = "\n".join(data.info.warnings)
    assert "refused cats/huge.bmp: 65 MiB uncompressed, more than 64 MiB" in text
    assert "refused dogs/squashed.bmp: compressed" in text and "zip bomb" in text


def test_bombs_do_not_exhaust_memory(tmp_path, bombs):
    """Peak memory of a fresh process loading an archive full of bombs stays small
    (decoding the 144-megapixel one alone would take it past 300 MiB)."""
    path = write_zip(tmp_path / "bombs.zip", good_files() | bombs)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("dogs/squashed.bmp", bytes(8 * 2**20))
    script = (
        "import json, sys\n"
        "from cnnviz.data import load_dataset\n"
        "data = load_dataset('folder:' + sys.argv[1])\n"
        "status = open('/proc/self/status').read()  # VmHWM: this process's peak RSS\n"
        "peak = int(status.split('VmHWM:')[1].split()[0]) // 1024\n"
        "print(json.dumps({'peak_mib': peak, 'n': len(data.train) + len(data.test)}))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["n"] == 6
    assert result["peak_mib"] < 150


def test_too_many_files_is_refused_before_reading_the_member_list(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(MAX_FILES + 1):
            zf.writestr(f"c{i % 2}/{i}.png", b"")
    with pytest.raises(CnnvizError, match="holds 50,001 files, more than the 50,000"):
        load_dataset(f"folder:{path}")


def test_too_many_files_in_a_folder(tmp_path):
    write_tree(tmp_path, {f"c{i % 2}/{i}.png": b"" for i in range(12)})
    with pytest.raises(CnnvizError, match="more than the 10 allowed"):
        ClassFolders(tmp_path, max_files=10)


def test_too_much_data_in_total(tmp_path):
    path = write_zip(tmp_path / "t.zip", good_files())
    with pytest.raises(CnnvizError, match="more than 0 MiB of images"):
        ClassFolders(path, max_total_bytes=1_000)


HOSTILE = {
    "one class": (
        {"cats/a.png": image_bytes("PNG"), "cats/b.png": image_bytes("PNG")},
        "at least 2 class sub-folders of images and has only one, 'cats'",
    ),
    "no class folders": ({"a.png": image_bytes("PNG")}, "has no images in class"),
    "nothing readable": (
        {"cats/a.png": b"garbage", "dogs/b.jpg": b"\xff\xd8 garbage"},
        "no readable images: cats/a.png is not an image",
    ),
    "only text": ({"cats/a.txt": b"x", "dogs/b.txt": b"y"}, "has no images in class"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_unusable_archives_exit_2_with_a_clear_message(tmp_path, capsys, case):
    files, message = HOSTILE[case]
    path = write_zip(tmp_path / "x.zip", files)
    with pytest.raises(CnnvizError, match=message):
        load_dataset(f"folder:{path}")
    assert main(["data-info", f"folder:{path}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is an empty file, not a .zip"),
        (b"just some text, not an archive\n" * 10, "is not a folder or a .zip archive"),
        (image_bytes("PNG"), "is not a folder or a .zip archive"),
    ],
)
def test_files_that_are_not_zips(tmp_path, capsys, content, message):
    path = tmp_path / "data.zip"
    path.write_bytes(content)
    with pytest.raises(CnnvizError, match=message):
        load_dataset(f"folder:{path}")
    assert main(["data-info", f"folder:{path}"]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_damaged_zip(tmp_path):
    data = write_zip(tmp_path / "ok.zip", good_files()).read_bytes()
    end = data.rfind(b"PK\x05\x06")
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(data[: end - 30] + data[end:])  # central directory cut short
    with pytest.raises(CnnvizError, match="damaged.zip"):
        load_dataset(f"folder:{damaged}")


def test_missing_path(tmp_path):
    with pytest.raises(CnnvizError, match="no such folder or .zip: .*nowhere"):
        load_dataset(f"folder:{tmp_path / 'nowhere'}")


def test_a_member_larger_than_its_header_says_is_never_read_whole(tmp_path):
    """The central directory says 50 bytes; the member really holds a whole PNG."""
    data = bytearray(write_zip(tmp_path / "x.zip", {"cats/a.png": image_bytes("PNG")}).read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 50)  # uncompressed size
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bytes(data))
    with ClassFolders(liar) as folders:
        (entry,) = folders.entries
        with pytest.raises(CnnvizError, match="cats/a.png is a corrupt zip member"):
            folders.source(entry)


def test_folder_symlinks_to_folders_are_not_followed(tmp_path):
    root = write_tree(tmp_path / "data", good_files())
    elsewhere = write_tree(tmp_path / "elsewhere", {"x.png": image_bytes("PNG")})
    os.symlink(elsewhere, root / "cats" / "link")
    with ClassFolders(root) as folders:
        assert not any("link" in e.name for e in folders.entries)
        assert len(folders.entries) == 6

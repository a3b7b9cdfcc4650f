"""Zip archives read safely: the member count before the list, paths that stay inside,
members read with a running cap that no header can talk past.

Oracles: archives written here with `zipfile`, with their headers edited by hand.
"""

import io
import struct
import zipfile

import pytest

from cnnviz import archive
from cnnviz.errors import CnnvizError


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_the_member_count_comes_from_the_end_record():
    data = zip_bytes({f"m{i}": b"x" for i in range(5)})
    assert archive.member_count(data) == 5
    assert archive.member_count(b"not a zip at all") is None
    with pytest.raises(CnnvizError, match="holds 5 files, more than the 4 allowed"):
        archive.open_zip(data, 4, name="five.zip")
    with archive.open_zip(data, 5) as zf:
        assert len(zf.infolist()) == 5


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty, not a .zip archive"),
        (b"plain text\n" * 20, "is not a .zip archive"),
    ],
)
def test_what_is_not_a_zip_is_said_so(data, message):
    with pytest.raises(CnnvizError, match=message):
        archive.open_zip(data, 10, name="upload")


@pytest.mark.parametrize(
    "name, safe",
    [
        ("cats/1.png", "cats/1.png"),
        ("./cats//1.png", "cats/1.png"),
        ("../etc/passwd", None),
        ("cats/../../x", None),
        ("/abs/path", None),
        ("C:\\windows\\x", None),
        ("", None),
    ],
)
def test_member_paths_must_stay_inside(name, safe):
    path = archive.safe_member_path(name)
    assert (None if path is None else str(path)) == safe


def test_a_member_is_read_in_full_when_it_fits():
    data = zip_bytes({"a.txt": b"hello" * 1000})
    with archive.open_zip(data, 1) as zf:
        info = zf.getinfo("a.txt")
        assert archive.read_member(zf, info, max_bytes=10_000, name="a") == b"hello" * 1000
        out = io.BytesIO()
        assert archive.read_member(zf, info, max_bytes=10_000, name="a", into=out) is None
        assert out.getvalue() == b"hello" * 1000
        with pytest.raises(CnnvizError, match="a is refused: .* more than"):
            archive.read_member(zf, info, max_bytes=100, name="a")


def test_a_member_that_lies_about_its_size_is_never_read_past_its_claim():
    """The central directory says 100 bytes; the member really holds 5 MB of zeros."""
    data = bytearray(zip_bytes({"w.h5": bytes(5_000_000)}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 100)  # uncompressed size
    with archive.open_zip(bytes(data), 1) as zf:
        info = zf.getinfo("w.h5")
        assert info.file_size == 100
        out = io.BytesIO()
        with pytest.raises(CnnvizError, match="w.h5"):
            archive.read_member(zf, info, max_bytes=10**9, name="w.h5", into=out)
        assert len(out.getvalue()) <= 100


def test_a_zip_bomb_is_refused_by_its_ratio_before_a_byte_is_read():
    data = zip_bytes({"bomb.bin": bytes(50_000_000)})  # 50 MB of zeros compress ~1000x
    with archive.open_zip(data, 1) as zf:
        info = zf.getinfo("bomb.bin")
        with pytest.raises(CnnvizError, match="a zip bomb"):
            archive.read_member(zf, info, max_bytes=10**9, name="bomb.bin")
    assert archive.ratio_refusal(2**20 + 1, None, 2**30) is None  # outside a zip: no ratio

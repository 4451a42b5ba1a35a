"""Images and reports for the residents' tests."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

MOBILE = "13912345678"


def jpeg_with_exif(name="photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    """A real JPEG carrying EXIF (camera make and a GPS block), as a phone would send."""
    picture = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "居民手机"  # Make
    exif[0x0110] = "Model X"
    exif[0x8825] = {1: "N", 2: (32.0, 3.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png_header(width: int, height: int, name="huge.png") -> SimpleUploadedFile:
    """A PNG that declares width × height pixels (a bomb): only its header, as Pillow reads first."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, body, content_type="image/png")


def renamed_pdf(name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", content_type="image/jpeg"
    )


def report(**extra) -> dict:
    data = {
        "kind": "repair",
        "repair_category": "water_pipe",
        "urgency": "urgent",
        "description": "厨房水管爆裂，水流不止",
        "building": "3",
        "unit": "2",
        "room": "301",
        "name": "李四",
        "phone": MOBILE,
    }
    data.update(extra)
    return data

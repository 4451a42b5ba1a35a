"""Photos taken on the spot (现场照片): checked to be images, stored with the time they were
taken (the photo's EXIF DateTimeOriginal, Asia/Shanghai; the upload time when it has none)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from PIL import Image, UnidentifiedImageError

MAX_PHOTOS = 9
MAX_BYTES = 10 * 1024 * 1024
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
DATETIME = 306


class PhotoRefused(ValueError):
    pass


def taken_time(upload) -> dt.datetime:
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            exif = img.getexif()
            raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
        if raw:
            value = dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
            value = timezone.make_aware(value)
            if value <= timezone.now():
                return value
    except (ValueError, OSError, UnidentifiedImageError):
        pass
    finally:
        upload.seek(0)
    return timezone.now()


def read_photos(files) -> list[tuple]:
    """→ [(upload, taken_at)]; refuses anything that is not an image, too big, or too many."""
    if len(files) > MAX_PHOTOS:
        raise PhotoRefused(f"每次最多上传 {MAX_PHOTOS} 张照片。")
    out = []
    for upload in files:
        if upload.size > MAX_BYTES:
            raise PhotoRefused(f"照片“{upload.name}”超过 10 MB。")
        try:
            upload.seek(0)
            with Image.open(upload) as img:
                img.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise PhotoRefused(f"“{upload.name}”不是有效的图片。") from None
        finally:
            upload.seek(0)
        out.append((upload, taken_time(upload)))
    return out

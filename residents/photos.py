"""Photos of a resident's report (照片): checked with Pillow and re-encoded as JPEG, which
drops EXIF (the phone's GPS position and model) and anything hidden after the image data.

Refused, each with a Chinese message: more than RESIDENTS_MAX_PHOTOS, over
RESIDENTS_PHOTO_MAX_BYTES, anything Pillow cannot read as an image (a PDF renamed .jpg), and
images over RESIDENTS_PHOTO_MAX_PIXELS — judged from the header before the pixels are decoded,
so a decompression bomb never reaches memory."""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

READABLE = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO", "HEIF"}


def clean_photos(uploads) -> list[ContentFile]:
    uploads = [u for u in uploads if getattr(u, "size", 0)]
    limit = settings.RESIDENTS_MAX_PHOTOS
    if len(uploads) > limit:
        raise ValidationError({"photos": f"最多上传{limit}张照片。"})
    return [_clean(upload, i) for i, upload in enumerate(uploads, start=1)]


def _clean(upload, number: int) -> ContentFile:
    max_mb = settings.RESIDENTS_PHOTO_MAX_BYTES // (1024 * 1024)
    if upload.size > settings.RESIDENTS_PHOTO_MAX_BYTES:
        raise ValidationError({"photos": f"第{number}张照片超过{max_mb}MB，请压缩后再上传。"})
    not_image = f"第{number}张照片不是可识别的图片（请上传 JPG、PNG 照片）。"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            picture = Image.open(upload)
            if picture.format not in READABLE:
                raise ValidationError({"photos": not_image})
            width, height = picture.size
            if width * height > settings.RESIDENTS_PHOTO_MAX_PIXELS:
                wan = settings.RESIDENTS_PHOTO_MAX_PIXELS // 10_000
                raise ValidationError({"photos": f"第{number}张照片像素过大（超过{wan}万像素），请缩小后再上传。"})
            picture.load()
            picture = ImageOps.exif_transpose(picture)  # keep it upright once the EXIF is gone
            if picture.mode not in ("RGB", "L"):
                picture = picture.convert("RGB")
            out = io.BytesIO()
            picture.save(out, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise ValidationError({"photos": not_image}) from None
    return ContentFile(out.getvalue(), name=f"照片{number}.jpg")

"""A local image captcha (验证码), drawn with Pillow: no outside service. The code lives in the
visitor's session and is good for one answer."""

from __future__ import annotations

import io
import secrets

from PIL import Image, ImageDraw, ImageFont

# No 0/O, 1/I/L: read on a phone in the sun.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 4
SESSION_KEY = "residents_captcha"


def new_code(request) -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    request.session[SESSION_KEY] = code
    return code


def check(request, answer: str) -> bool:
    """Right or wrong, the code is used up: a new one is drawn for the next try."""
    expected = request.session.pop(SESSION_KEY, None)
    return bool(expected) and (answer or "").strip().upper() == expected


def image(code: str) -> bytes:
    rng = secrets.SystemRandom()
    width, height = 160, 56
    picture = Image.new("RGB", (width, height), (245, 247, 250))
    draw = ImageDraw.Draw(picture)
    try:
        font = ImageFont.load_default(size=34)
    except TypeError:  # an older Pillow without sizes
        font = ImageFont.load_default()
    for _ in range(6):  # noise lines
        draw.line(
            [(rng.randint(0, width), rng.randint(0, height)), (rng.randint(0, width), rng.randint(0, height))],
            fill=(rng.randint(120, 200),) * 3,
            width=2,
        )
    for i, char in enumerate(code):
        draw.text(
            (14 + i * 36 + rng.randint(-3, 3), 8 + rng.randint(-4, 4)),
            char,
            font=font,
            fill=(rng.randint(0, 90), rng.randint(0, 90), rng.randint(60, 140)),
        )
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()

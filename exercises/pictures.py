"""The bytes of an exercise picture: what kind of image they are and how large it is drawn.

Uploads are recognised by their first bytes, never by the file name. SVG is never accepted as an
upload (it can carry scripts); it is loaded only from the files shipped with the catalogue.
"""

import re
import struct

SVG = "image/svg+xml"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
CONTENT_TYPES = [SVG, PNG, JPEG, WEBP]
UPLOAD_TYPES = [PNG, JPEG, WEBP]
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
# Used for a shipped drawing that names no size: the <img> still reserves its box.
FALLBACK_SIZE = (400, 300)
# Served with every picture: no sniffing, and an SVG opened on its own runs nothing.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

_SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def sniff(data: bytes):
    """The content type of PNG, JPEG or WebP bytes, else None (SVG, text, anything else)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def _png_size(data):
    if len(data) >= 24 and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    return None


def _jpeg_size(data):
    i = 2
    while i + 9 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in _SOF_MARKERS:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(data):
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.S)
_NUMBER = rb"\s*=\s*[\"']\s*([0-9.]+)(?:px)?\s*[\"']"


def _svg_size(data):
    tag = _SVG_TAG.search(data)
    if tag is None:
        return None
    tag = tag.group(0)
    width = re.search(rb"\swidth" + _NUMBER, tag)
    height = re.search(rb"\sheight" + _NUMBER, tag)
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = re.search(rb"viewBox\s*=\s*[\"']([^\"']+)[\"']", tag)
    if box:
        parts = box.group(1).replace(b",", b" ").split()
        if len(parts) == 4:
            try:
                return round(float(parts[2])), round(float(parts[3]))
            except ValueError:
                return None
    return None


_READERS = {PNG: _png_size, JPEG: _jpeg_size, WEBP: _webp_size, SVG: _svg_size}


def image_size(data: bytes, content_type):
    """(width, height) in pixels, or None when the bytes do not say (or say nonsense)."""
    reader = _READERS.get(content_type)
    try:
        size = reader(bytes(data)) if reader else None
    except (struct.error, ValueError, IndexError):
        return None
    if size and all(0 < side <= 20000 for side in size):
        return size
    return None

"""A small PNG logo for the demo business, drawn in code so no image file is shipped."""

from __future__ import annotations

import struct
import zlib

SIZE = 96
BLUE = (11, 92, 173)
WHITE = (255, 255, 255)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def demo_logo_png() -> bytes:
    """A blue disc with a white drop of water: a plumber's mark."""
    centre = SIZE / 2
    rows = []
    for y in range(SIZE):
        row = bytearray([0])  # filter type: none
        for x in range(SIZE):
            in_disc = (x - centre) ** 2 + (y - centre) ** 2 <= (SIZE / 2 - 2) ** 2
            # The drop: a circle at the bottom with a point rising above it.
            drop_centre_y = centre + 10
            in_round = (x - centre) ** 2 + (y - drop_centre_y) ** 2 <= 18**2
            in_point = drop_centre_y - 38 <= y <= drop_centre_y and abs(x - centre) <= (y - (drop_centre_y - 38)) * 0.48
            colour = WHITE if (in_round or in_point) and in_disc else (BLUE if in_disc else WHITE)
            row += bytes(colour)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b"")

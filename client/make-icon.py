"""Draws client/icon.png, the extension's 128x128 Marketplace icon, with the standard library only (zlib PNG).

A dark rounded square; three lines of text in white, the last one ending at a caret followed by a grey
"ghost text" continuation: what the extension does. Run: python3 client/make-icon.py
"""

import struct
import zlib
from pathlib import Path

SIZE = 128
BACKGROUND = (30, 41, 59)
TEXT = (241, 245, 249)
GHOST = (100, 116, 139)
CARET = (56, 189, 248)


def inside_rounded_square(x: float, y: float, radius: float = 24) -> bool:
    cx = min(max(x, radius), SIZE - radius)
    cy = min(max(y, radius), SIZE - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def bar(x0: int, x1: int, y0: int, y1: int):
    """A text line drawn as a bar with rounded ends, (x, y) -> inside."""
    r = (y1 - y0) / 2

    def inside(x: float, y: float) -> bool:
        cx = min(max(x, x0 + r), x1 - r)
        return (x - cx) ** 2 + (y - (y0 + r)) ** 2 <= r**2

    return inside


def rectangle(x0: int, x1: int, y0: int, y1: int):
    return lambda x, y: x0 <= x <= x1 and y0 <= y <= y1


SHAPES = [
    (bar(22, 106, 30, 40), TEXT),
    (bar(22, 92, 52, 62), TEXT),
    (bar(22, 58, 74, 84), TEXT),
    (rectangle(62, 66, 68, 90), CARET),
    (bar(70, 106, 74, 84), GHOST),
]


def pixel(x: int, y: int) -> tuple[int, int, int, int]:
    # 4x4 supersampling for smooth edges.
    samples = [(x + (i + 0.5) / 4, y + (j + 0.5) / 4) for i in range(4) for j in range(4)]
    total = [0.0, 0.0, 0.0, 0.0]
    for sx, sy in samples:
        if not inside_rounded_square(sx, sy):
            continue
        colour = BACKGROUND
        for inside, c in SHAPES:
            if inside(sx, sy):
                colour = c
        for k in range(3):
            total[k] += colour[k]
        total[3] += 255
    n = len(samples)
    alpha = total[3] / n
    if alpha == 0:
        return (0, 0, 0, 0)
    covered = total[3] / 255
    return (round(total[0] / covered), round(total[1] / covered), round(total[2] / covered), round(alpha))


def png(rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    rows = [bytes(v for x in range(SIZE) for v in pixel(x, y)) for y in range(SIZE)]
    out = Path(__file__).with_name("icon.png")
    out.write_bytes(png(rows))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

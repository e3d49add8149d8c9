# Rasterises the glyphs detour's PNG charts use from DejaVu Sans (Bitstream Vera licence, see
# FONT-LICENSE-DejaVu.txt) into font.bin.gz: for each pixel size, for each character, its advance,
# offsets and an 8-bit coverage bitmap. Run once: python3 gen_font.py /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
import gzip, struct, sys
from PIL import Image, ImageDraw, ImageFont
src = sys.argv[1]
chars = [chr(c) for c in range(32, 127)] + list("→–—·€×≈…’")
sizes = [18, 20, 22, 30, 32]
out = bytearray(b"DTRF")
out += struct.pack("<H", len(sizes))
for size in sizes:
    font = ImageFont.truetype(src, size)
    ascent, descent = font.getmetrics()
    out += struct.pack("<HHH", size, ascent, len(chars))
    for ch in chars:
        adv = round(font.getlength(ch))
        box = font.getbbox(ch)  # relative to the origin at the top of the ascent
        l, t, r, b = box
        w, h = max(r - l, 0), max(b - t, 0)
        data = b""
        if w and h:
            im = Image.new("L", (w, h), 0)
            ImageDraw.Draw(im).text((-l, -t), ch, font=font, fill=255)
            data = im.tobytes()
        # offsets: x from the pen position, y from the baseline (negative = above)
        out += struct.pack("<IHhhHH", ord(ch), adv, l, t - ascent, w, h) + data
open("font.bin.gz", "wb").write(gzip.compress(bytes(out), 9))
print(len(out), "bytes raw")

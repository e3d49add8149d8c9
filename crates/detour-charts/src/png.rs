//! PNG charts: the SVG that [`crate::svg`] writes, rasterised (at twice its size, anti-aliased) and
//! encoded as PNG. The rasteriser handles exactly the elements the chart module emits — `rect`,
//! `line` (with `stroke-dasharray`), `polyline`, `path` (M/L), `circle` and `text` (anchors, sizes,
//! colours, the axis labels' `rotate(-45 …)`) — with glyphs from DejaVu Sans pre-rendered into
//! `assets/font.bin.gz` (see `assets/gen_font.py`).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::OnceLock;

use regex::Regex;

const SCALE: f32 = 2.0;
const FONT_GZ: &[u8] = include_bytes!("../assets/font.bin.gz");

struct Glyph {
    advance: f32,
    left: i32,
    /// From the baseline, negative above it.
    top: i32,
    w: usize,
    h: usize,
    alpha: Vec<u8>,
}

struct Font {
    /// Pixel size -> glyphs.
    sizes: Vec<(u16, HashMap<char, Glyph>)>,
}

fn font() -> &'static Font {
    static F: OnceLock<Font> = OnceLock::new();
    F.get_or_init(|| {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(FONT_GZ)
            .read_to_end(&mut raw)
            .expect("embedded font decodes");
        let mut p = 4usize; // "DTRF"
        let u16at = |p: &mut usize| {
            let v = u16::from_le_bytes([raw[*p], raw[*p + 1]]);
            *p += 2;
            v
        };
        let nsizes = u16at(&mut p);
        let mut sizes = Vec::new();
        for _ in 0..nsizes {
            let size = u16at(&mut p);
            let _ascent = u16at(&mut p);
            let n = u16at(&mut p);
            let mut glyphs = HashMap::new();
            for _ in 0..n {
                let c = u32::from_le_bytes([raw[p], raw[p + 1], raw[p + 2], raw[p + 3]]);
                p += 4;
                let advance = u16at(&mut p) as f32;
                let left = u16at(&mut p) as i16 as i32;
                let top = u16at(&mut p) as i16 as i32;
                let w = u16at(&mut p) as usize;
                let h = u16at(&mut p) as usize;
                let alpha = raw[p..p + w * h].to_vec();
                p += w * h;
                if let Some(ch) = char::from_u32(c) {
                    glyphs.insert(
                        ch,
                        Glyph {
                            advance,
                            left,
                            top,
                            w,
                            h,
                            alpha,
                        },
                    );
                }
            }
            sizes.push((size, glyphs));
        }
        Font { sizes }
    })
}

struct TextStyle {
    /// Pixel size.
    size: f32,
    colour: [f32; 3],
    /// start, middle or end.
    anchor: String,
    /// Degrees, about the anchor point.
    angle: f32,
}

struct Canvas {
    w: usize,
    h: usize,
    px: Vec<[f32; 3]>,
}

impl Canvas {
    fn new(w: usize, h: usize) -> Canvas {
        Canvas {
            w,
            h,
            px: vec![[1.0; 3]; w * h],
        }
    }

    fn blend(&mut self, x: i64, y: i64, c: [f32; 3], a: f32) {
        if x < 0 || y < 0 || x >= self.w as i64 || y >= self.h as i64 || a <= 0.0 {
            return;
        }
        let a = a.min(1.0);
        let p = &mut self.px[y as usize * self.w + x as usize];
        for k in 0..3 {
            p[k] = p[k] * (1.0 - a) + c[k] * a;
        }
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, c: [f32; 3]) {
        let (x0, y0) = (x.max(0.0) as i64, y.max(0.0) as i64);
        let (x1, y1) = ((x + w).ceil() as i64, (y + h).ceil() as i64);
        for yy in y0..y1.min(self.h as i64) {
            for xx in x0..x1.min(self.w as i64) {
                self.blend(xx, yy, c, 1.0);
            }
        }
    }

    /// An anti-aliased segment of the given width, optionally dashed (on, off) along its length.
    fn line(
        &mut self,
        a: (f32, f32),
        b: (f32, f32),
        width: f32,
        c: [f32; 3],
        dash: Option<(f32, f32)>,
        phase: f32,
    ) {
        let r = width / 2.0;
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let len = len2.sqrt();
        let (x0, x1) = (
            (a.0.min(b.0) - r - 1.0).floor() as i64,
            (a.0.max(b.0) + r + 1.0).ceil() as i64,
        );
        let (y0, y1) = (
            (a.1.min(b.1) - r - 1.0).floor() as i64,
            (a.1.max(b.1) + r + 1.0).ceil() as i64,
        );
        for y in y0.max(0)..=y1.min(self.h as i64 - 1) {
            for x in x0.max(0)..=x1.min(self.w as i64 - 1) {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let t = if len2 > 0.0 {
                    (((px - a.0) * dx + (py - a.1) * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                if let Some((on, off)) = dash
                    && (phase + t * len) % (on + off) > on
                {
                    continue;
                }
                let (qx, qy) = (a.0 + t * dx, a.1 + t * dy);
                let d = ((px - qx).powi(2) + (py - qy).powi(2)).sqrt();
                self.blend(x, y, c, r + 0.5 - d);
            }
        }
    }

    fn circle(
        &mut self,
        cx: f32,
        cy: f32,
        r: f32,
        fill: Option<[f32; 3]>,
        stroke: Option<([f32; 3], f32)>,
    ) {
        let e = r + 2.0;
        for y in (cy - e).floor() as i64..=(cy + e).ceil() as i64 {
            for x in (cx - e).floor() as i64..=(cx + e).ceil() as i64 {
                let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                if let Some(f) = fill {
                    self.blend(x, y, f, r + 0.5 - d);
                }
                if let Some((s, w)) = stroke {
                    self.blend(x, y, s, w / 2.0 + 0.5 - (d - r).abs());
                }
            }
        }
    }

    /// Text at (x, y) on the baseline; `anchor` start/middle/end; `angle` in degrees (rotation about (x, y)).
    fn text(&mut self, s: &str, at: (f32, f32), st: &TextStyle) {
        let (x, y) = at;
        let (px_size, c, anchor, angle) = (st.size, st.colour, st.anchor.as_str(), st.angle);
        let f = font();
        let (_, glyphs) = f
            .sizes
            .iter()
            .min_by_key(|(sz, _)| (*sz as f32 - px_size).abs() as i64)
            .expect("a font size");
        let width: f32 = s
            .chars()
            .map(|ch| glyphs.get(&ch).map_or(px_size * 0.6, |g| g.advance))
            .sum();
        let start = match anchor {
            "end" => -width,
            "middle" => -width / 2.0,
            _ => 0.0,
        };
        let (sin, cos) = angle.to_radians().sin_cos();
        let mut pen = start;
        for ch in s.chars() {
            let Some(g) = glyphs.get(&ch).or_else(|| glyphs.get(&'?')) else {
                continue;
            };
            for gy in 0..g.h {
                for gx in 0..g.w {
                    let a = g.alpha[gy * g.w + gx] as f32 / 255.0;
                    if a <= 0.0 {
                        continue;
                    }
                    let (lx, ly) = (pen + g.left as f32 + gx as f32, g.top as f32 + gy as f32);
                    if angle == 0.0 {
                        self.blend((x + lx).round() as i64, (y + ly).round() as i64, c, a);
                    } else {
                        // Rotated: splat bilinearly.
                        let rx = x + lx * cos - ly * sin;
                        let ry = y + lx * sin + ly * cos;
                        let (fx, fy) = (rx.floor(), ry.floor());
                        let (tx, ty) = (rx - fx, ry - fy);
                        for (ox, oy, wgt) in [
                            (0, 0, (1.0 - tx) * (1.0 - ty)),
                            (1, 0, tx * (1.0 - ty)),
                            (0, 1, (1.0 - tx) * ty),
                            (1, 1, tx * ty),
                        ] {
                            self.blend(fx as i64 + ox, fy as i64 + oy, c, a * wgt * 1.3);
                        }
                    }
                }
            }
            pen += g.advance;
        }
    }

    fn png(&self) -> Vec<u8> {
        let mut raw = Vec::with_capacity((self.w * 3 + 1) * self.h);
        for y in 0..self.h {
            raw.push(0u8);
            for x in 0..self.w {
                for v in self.px[y * self.w + x] {
                    raw.push((v.clamp(0.0, 1.0) * 255.0).round() as u8);
                }
            }
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&raw).expect("in-memory compression");
        let idat = z.finish().expect("in-memory compression");
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend((self.w as u32).to_be_bytes());
        ihdr.extend((self.h as u32).to_be_bytes());
        ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB
        for (kind, data) in [
            (&b"IHDR"[..], &ihdr[..]),
            (b"IDAT", &idat[..]),
            (b"IEND", &[][..]),
        ] {
            out.extend((data.len() as u32).to_be_bytes());
            let mut crc = flate2::Crc::new();
            crc.update(kind);
            crc.update(data);
            out.extend(kind);
            out.extend(data);
            out.extend(crc.sum().to_be_bytes());
        }
        out
    }
}

fn colour(s: &str) -> Option<[f32; 3]> {
    let s = s.trim();
    let hex = |h: &str| u8::from_str_radix(h, 16).ok().map(|v| v as f32 / 255.0);
    match s {
        "none" | "" => None,
        "white" => Some([1.0; 3]),
        "black" => Some([0.0; 3]),
        _ if s.starts_with('#') && s.len() == 7 => {
            Some([hex(&s[1..3])?, hex(&s[3..5])?, hex(&s[5..7])?])
        }
        _ if s.starts_with('#') && s.len() == 4 => {
            let d = |i: usize| hex(&s[i..i + 1]).map(|v| v * 17.0);
            Some([d(1)?, d(2)?, d(3)?])
        }
        _ => Some([0.0; 3]),
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Rasterise one of detour's chart SVGs to PNG bytes.
pub fn svg_to_png(svg: &str) -> Vec<u8> {
    static TAG: OnceLock<Regex> = OnceLock::new();
    static ATTR: OnceLock<Regex> = OnceLock::new();
    static NUM: OnceLock<Regex> = OnceLock::new();
    let tag = TAG.get_or_init(|| {
        Regex::new(
            r"(?s)<(svg|rect|line|polyline|path|circle|text)\b([^>]*?)/?>(?:([^<]*)</text>)?",
        )
        .expect("valid regex")
    });
    let attr = ATTR.get_or_init(|| Regex::new(r#"([\w-]+)="([^"]*)""#).expect("valid regex"));
    let num = NUM.get_or_init(|| Regex::new(r"-?\d+(?:\.\d+)?").expect("valid regex"));
    let mut canvas: Option<Canvas> = None;
    let mut default_size = 11.0f32;
    for c in tag.captures_iter(svg) {
        let a: HashMap<&str, &str> = attr
            .captures_iter(c.get(2).map_or("", |m| m.as_str()))
            .map(|m| {
                (
                    m.get(1).expect("name").as_str(),
                    m.get(2).expect("value").as_str(),
                )
            })
            .collect();
        let f = |k: &str| a.get(k).and_then(|v| v.parse::<f32>().ok()).unwrap_or(0.0) * SCALE;
        let kind = &c[1];
        if kind == "svg" {
            let (w, h) = (f("width"), f("height"));
            if let Some(fs) = a.get("font-size").and_then(|v| v.parse::<f32>().ok()) {
                default_size = fs;
            }
            canvas = Some(Canvas::new(w.max(1.0) as usize, h.max(1.0) as usize));
            continue;
        }
        let Some(cv) = canvas.as_mut() else { continue };
        let stroke = a.get("stroke").and_then(|s| colour(s));
        let sw = a
            .get("stroke-width")
            .and_then(|v| v.parse::<f32>().ok())
            .unwrap_or(1.0)
            * SCALE;
        let dash = a.get("stroke-dasharray").and_then(|d| {
            let v: Vec<f32> = num
                .find_iter(d)
                .filter_map(|m| m.as_str().parse().ok())
                .collect();
            (v.len() >= 2).then(|| (v[0] * SCALE, v[1] * SCALE))
        });
        match kind {
            "rect" => {
                if let Some(fill) = a.get("fill").and_then(|s| colour(s)) {
                    let full = |k: &str, d: f32| if a.get(k) == Some(&"100%") { d } else { f(k) };
                    let (w, h) = (full("width", cv.w as f32), full("height", cv.h as f32));
                    cv.rect(f("x"), f("y"), w, h, fill);
                }
            }
            "line" => {
                if let Some(s) = stroke {
                    cv.line((f("x1"), f("y1")), (f("x2"), f("y2")), sw, s, dash, 0.0);
                }
            }
            "polyline" | "path" => {
                let Some(s) = stroke else { continue };
                let d = a
                    .get(if kind == "path" { "d" } else { "points" })
                    .copied()
                    .unwrap_or("");
                // Sub-paths start at each "M" (a polyline is one).
                let parts: Vec<&str> = if kind == "path" {
                    d.split('M').collect()
                } else {
                    vec![d]
                };
                for part in parts {
                    let v: Vec<f32> = num
                        .find_iter(part)
                        .filter_map(|m| m.as_str().parse::<f32>().ok())
                        .map(|x| x * SCALE)
                        .collect();
                    let pts: Vec<(f32, f32)> = v.chunks_exact(2).map(|p| (p[0], p[1])).collect();
                    for w in pts.windows(2) {
                        cv.line(w[0], w[1], sw, s, dash, 0.0);
                    }
                }
            }
            "circle" => {
                let fill = a.get("fill").and_then(|s| colour(s));
                cv.circle(f("cx"), f("cy"), f("r"), fill, stroke.map(|s| (s, sw)));
            }
            "text" => {
                let text = unescape(c.get(3).map_or("", |m| m.as_str()));
                let size = a
                    .get("font-size")
                    .and_then(|v| v.parse::<f32>().ok())
                    .unwrap_or(default_size)
                    * SCALE;
                let fill = a.get("fill").and_then(|s| colour(s)).unwrap_or([0.0; 3]);
                let anchor = a.get("text-anchor").copied().unwrap_or("start");
                let angle = a
                    .get("transform")
                    .and_then(|t| t.strip_prefix("rotate("))
                    .and_then(|t| num.find(t))
                    .and_then(|m| m.as_str().parse::<f32>().ok())
                    .unwrap_or(0.0);
                let style = TextStyle {
                    size,
                    colour: fill,
                    anchor: anchor.to_string(),
                    angle,
                };
                cv.text(&text, (f("x"), f("y")), &style);
            }
            _ => {}
        }
    }
    canvas.unwrap_or_else(|| Canvas::new(1, 1)).png()
}

/// Write a chart to `path`: PNG when the name ends in `.png`, else the SVG itself.
pub fn write_chart(path: &std::path::Path, svg: &str) -> std::io::Result<()> {
    let is_png = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if is_png {
        std::fs::write(path, svg_to_png(svg))
    } else {
        std::fs::write(path, svg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rasterises_a_chart_to_a_valid_png() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" font-size="11"><rect width="100%" height="100%" fill="white"/><line x1="0" y1="25" x2="100" y2="25" stroke="#000000" stroke-width="2"/><text x="10" y="20">Ab</text></svg>"##;
        let png = svg_to_png(svg);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 200);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 100);
        // Decode the image data and look at pixels: the line is dark, the corner white, the text inked.
        let idat_start = png.windows(4).position(|w| w == b"IDAT").unwrap() + 4;
        let len =
            u32::from_be_bytes(png[idat_start - 8..idat_start - 4].try_into().unwrap()) as usize;
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&png[idat_start..idat_start + len])
            .read_to_end(&mut raw)
            .unwrap();
        let px = |x: usize, y: usize| raw[y * (200 * 3 + 1) + 1 + x * 3];
        assert!(px(100, 50) < 40, "the line");
        assert_eq!(px(5, 5), 255, "background");
        let inked = (0..60)
            .flat_map(|x| (20..42).map(move |y| (x + 20, y)))
            .filter(|&(x, y)| px(x, y) < 128)
            .count();
        assert!(inked > 20, "text glyphs drawn: {inked}");
    }
}

//! Plain SVG charts: a line over periods (y axis from zero, hollow markers for incomplete
//! periods, gaps where nothing is loaded, the sources in the footer), indexed lines with event
//! markers, and horizontal bars.

use std::fmt::Write;

/// One point of a [`Line`]: its period label, its value (`None`: nothing loaded, a gap) and
/// whether the period is complete (hollow marker otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    pub complete: bool,
}

/// A line chart: title, points in order, and the footer (sources).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub title: String,
    pub points: Vec<Point>,
    pub footer: String,
}

const W: f64 = 900.0;
const H: f64 = 420.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 80.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A "nice" step for about `n` ticks up to `max`.
fn step(max: f64, n: f64) -> f64 {
    let raw = max / n;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}bn", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.0}m", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

/// Render the line as an SVG document.
pub fn line_svg(s: &Line) -> String {
    let vals: Vec<f64> = s.points.iter().filter_map(|p| p.value).collect();
    let max = vals.iter().cloned().fold(0.0, f64::max).max(1.0);
    let min = vals.iter().cloned().fold(0.0, f64::min);
    let st = step(max - min, 5.0);
    let (lo, hi) = ((min / st).floor() * st, (max / st).ceil() * st);
    let n = s.points.len().max(2) as f64;
    let x = |i: usize| LEFT + (W - LEFT - RIGHT) * i as f64 / (n - 1.0);
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo));
    let mut o = String::new();
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(o, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let title = &s.title;
    let _ = writeln!(
        o,
        r#"<text x="{LEFT}" y="28" font-size="16" font-weight="bold">{}</text>"#,
        esc(title)
    );
    let mut t = lo;
    while t <= hi + st / 2.0 {
        let yy = y(t);
        let _ = writeln!(
            o,
            r##"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/>"##,
            W - RIGHT
        );
        let _ = writeln!(
            o,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 8.0,
            yy + 4.0,
            short(t)
        );
        t += st;
    }
    let every = (s.points.len() / 12).max(1);
    for (i, p) in s.points.iter().enumerate() {
        if i % every == 0 {
            let _ = writeln!(
                o,
                r#"<text x="{:.1}" y="{}" text-anchor="end" transform="rotate(-45 {:.1} {})">{}</text>"#,
                x(i),
                H - BOTTOM + 16.0,
                x(i),
                H - BOTTOM + 16.0,
                esc(&p.label)
            );
        }
    }
    // One polyline per run of consecutive loaded points, so gaps stay visible.
    let mut run = Vec::new();
    let mut runs = Vec::new();
    for (i, p) in s.points.iter().enumerate() {
        match p.value {
            Some(v) => run.push(format!("{:.1},{:.1}", x(i), y(v))),
            None => runs.push(std::mem::take(&mut run)),
        }
    }
    runs.push(run);
    for r in runs.into_iter().filter(|r| !r.is_empty()) {
        let _ = writeln!(
            o,
            r##"<polyline fill="none" stroke="#1f5fa8" stroke-width="2" points="{}"/>"##,
            r.join(" ")
        );
    }
    for (i, p) in s.points.iter().enumerate() {
        if let Some(v) = p.value {
            let fill = if p.complete { "#1f5fa8" } else { "white" };
            let _ = writeln!(
                o,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{fill}" stroke="#1f5fa8"><title>{} {}{}</title></circle>"##,
                x(i),
                y(v),
                esc(&p.label),
                v,
                if p.complete { "" } else { " (incomplete)" }
            );
        }
    }
    let _ = writeln!(
        o,
        r##"<text x="{LEFT}" y="{}" font-size="10" fill="#555">{}</text>"##,
        H - 8.0,
        esc(&s.footer)
    );
    o.push_str("</svg>\n");
    o
}

/// A horizontal bar chart of labelled values (percent changes, say), sorted as given, positive bars to the
/// right of a zero line and negative to the left; `highlight` labels are drawn in a second colour.
pub fn bar_svg(
    title: &str,
    unit: &str,
    bars: &[(String, f64)],
    highlight: &[String],
    footer: &str,
) -> String {
    let row_h = 16.0;
    let height = TOP + BOTTOM + row_h * bars.len() as f64;
    let label_w = 70.0;
    let plot_l = LEFT + label_w;
    let plot_w = W - plot_l - RIGHT - 60.0;
    let lo = bars.iter().map(|b| b.1).fold(0.0f64, f64::min);
    let hi = bars.iter().map(|b| b.1).fold(0.0f64, f64::max);
    let span = (hi - lo).max(1e-12);
    let x = |v: f64| plot_l + (v - lo) / span * plot_w;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" viewBox=\"0 0 {W} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{LEFT}\" y=\"28\" font-size=\"15\">{}</text>\n",
        esc(title)
    );
    let zero = x(0.0);
    let _ = writeln!(
        s,
        "<line x1=\"{zero:.1}\" y1=\"{TOP}\" x2=\"{zero:.1}\" y2=\"{:.1}\" stroke=\"#444\"/>",
        height - BOTTOM
    );
    for (k, (label, v)) in bars.iter().enumerate() {
        let y = TOP + row_h * k as f64;
        let (x0, x1) = if *v >= 0.0 {
            (zero, x(*v))
        } else {
            (x(*v), zero)
        };
        let colour = if highlight.contains(label) {
            "#c0392b"
        } else {
            "#2c7fb8"
        };
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">{v:.2}</text>",
            plot_l - 6.0,
            y + row_h * 0.75,
            esc(label),
            y + 2.0,
            (x1 - x0).max(0.5),
            row_h - 4.0,
            x1.max(zero) + 4.0,
            y + row_h * 0.75
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{plot_l}\" y=\"{:.1}\">{}</text>",
        height - BOTTOM + 20.0,
        esc(unit)
    );
    let _ = writeln!(
        s,
        "<text x=\"{LEFT}\" y=\"{:.1}\" fill=\"#555\">{}</text>\n</svg>",
        height - 20.0,
        esc(footer)
    );
    s
}

/// A multi-line chart of monthly index series (x: month labels, shared by all lines), with vertical markers
/// (label, index of the month) — for diversion: trade with the target and the conduits, baseline = 100,
/// the sanctions packages marked.
pub fn index_svg(
    title: &str,
    months: &[String],
    lines: &[(String, Vec<Option<f64>>)],
    markers: &[(String, usize)],
    footer: &str,
) -> String {
    const COLOURS: [&str; 8] = [
        "#c0392b", "#2c7fb8", "#27ae60", "#8e44ad", "#e67e22", "#16a085", "#7f8c8d", "#d35400",
    ];
    let n = months.len().max(2);
    let max = lines
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .fold(100.0f64, |m, v| m.max(*v));
    let st = step(max, 6.0);
    let top = (max / st).ceil() * st;
    let pw = W - LEFT - RIGHT - 90.0;
    let ph = H - TOP - BOTTOM;
    let x = |i: usize| LEFT + pw * i as f64 / (n - 1) as f64;
    let y = |v: f64| TOP + ph * (1.0 - v / top);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{LEFT}\" y=\"28\" font-size=\"15\">{}</text>\n",
        esc(title)
    );
    let mut v = 0.0;
    while v <= top + 1e-9 {
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#e5e5e5\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v:.0}</text>",
            y(v),
            LEFT + pw,
            y(v),
            LEFT - 6.0,
            y(v) + 4.0
        );
        v += st;
    }
    let _ = writeln!(
        s,
        "<line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>",
        y(100.0),
        LEFT + pw,
        y(100.0)
    );
    for (label, i) in markers {
        let _ = writeln!(
            s,
            "<line x1=\"{:.1}\" y1=\"{TOP}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#bbb\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"#777\">{}</text>",
            x(*i),
            x(*i),
            TOP + ph,
            x(*i) + 2.0,
            TOP + 10.0,
            esc(label)
        );
    }
    let every = (n / 12).max(1);
    for (i, m) in months.iter().enumerate().step_by(every) {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(i),
            TOP + ph + 16.0,
            esc(m)
        );
    }
    for (k, (name, vals)) in lines.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in vals.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen = true;
                }
                None => pen = false,
            }
        }
        let _ = writeln!(
            s,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.6\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">{}</text>",
            LEFT + pw + 8.0,
            TOP + 14.0 * k as f64 + 10.0,
            esc(name)
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{LEFT}\" y=\"{:.1}\" fill=\"#555\">{}</text>\n</svg>",
        H - 20.0,
        esc(footer)
    );
    s
}

//! The article as HTML with each claim highlighted and its verdict beside it (self-contained: no
//! scripts, no external assets).

use crate::verify::{Checked, Verdict};

pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn color(v: Verdict) -> &'static str {
    match v {
        Verdict::Consistent => "#1a7f37",
        Verdict::ConsistentOneSide => "#9a6700",
        Verdict::Close => "#bc4c00",
        Verdict::Inconsistent => "#cf222e",
        Verdict::NotCheckable => "#57606a",
        Verdict::Forecast => "#0969da",
    }
}

/// The stylesheet the annotated article uses (the report embeds it too).
pub const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2328}
.art{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.5rem}
.art p{margin:.6rem 0}
mark{background:#fff8c5;border-bottom:2px solid var(--c);padding:0 .1rem}
mark sup{color:var(--c);font-weight:700}
.v{border-left:4px solid var(--c);padding:.3rem .6rem;margin:.6rem 0;font-size:.9rem;background:#f6f8fa}
.v b{color:var(--c);text-transform:uppercase;font-size:.8rem;letter-spacing:.03em}
.v details{margin-top:.3rem}.v li{font-size:.8rem}
.legend span{display:inline-block;margin-right:1rem;font-size:.85rem}";

/// The article body with marks and the verdict column, without the page around it.
pub fn annotated_body(text: &str, checked: &[Checked]) -> String {
    // Claims grouped by sentence span, numbered in order.
    type Numbered<'a> = Vec<(usize, &'a Checked)>;
    let mut spans: Vec<((usize, usize), Numbered)> = Vec::new();
    for (i, c) in checked.iter().enumerate() {
        match spans.iter_mut().find(|s| s.0 == c.span) {
            Some(s) => s.1.push((i + 1, c)),
            None => spans.push((c.span, vec![(i + 1, c)])),
        }
    }
    spans.sort_by_key(|s| s.0.0);
    let mut article = String::new();
    let mut pos = 0;
    for ((a, b), cs) in &spans {
        if *a < pos || *b > text.len() {
            continue;
        }
        article.push_str(&escape(&text[pos..*a]));
        // The colour of the sentence's worst verdict.
        let worst = cs
            .iter()
            .map(|(_, c)| c.verdict)
            .max_by_key(|v| match v {
                Verdict::Inconsistent => 5,
                Verdict::Close => 4,
                Verdict::ConsistentOneSide => 3,
                Verdict::NotCheckable => 2,
                Verdict::Forecast => 1,
                Verdict::Consistent => 0,
            })
            .unwrap_or(Verdict::NotCheckable);
        let nums: Vec<String> = cs.iter().map(|(n, _)| format!("[{n}]")).collect();
        article.push_str(&format!(
            "<mark style=\"--c:{}\" id=\"s{}\">{}<sup>{}</sup></mark>",
            color(worst),
            a,
            escape(&text[*a..*b]),
            nums.join("")
        ));
        pos = *b;
    }
    article.push_str(&escape(&text[pos..]));
    let paragraphs: String = article
        .split('\n')
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    let mut side = String::new();
    for (i, c) in checked.iter().enumerate() {
        let items: String = c
            .computation
            .iter()
            .map(|l| format!("<li>{}</li>", escape(l)))
            .collect();
        let sources: String = c
            .sources
            .iter()
            .map(|l| format!("<li>{}</li>", escape(l)))
            .collect();
        side.push_str(&format!(
            "<div class=\"v\" style=\"--c:{}\" data-verdict=\"{}\"><b>[{}] {}</b><br>{}<details><summary>computation and sources</summary><ul>{}</ul><ul>{}</ul></details></div>\n",
            color(c.verdict),
            c.verdict.as_str(),
            i + 1,
            c.verdict.as_str().replace('_', " "),
            escape(&c.explanation),
            items,
            sources
        ));
    }
    let legend: String = [
        Verdict::Consistent,
        Verdict::ConsistentOneSide,
        Verdict::Close,
        Verdict::Inconsistent,
        Verdict::NotCheckable,
        Verdict::Forecast,
    ]
    .iter()
    .map(|v| {
        format!(
            "<span style=\"color:{}\">■ {}</span>",
            color(*v),
            v.as_str().replace('_', " ")
        )
    })
    .collect();
    format!(
        "<p class=\"legend\">{legend}</p>\n<div class=\"art\"><div>\n{paragraphs}</div><div>\n{side}</div></div>\n"
    )
}

/// A complete HTML page.
pub fn annotated_page(title: &str, text: &str, checked: &[Checked]) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n{}</body></html>\n",
        escape(title),
        escape(title),
        annotated_body(text, checked)
    )
}

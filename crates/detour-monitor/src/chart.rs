//! The chart of a series: [`SeriesResult`] as a [`detour_charts::Line`].

use crate::SeriesResult;

/// The series as a line chart: title from the question, a point per period (hollow when
/// incomplete, a gap where nothing is loaded), the sources in the footer.
pub fn series_line(s: &SeriesResult) -> detour_charts::Line {
    let sources: Vec<String> = s
        .provenance
        .iter()
        .map(|p| format!("{} ({})", p.source, p.file))
        .collect();
    detour_charts::Line {
        title: format!(
            "{} {} {} ({:?}, {})",
            s.reporter,
            format!("{:?}", s.flow).to_lowercase(),
            s.partner,
            s.frequency,
            s.currency.as_deref().unwrap_or("")
        ),
        points: s
            .points
            .iter()
            .map(|p| detour_charts::Point {
                label: p.period.clone(),
                value: p.value,
                complete: p.complete,
            })
            .collect(),
        footer: format!(
            "Source: {}. Hollow markers: incomplete periods.",
            sources.join("; ")
        ),
    }
}

/// The series' chart as an SVG document.
pub fn line_svg(s: &SeriesResult) -> String {
    detour_charts::line_svg(&series_line(s))
}

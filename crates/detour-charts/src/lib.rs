//! # detour-charts: the charts every part of detour draws
//!
//! - [`svg`]: plain SVG documents — a line over periods ([`svg::line_svg`]), indexed lines with
//!   event markers ([`svg::index_svg`]), horizontal bars ([`svg::bar_svg`]);
//! - [`png`]: the same SVG rasterised to PNG (no external renderer).
//!
//! They take plain labels and numbers and know nothing of trade data: the monitor draws series,
//! the diversion its index, the simulation its welfare bars and the report all of them.
//!
//! ```
//! use detour_charts::svg::{Line, Point, line_svg};
//! let line = Line {
//!     title: "EU27 exports KGZ (annual, EUR)".into(),
//!     points: vec![
//!         Point { label: "2021".into(), value: Some(337e6), complete: true },
//!         Point { label: "2022".into(), value: Some(1319e6), complete: true },
//!     ],
//!     footer: "Source: Eurostat Comext.".into(),
//! };
//! let svg = line_svg(&line);
//! assert!(svg.starts_with("<svg") && svg.contains("2022"));
//! let png = detour_charts::png::svg_to_png(&svg);
//! assert_eq!(&png[1..4], b"PNG");
//! ```

pub mod png;
pub mod svg;

pub use svg::{Line, Point, bar_svg, index_svg, line_svg};

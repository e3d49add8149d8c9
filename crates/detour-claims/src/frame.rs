//! The frame of a claim: who, what flow, how much, when, how it changed, who said it.

use serde::{Deserialize, Serialize};

/// Which trade flow a claim is about, from `country_a`'s point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Exports + imports ("trade", "trade volume", "bilateral trade", "turnover").
    Turnover,
    /// `country_a`'s exports to `country_b`.
    Exports,
    /// `country_a`'s imports from `country_b`.
    Imports,
    /// `country_a`'s exports minus imports (a deficit is negative).
    Balance,
}

impl Flow {
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Turnover => "turnover",
            Flow::Exports => "exports",
            Flow::Imports => "imports",
            Flow::Balance => "balance",
        }
    }
}

/// How the value is qualified in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// "$93 billion".
    Exact,
    /// "over", "more than", "exceeding", "at least".
    Over,
    /// "almost", "nearly", "under", "less than", "up to".
    Under,
    /// "about", "around", "some", "roughly".
    About,
    /// "$59-60 billion": `value` is the low end, `value_high` the high end.
    Range,
}

/// The structured content of one claim. Fields the text does not state are `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Frame {
    /// ISO 3166 alpha-3 code, or a group code (`CIS`, `EAEU`, `EU27`, `CA5`, …), or a comma-separated list.
    pub country_a: Option<String>,
    pub country_b: Option<String>,
    pub flow: Option<Flow>,
    /// The number as written, in `scale` units of `unit` (93 for "$93 billion").
    pub value: Option<f64>,
    /// High end of a range ("$59-60 billion").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_high: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<Bound>,
    /// ISO 4217 currency of the value (`USD`, `EUR`, `RUB`, …).
    pub unit: Option<String>,
    /// `thousand`, `million`, `billion` or `trillion`; `None` for plain units.
    pub scale: Option<String>,
    /// First month of the period, `YYYY-MM`.
    pub period_start: Option<String>,
    /// Last month of the period, `YYYY-MM`.
    pub period_end: Option<String>,
    /// Growth in percent against the matched window a year earlier (or `growth_base_year`);
    /// "doubled" is 100, "fell by a third" is -33.3.
    pub yoy_growth_pct: Option<f64>,
    /// The share the text gives, in percent ("5 percent of Kyrgyzstan's overall trade"): of the
    /// flow between the parties in `country_a`'s trade with the world.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_pct: Option<f64>,
    /// This figure is the comparison base the text gives for another of its figures ("up from
    /// $9.9bn in 2023"); that figure's frame carries it as `base_value`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub states_base: bool,
    /// The comparison level the text states ("compared to $410.888 million in 2022"), in the
    /// value's unit and scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_value: Option<f64>,
    /// The change in level the text states ("an increase of $238.5 million"), in the value's unit
    /// and scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abs_change: Option<f64>,
    /// Growth in percent against the month (or window) just before, when the text says so
    /// ("in monthly terms", "month-on-month", "compared with February"); kept apart from
    /// `yoy_growth_pct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mom_growth_pct: Option<f64>,
    /// Year the growth is measured against when the text names one other than the previous year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth_base_year: Option<i32>,
    /// The claim is a forecast, expectation or target.
    pub is_forecast: bool,
    /// The text calls the value a record.
    #[serde(default)]
    pub is_record: bool,
    /// Who the text says made the claim ("Lepechin", "an expert", "Eurostat").
    pub attributed_to: Option<String>,
    /// Whose statistics the text cites ("according to Azerbaijan's State Customs Committee":
    /// `AZE`); the check then uses that side's figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cites_statistics_of: Option<String>,
}

impl Frame {
    /// The value in units (93 billion → 9.3e10).
    pub fn value_units(&self) -> Option<f64> {
        Some(self.value? * scale_factor(self.scale.as_deref()))
    }
}

/// Multiplier of a scale word.
pub fn scale_factor(scale: Option<&str>) -> f64 {
    match scale {
        Some("thousand") => 1e3,
        Some("million") => 1e6,
        Some("billion") => 1e9,
        Some("trillion") => 1e12,
        _ => 1.0,
    }
}

/// One claim found in a text.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// 0-based index of the sentence in the text.
    pub sentence_index: usize,
    pub sentence: String,
    /// Byte range of the sentence in the (normalised) text.
    pub span: (usize, usize),
    /// The words the value, growth and period were read from.
    pub evidence_text: Vec<String>,
    pub frame: Frame,
    /// Digits after the decimal point in the value as written (its rounding precision).
    #[serde(skip)]
    pub value_decimals: u32,
    /// Half-width in percentage points of what the growth words stand for ("29.1%": 0.05, "10 times": 50).
    #[serde(skip)]
    pub growth_tolerance: f64,
    /// How the growth is qualified ("over 6.5%").
    #[serde(skip)]
    pub growth_bound: Option<Bound>,
}

//! The report's general-equilibrium section: the embedded scenario of the 2022 coalition's sanctions
//! on Russia (`examples/scenarios/russia_sanctions_2022_ge.toml`, Zylkin's `ge_gravity` model on the
//! WIOD 2016 world), every economy's welfare and trade changes with Monte Carlo intervals, and a chart.

use anyhow::{Context, Result, bail};
use detour_sim::simulation::{GeCountry, GeGravity};
use detour_sim::{SimulateOptions, Simulation};

use super::{escape, keyed, table};

pub const TITLE: &str = "General equilibrium: the 2022 sanctions on Russia";

/// The embedded scenario the section runs.
const SCENARIO: &str = "russia_sanctions_2022_ge";
/// Monte Carlo draws of the estimated shock (for the intervals).
const DRAWS: usize = 200;

/// The economies a reader looks for first: the target, then third countries where diversion shows.
const THIRD: [&str; 4] = ["TUR", "CHN", "IND", "ROW"];

pub fn section() -> Result<String> {
    let opts = SimulateOptions {
        draws: Some(DRAWS),
        seed: 1,
        ..SimulateOptions::default()
    };
    let sim =
        detour_sim::simulate_embedded(SCENARIO, &opts)?.context("the embedded GE scenario")?;
    let chart = sim
        .charts()
        .into_iter()
        .find(|(f, _)| *f == "welfare.svg")
        .map(|(_, svg)| svg);
    let Simulation::GeGravity(v) = &sim else {
        bail!("the embedded GE scenario is not a ge_gravity scenario");
    };
    let v: &GeGravity = v;
    let coalition: Vec<String> = detour_core::group::Groups::global()
        .members_on(
            "COALITION",
            chrono::NaiveDate::from_ymd_opt(2022, 3, 1).expect("valid date"),
        )?
        .into_iter()
        .collect();
    let band = |c: usize| -> String {
        v.monte_carlo
            .as_ref()
            .and_then(|m| m.interval(c, "welfare_change_pct"))
            .map(|w| format!("[{:+.3}, {:+.3}]", w.ci_low, w.ci_high))
            .unwrap_or_default()
    };
    let countries = &v.countries;
    let role = |c: &str| {
        if c == "RUS" {
            "target"
        } else if coalition.iter().any(|m| m == c) {
            "coalition"
        } else {
            "third"
        }
    };
    let mut rows: Vec<(usize, &GeCountry)> = countries.iter().enumerate().collect();
    // the target first, then third countries, then the coalition; by welfare within each
    rows.sort_by(|(_, a), (_, b)| {
        let rank = |r: &GeCountry| match role(&r.country) {
            "target" => 0,
            "third" => 1,
            _ => 2,
        };
        rank(a)
            .cmp(&rank(b))
            .then(a.welfare_change_pct.total_cmp(&b.welfare_change_pct))
    });
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|&(i, r)| {
            let c = r.country.as_str();
            let pct = |x: Option<f64>, digits: usize| match x {
                Some(x) => format!("{x:+.digits$}%"),
                None => "—".into(),
            };
            vec![
                c.to_string(),
                role(c).to_string(),
                keyed(
                    &format!("ge_welfare_{c}"),
                    &format!("{:+.3}%", r.welfare_change_pct),
                ),
                band(i),
                pct(Some(r.exports_change_pct), 2),
                pct(r.focus.as_ref().map(|f| f.exports_to_focus_change_pct), 1),
                pct(r.focus.as_ref().map(|f| f.imports_from_focus_change_pct), 1),
            ]
        })
        .collect();
    let (b, se) = v
        .partial_effect
        .as_ref()
        .map_or((f64::NAN, f64::NAN), |pe| (pe.estimate, pe.std_error));
    let rus = countries.iter().find(|r| r.country == "RUS");
    let rus_exports = rus.map_or(f64::NAN, |r| r.exports_baseline);
    let rus_change = rus.map_or(f64::NAN, |r| r.exports_change_pct);
    let third: Vec<String> = THIRD
        .iter()
        .filter_map(|c| countries.iter().find(|r| r.country == *c))
        .map(|r| {
            format!(
                "{} {:+.1}%",
                r.country,
                r.focus
                    .as_ref()
                    .map_or(f64::NAN, |f| f.exports_to_focus_change_pct)
            )
        })
        .collect();
    let intro = format!(
        "The coalition of 2022 (the EU members, the USA, the UK, Japan, Korea, Canada, Australia, Norway, Switzerland and \
         Taiwan: {} economies of the data) and Russia lose, in both directions, the trade that detour's own PPML attributes to \
         the sanctions: the coefficient of Russia's trade with coalition partners after 2022, against its other partners, \
         is {} (s.e. {:.3}; {:.0}% less trade), estimated on the IMF's Russia-by-partner series 2016–2024 in the store, with \
         partner×flow and year×flow effects. That shock is put into the WIOD 2016 world of 2014 (44 economies, domestic \
         sales included) and solved with Zylkin's ge_gravity model (θ = 4, assumed; additive trade imbalances). Russia's \
         exports fall by {:.1}% (US$ {:.0} bn at 2014 values), its welfare by {}. Third countries' exports to Russia: {}. \
         Russia's neighbours (Kazakhstan, Kyrgyzstan, Armenia, Uzbekistan, Belarus) are inside ROW in the only open \
         world input–output data with domestic flows, so their part of the diversion cannot be shown separately.",
        coalition_in_data(countries, &coalition),
        keyed("ge_partial_effect", &format!("{b:.3}")),
        se,
        (1.0 - b.exp()) * 100.0,
        -rus_change,
        -rus_change / 100.0 * rus_exports / 1e3,
        keyed(
            "ge_welfare_RUS_text",
            &format!("{:.2}%", -rus.map_or(f64::NAN, |r| r.welfare_change_pct))
        ),
        third.join(", ")
    );
    let compare = "For comparison, Crozet & Hinz (\"Friendly fire\", Economic Policy 2020) put Russia's lost exports from the \
         2014 sanctions and counter-sanctions at about US$ 53 bn, 7.4% of its predicted exports, over 2014–2015. The set-ups \
         differ: theirs is the mild sectoral regime of 2014, estimated on monthly customs data by product and summed as lost \
         trade without general-equilibrium adjustment; this one is the far wider regime of 2022, estimated on annual totals, \
         applied to 2014 flows of goods and services, and solved in general equilibrium.";
    Ok(format!(
        "<section id=\"ge\"><h2>{}</h2><p>{}</p><p>{}</p>{}<h3>Every economy</h3>{}\
         <p class=\"src\">Scenario: examples/scenarios/russia_sanctions_2022_ge.toml; data: WIOD 2016 release (Timmer et al. 2015), via the \
         GEGravity R package's example data; IMF IMTS (shock); model: Armington–CES in exact hat algebra (Baier, Yotov & Zylkin 2019's \
         ge_gravity), θ = 4; intervals from {DRAWS} draws of the estimated shock from its clustered variance. Exports exclude domestic sales.</p></section>\n",
        escape(TITLE),
        intro,
        escape(compare),
        chart.unwrap_or_default(),
        table(
            &[
                "economy",
                "role",
                "welfare",
                &format!("95% interval ({DRAWS} draws)"),
                "exports",
                "exports to Russia",
                "imports from Russia",
            ],
            &body
        )
    ))
}

fn coalition_in_data(countries: &[GeCountry], coalition: &[String]) -> usize {
    countries
        .iter()
        .filter(|r| coalition.contains(&r.country))
        .count()
}

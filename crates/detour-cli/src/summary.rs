//! `detour` alone (or `detour summary`): the store's contents and the headline question on it.

use crate::output::{self, OutFormat};
use anyhow::Result;
use detour_store::Store;

pub fn summary(store: &Store) -> Result<()> {
    outln!("detour store: {}", store.dir().display());
    outln!();
    let batches = store.sql_blocking(
        "SELECT source, file, rows, first_period, last_period FROM sources ORDER BY source, file",
    )?;
    output::print_batches(&batches, OutFormat::Table)?;
    outln!();
    outln!(
        "Worked query: EU27 exports to Russia and its neighbours, EUR million (Eurostat Comext, monthly file summed by year; YoY on the same months)"
    );
    let q = "WITH m AS ( \
               SELECT partner, year, month, SUM(value) AS v FROM flows \
               WHERE source = 'eurostat-comext' AND reporter = 'EU27' AND flow = 'export' AND month IS NOT NULL \
                 AND partner IN ('RUS','KAZ','KGZ','ARM','GEO','UZB') \
               GROUP BY partner, year, month), \
             cur AS (SELECT partner, year, SUM(v) AS v, COUNT(*) AS months, MAX(month) AS last_month \
                     FROM m GROUP BY partner, year), \
             prev AS (SELECT c.partner, c.year, SUM(m.v) AS v, COUNT(*) AS months FROM cur c \
                      JOIN m ON m.partner = c.partner AND m.year = c.year - 1 AND m.month <= c.last_month \
                      GROUP BY c.partner, c.year) \
             SELECT c.partner, c.year, c.months, ROUND(c.v / 1e6, 1) AS eur_million, \
                    ROUND(100 * (c.v / p.v - 1), 1) AS yoy_pct \
             FROM cur c LEFT JOIN prev p ON p.partner = c.partner AND p.year = c.year AND p.months = c.months \
             WHERE c.year >= 2021 ORDER BY c.partner, c.year";
    let batches = store.sql_blocking(q)?;
    output::print_batches(&batches, OutFormat::Table)?;
    outln!("(2024 covers January-August; its YoY compares it with January-August 2023.)");
    outln!();
    outln!(
        "Diversion: how much of the EU's lost exports to Russia reappear as extra exports to its neighbours"
    );
    outln!(
        "(`detour diversion --target RUS --senders EU27 --conduits ARM,GEO,KAZ,KGZ,UZB --baseline 2019-01..2021-12 --after 2022-03..2024-08`):"
    );
    let q = detour_diversion::Query::eu_russia_headline();
    let d = detour_diversion::diversion(store, &q)?;
    out!(
        "{}",
        crate::diversion::diversion_output(&d, OutFormat::Table)?
    );
    outln!();
    outln!(
        "Claims: the example article's trade figures checked against the data and official releases"
    );
    outln!(
        "(`detour check examples/sanctions_backfire_article.txt --date 2024-12-26`; add --html FILE for the annotated article):"
    );
    out!("{}", crate::check::example_headline(store)?);
    Ok(())
}

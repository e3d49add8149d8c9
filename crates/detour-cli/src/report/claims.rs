//! The report's claims section: the example article checked.

use super::*;

pub(super) fn claims(store: &Store) -> Result<String> {
    let (t, checked) = crate::check::check_example(store)?;
    let counts: Vec<String> = verify::summary(&checked)
        .iter()
        .map(|(k, v)| {
            format!(
                "{} {}",
                keyed(&format!("verdicts_{k}"), &v.to_string()),
                k.replace('_', " ")
            )
        })
        .collect();
    Ok(format!(
        "<section id=\"claims\"><h2>Claims: the example article checked</h2>\
         <p>examples/sanctions_backfire_article.txt, read as of 2024-12-26: {} claims — {}. Each verdict compares the claim with the statistics loaded \
         (each reporter side separately) and with official releases (data/claims), within the claim's own rounding.</p>{}</section>\n",
        checked.len(),
        counts.join(", "),
        annotated_body(&t, &checked)
    ))
}

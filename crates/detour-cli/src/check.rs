//! `detour check` and `detour extract`: the claims in a text, framed, and checked against the data.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::ValueEnum;

use detour_claims::releases::{self, Release};
use detour_claims::text::{self, MAX_TEXT_BYTES};
use detour_claims::{Checked, ExtractOptions, html, verify};
use detour_store::Store;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum CheckFormat {
    Table,
    Json,
    Html,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// The text to read: a file, or `-` for standard input (UTF-8; English, German or Russian; up to 10 MB).
    pub file: PathBuf,
    /// The text's date (resolves "this year" and year-less periods); default: a date found in the text.
    #[arg(long)]
    pub date: Option<String>,
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Also write the annotated article as HTML to this file.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// More official releases (CSV, see data/claims/README); the shipped ones are always loaded.
    #[arg(long)]
    pub releases: Vec<PathBuf>,
    /// The page's headline when the text does not start with it: claims that name no party or
    /// period of their own take the headline's.
    #[arg(long)]
    pub headline: Option<String>,
    /// The page's address: when no --headline is given, the headline its words spell out
    /// ("…/german-exports-to-russia-slump-in-march").
    #[arg(long)]
    pub address: Option<String>,
}

#[derive(clap::Args)]
pub struct ExtractArgs {
    /// The text to read: a file, or `-` for standard input.
    pub file: PathBuf,
    #[arg(long)]
    pub date: Option<String>,
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// The page's headline when the text does not start with it: claims that name no party or
    /// period of their own take the headline's.
    #[arg(long)]
    pub headline: Option<String>,
    /// The page's address: when no --headline is given, the headline its words spell out
    /// ("…/german-exports-to-russia-slump-in-march").
    #[arg(long)]
    pub address: Option<String>,
}

/// Read and vet the input: size before reading, then UTF-8, emptiness and language.
pub fn read_text(path: &Path) -> Result<(String, String)> {
    let name = if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_TEXT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
    } else {
        let meta = std::fs::metadata(path).with_context(|| format!("reading {name}"))?;
        if meta.len() > MAX_TEXT_BYTES as u64 {
            bail!(
                "{name}: the text is {:.1} MB; detour reads texts up to {} MB (an article is usually under 100 kB)",
                meta.len() as f64 / 1e6,
                MAX_TEXT_BYTES / (1024 * 1024)
            );
        }
        std::fs::File::open(path)
            .with_context(|| format!("reading {name}"))?
            .take(MAX_TEXT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("reading {name}"))?;
    }
    let t = text::decode(&name, &bytes)?;
    Ok((name, t))
}

fn parse_date(d: &Option<String>, text: &str) -> Result<Option<NaiveDate>> {
    match d {
        Some(d) => Ok(Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .with_context(|| format!("--date '{d}': expected YYYY-MM-DD"))?,
        )),
        None => Ok(text::find_date(text)),
    }
}

fn headline(headline: &Option<String>, address: &Option<String>) -> Option<String> {
    text::page_headline(headline.as_deref(), address.as_deref())
}

pub fn extract(args: &ExtractArgs) -> Result<String> {
    let (_, t) = read_text(&args.file)?;
    let date = parse_date(&args.date, &t)?;
    let claims = detour_claims::extract(
        &t,
        &ExtractOptions {
            date,
            headline: headline(&args.headline, &args.address),
            ..Default::default()
        },
    );
    Ok(match args.format {
        CheckFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "date": date.map(|d| d.to_string()),
                "claims": claims,
            }))?
        ),
        _ => {
            let mut s = format!("{} claim(s)\n", claims.len());
            for (i, c) in claims.iter().enumerate() {
                s.push_str(&format!(
                    "\n[{}] {}\n    {}\n",
                    i + 1,
                    c.sentence,
                    serde_json::to_string(&c.frame)?
                ));
            }
            s
        }
    })
}

/// Check a text; `store` opens the store when the checks need it.
pub fn check(args: &CheckArgs, store: &dyn Fn() -> Result<Store>) -> Result<String> {
    let (name, t) = read_text(&args.file)?;
    let date = parse_date(&args.date, &t)?;
    let claims = detour_claims::extract(
        &t,
        &ExtractOptions {
            date,
            headline: headline(&args.headline, &args.address),
            ..Default::default()
        },
    );
    let mut rel: Vec<Release> = releases::embedded().to_vec();
    for p in &args.releases {
        let body =
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        rel.extend(releases::parse(&p.display().to_string(), &body)?);
    }
    let store = if claims.is_empty() {
        None
    } else {
        Some(store()?)
    };
    let checked = verify::check(store.as_ref(), &rel, &claims, date);
    if let Some(path) = &args.html {
        std::fs::write(
            path,
            html::annotated_page(&format!("detour check: {name}"), &t, &checked),
        )
        .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(match args.format {
        CheckFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&verify::Report::new(&checked, date, Some(&name)))?
        ),
        CheckFormat::Html => html::annotated_page(&format!("detour check: {name}"), &t, &checked),
        CheckFormat::Table => table(&name, date, &checked),
    })
}

fn table(name: &str, date: Option<NaiveDate>, checked: &[Checked]) -> String {
    let mut s = format!(
        "{name}: {} claim(s){}\n",
        checked.len(),
        date.map(|d| format!(", dated {d}")).unwrap_or_default()
    );
    for (k, v) in verify::summary(checked) {
        s.push_str(&format!("  {k}: {v}\n"));
    }
    for (i, c) in checked.iter().enumerate() {
        s.push_str(&format!(
            "\n[{}] {}\n    \"{}\"\n    {}\n",
            i + 1,
            c.verdict.as_str().to_uppercase(),
            c.sentence,
            c.explanation
        ));
        for l in &c.computation {
            s.push_str(&format!("      · {l}\n"));
        }
        for l in &c.sources {
            s.push_str(&format!("      source: {l}\n"));
        }
    }
    s
}

/// The example article shipped with detour.
pub const EXAMPLE_ARTICLE: &str = include_str!("../../../examples/sanctions_backfire_article.txt");

/// The example article's text and its claims checked as of 2024-12-26 (the day after the summit the
/// Jan-Oct figure it quotes comes from), on the store and the shipped releases.
pub fn check_example(store: &Store) -> Result<(String, Vec<Checked>)> {
    let t = text::decode(
        "examples/sanctions_backfire_article.txt",
        EXAMPLE_ARTICLE.as_bytes(),
    )?;
    let date = NaiveDate::from_ymd_opt(2024, 12, 26);
    let claims = detour_claims::extract(
        &t,
        &ExtractOptions {
            date,
            ..Default::default()
        },
    );
    let checked = verify::check(Some(store), releases::embedded(), &claims, date);
    Ok((t, checked))
}

/// The claims check of the example article, in a few lines (for the terminal summary).
pub fn example_headline(store: &Store) -> Result<String> {
    let (_, checked) = check_example(store)?;
    let mut s = String::new();
    for (i, c) in checked.iter().enumerate() {
        let short: String = c
            .explanation
            .split("; ")
            .next()
            .unwrap_or("")
            .chars()
            .take(150)
            .collect();
        s.push_str(&format!(
            "  [{}] {:<20} {short}\n",
            i + 1,
            c.verdict.as_str()
        ));
    }
    Ok(s)
}

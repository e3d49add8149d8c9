//! `detour check` and `detour extract`: the example article and texts around the embedded data.

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::{detour, run_err, run_ok, sql_rows};

fn article() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/sanctions_backfire_article.txt")
}

fn check_json(path: &std::path::Path, extra: &[&str]) -> Value {
    let mut c = detour();
    c.arg("check")
        .arg(path)
        .args(["--format", "json"])
        .args(extra);
    serde_json::from_str(&run_ok(&mut c)).unwrap()
}

fn verdicts(v: &Value) -> Vec<String> {
    v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["verdict"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn example_article_contract_and_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("a.html");
    let v = check_json(
        &article(),
        &["--date", "2024-12-26", "--html", html.to_str().unwrap()],
    );
    let claims = v["claims"].as_array().unwrap();
    for c in claims {
        assert!(c["sentence"].as_str().is_some_and(|s| !s.is_empty()));
        for k in [
            "country_a",
            "country_b",
            "flow",
            "value",
            "unit",
            "scale",
            "period_start",
            "period_end",
            "yoy_growth_pct",
            "is_forecast",
            "attributed_to",
        ] {
            assert!(c["frame"].get(k).is_some(), "frame lacks {k}: {c}");
        }
        assert!(c["explanation"].as_str().is_some_and(|s| s.len() > 20));
    }
    assert_eq!(
        verdicts(&v),
        [
            "consistent",
            "not_checkable",
            "consistent",
            "forecast",
            "consistent",
            "consistent"
        ]
    );
    // Putin's Jan-Oct figure: the release is his own statement, and the verdict says so.
    assert!(
        claims[0]["explanation"]
            .as_str()
            .unwrap()
            .contains("confirms the quote, not the figure")
    );
    assert_eq!(claims[0]["frame"]["country_b"], "CIS");
    // The record "exceeding $28 billion" has no period: the full year 2023 is the match.
    assert!(
        claims[1]["explanation"]
            .as_str()
            .unwrap()
            .contains("2023 as reported by KAZ (28.50)")
    );
    // The Belarus forecast against the outcomes stated for 2024.
    let fc = claims[3]["explanation"].as_str().unwrap();
    assert!(
        fc.contains("BLR reports 57.60 (not met)") && fc.contains("RUS reports 50.00 (not met)"),
        "{fc}"
    );
    // Uzbekistan: the implied base for Jan-Jul 2023.
    assert!(
        claims[5]["computation"][0]
            .as_str()
            .unwrap()
            .contains("= 5.27")
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(page.matches("data-verdict=").count(), 6);
    assert_eq!(
        page.matches("<mark").count(),
        5,
        "two claims share the Kazakhstan sentence"
    );
    assert_eq!(v["summary"]["consistent"], 4);
}

#[test]
fn extract_prints_frames_without_verdicts() {
    let out = run_ok(detour().arg("extract").arg(article()).args([
        "--date",
        "2024-12-26",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let claims = v["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 6);
    assert!(claims.iter().all(|c| c.get("verdict").is_none()));
    assert_eq!(claims[5]["frame"]["value"], 6.8);
    assert_eq!(claims[5]["frame"]["period_end"], "2024-07");
    assert_eq!(claims[4]["frame"]["attributed_to"], "Lepechin");
}

#[test]
fn checks_against_the_store_on_each_side() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.txt");
    std::fs::write(
        &t,
        "EU exports to Kyrgyzstan rose to €2.7 billion in 2023, more than double the 2022 figure.\n\
         In 2021, Russia's exports to Kazakhstan reached $18.5 billion, while imports from Kazakhstan amounted to $7.1 billion.\n\
         EU exports to Russia fell to €30 billion in 2023.\n\
         Trade between Russia and Belarus reached $38.8 billion in 2021, up 35%.\n\
         Trade between Russia and Kazakhstan reached $31 billion in January-June 2026.\n",
    )
    .unwrap();
    let v = check_json(&t, &[]);
    assert_eq!(
        verdicts(&v),
        [
            "consistent_one_side",
            "consistent_one_side",
            // Kazakhstan's own statistics for its 2021 exports to Russia (7.02 bn) differ.
            "consistent_one_side",
            "inconsistent",
            "consistent",
            "not_checkable"
        ]
    );
    let c = &v["claims"];
    // EU27 -> KGZ 2023 from Eurostat equals the store's own sum; Kyrgyzstan's recorded imports differ.
    let direct: f64 = sql_rows(
        None,
        "SELECT SUM(value) FROM flows WHERE reporter='EU27' AND partner='KGZ' AND flow='export' AND year=2023 AND month IS NOT NULL AND commodity='TOTAL'",
    )[0][0]
        .parse()
        .unwrap();
    let ev = c[0]["evidence"].as_array().unwrap();
    let eu = ev.iter().find(|e| e["reporter_side"] == "EU27").unwrap();
    assert!((eu["value"].as_f64().unwrap() - direct / 1e9).abs() < 1e-9);
    assert_eq!(eu["value_agrees"], true);
    assert!(
        ev.iter()
            .any(|e| e["reporter_side"] == "KGZ" && e["value_agrees"] == false)
    );
    // "€30 billion" against 38.18: off by 27%.
    assert!(
        c[3]["explanation"]
            .as_str()
            .unwrap()
            .contains("+27.3% from the claim")
    );
    // RUS-BLR 2021: growth recomputed on the matched window (35.4%) and the level agree.
    assert_eq!(c[4]["evidence"][0]["growth_agrees"], true);
    // No data for 2026: says what would be needed.
    assert!(
        c[5]["explanation"]
            .as_str()
            .unwrap()
            .contains("needs Russia or Kazakhstan's statistics for 2026-01..2026-06")
    );
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.txt", b"  \n".to_vec(), "the text is empty"),
        (
            "latin1.txt",
            b"Trade rose 5% to \xa35 billion".to_vec(),
            "not UTF-8 text: invalid byte 0xA3 at byte 17 (line 1)",
        ),
        (
            "kk.txt",
            "Қазақстан мен Ресей арасындағы тауар айналымы 2023 жылы өсті."
                .as_bytes()
                .to_vec(),
            "a Cyrillic language other than Russian",
        ),
        (
            "fr.txt",
            "Le commerce entre la France et le Kazakhstan a augmenté de dix pour cent l'année dernière selon les douanes."
                .as_bytes()
                .to_vec(),
            "English, German and Russian",
        ),
    ];
    for (name, bytes, msg) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        for cmd in ["check", "extract"] {
            let out = run_err(detour().arg(cmd).arg(&p));
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(name) && err.contains(msg),
                "{cmd} {name}: {err}"
            );
        }
    }
    // 50 MB: refused from its size, before reading.
    let big = dir.path().join("big.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(50_000_000)
        .unwrap();
    let err = String::from_utf8_lossy(&run_err(detour().arg("check").arg(&big)).stderr).to_string();
    assert!(
        err.contains("big.txt: the text is 50.0 MB; detour reads texts up to 10 MB"),
        "{err}"
    );
    // A releases file with a bad row names file, line and field.
    let rel = dir.path().join("rel.csv");
    std::fs::write(&rel, "reporter_side,country_a,country_b,flow,period_start,period_end,value,unit,yoy_growth_pct,source_name,source_url,quote\nKAZ,KAZ,RUS,turnover,2024-01,2024-12,28,USD_zz,,s,u,q\n").unwrap();
    let err = String::from_utf8_lossy(
        &run_err(
            detour()
                .arg("check")
                .arg(article())
                .arg("--releases")
                .arg(&rel),
        )
        .stderr,
    )
    .to_string();
    assert!(err.contains("rel.csv:2: field 'unit'"), "{err}");
    let err = String::from_utf8_lossy(
        &run_err(
            detour()
                .arg("check")
                .arg(article())
                .args(["--date", "26/12/2024"]),
        )
        .stderr,
    )
    .to_string();
    assert!(
        err.contains("--date '26/12/2024': expected YYYY-MM-DD"),
        "{err}"
    );
}

#[test]
fn reads_standard_input() {
    let mut child = detour()
        .args(["extract", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("MOSCOW, 3 September 2024. Russian-Kyrgyz trade rose 27% in the first seven months of this year.".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["date"], "2024-09-03");
    assert_eq!(v["claims"][0]["frame"]["period_end"], "2024-07");
    assert_eq!(v["claims"][0]["frame"]["country_b"], "KGZ");
}

#[test]
fn related_claims_in_one_text_are_checked_against_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.txt");
    std::fs::write(
        &t,
        "Trade between Russia and Uzbekistan reached $5.7 billion in the first half of 2024.\n\
         In January-July 2024 Russian-Uzbek trade reached $6.8 billion.\n\
         Russia's trade with Kazakhstan was $14 billion in the first half of 2024.\n\
         From January to May 2024 Russia's trade with Kazakhstan reached $15 billion.\n",
    )
    .unwrap();
    let v = check_json(&t, &[]);
    let c = &v["claims"];
    let e0 = c[0]["explanation"].as_str().unwrap();
    assert!(
        e0.contains("the 1 month(s) after 2024-06 come to 1.10 billion USD"),
        "{e0}"
    );
    let e3 = c[3]["explanation"].as_str().unwrap();
    assert!(
        e3.contains(
            "14.00 for 2024-01..2024-06 is less than 15.00 for 2024-01..2024-05 — the two cannot both hold"
        ),
        "{e3}"
    );
}

#[test]
fn more_releases_can_be_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.txt");
    std::fs::write(
        &t,
        "Trade between Russia and Kazakhstan reached $31 billion in January-June 2026.\n",
    )
    .unwrap();
    let v = check_json(&t, &[]);
    assert_eq!(verdicts(&v), ["not_checkable"]);
    let rel = dir.path().join("rel.csv");
    std::fs::write(
        &rel,
        "reporter_side,country_a,country_b,flow,period_start,period_end,value,unit,yoy_growth_pct,source_name,source_url,quote\n\
         KAZ,KAZ,RUS,turnover,2026-01,2026-06,31.2,USD_bn,,A statistics office,https://example.org/release,\"…\"\n\
         RUS,RUS,KAZ,turnover,2026-01,2026-06,29.0,USD_bn,,A ministry,https://example.org/other,\"…\"\n",
    )
    .unwrap();
    let v = check_json(&t, &["--releases", rel.to_str().unwrap()]);
    assert_eq!(verdicts(&v), ["consistent_one_side"]);
    let e = v["claims"][0]["explanation"].as_str().unwrap();
    assert!(
        e.contains("KAZ's official release")
            && e.contains("RUS's official release (29.00 billion USD (-6.5% from the claim))"),
        "{e}"
    );
    assert!(
        v["claims"][0]["sources"][0]
            .as_str()
            .unwrap()
            .contains("rel.csv:")
    );
}

#[test]
fn growth_against_a_named_year_and_multiples_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.txt");
    std::fs::write(
        &t,
        "EU exports to Kyrgyzstan were 10 times higher in 2023 than in 2021.\n\
         EU exports to Kyrgyzstan were 5 times higher in 2023 than in 2021.\n",
    )
    .unwrap();
    let v = check_json(&t, &[]);
    let c = &v["claims"];
    assert_eq!(c[0]["frame"]["growth_base_year"], 2021);
    // Eurostat: 2,733.8m in 2023 against 263.2m in 2021, +938.5%: "10 times" (900 ± 50) holds, "5 times" does not.
    let eu = |i: usize| {
        c[i]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["reporter_side"] == "EU27")
            .unwrap()
            .clone()
    };
    assert!((eu(0)["yoy_growth_pct"].as_f64().unwrap() - 938.5).abs() < 0.1);
    assert_eq!(eu(0)["growth_agrees"], true);
    assert!(
        eu(0)["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("growth against 2021"))
    );
    assert_eq!(eu(1)["growth_agrees"], false);
}

/// Verdicts graded as fact-checkers grade (issue 14), on Eurostat's EU27 exports to Kyrgyzstan
/// (2,733,762,750 EUR in 2023, 263,239,032 EUR in 2021; sums of the monthly file): within the
/// figure's rounding `consistent`; beyond it but within 3% `close`, with the gap; the sentence takes
/// its worst part and lists each. Sentences of our own.
#[test]
fn close_grade_and_sentence_parts() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.txt");
    std::fs::write(
        &t,
        "EU exports to Kyrgyzstan were €2.8 billion in 2023 and €0.26 billion in 2021.\n\
         EU exports to Kyrgyzstan were €3.5 billion in 2023.\n",
    )
    .unwrap();
    let v = check_json(&t, &[]);
    // 2021: Eurostat agrees; Kyrgyzstan's recorded imports from the EU differ.
    assert_eq!(
        verdicts(&v),
        ["close", "consistent_one_side", "inconsistent"]
    );
    let c = &v["claims"];
    assert!(
        c[0]["explanation"]
            .as_str()
            .unwrap()
            .contains("within the size of routine revisions"),
        "{}",
        c[0]["explanation"]
    );
    assert_eq!(c[0]["sentence_verdict"], "close");
    assert_eq!(c[1]["sentence_verdict"], "close");
    let parts = c[1]["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[1]["verdict"], "consistent_one_side");
    assert!(c[2].get("parts").is_none());
    assert_eq!(v["summary"]["close"], 1);
}

/// German and Russian sentences are read and checked; the statistics a sentence cites decide,
/// and a cited side that is not loaded makes the claim not checkable, naming it. Our own sentences.
#[test]
fn german_russian_and_cited_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let de = dir.path().join("de.txt");
    std::fs::write(
        &de,
        "Die Exporte der EU nach Kirgisistan beliefen sich 2023 auf 2,73 Milliarden Euro.\n",
    )
    .unwrap();
    // Eurostat agrees; Kyrgyzstan's recorded imports from the EU (0.90 bn) differ.
    let v = check_json(&de, &[]);
    assert_eq!(verdicts(&v), ["consistent_one_side"]);
    assert_eq!(v["claims"][0]["frame"]["country_a"], "EU27");
    let ru = dir.path().join("ru.txt");
    std::fs::write(
        &ru,
        "Экспорт ЕС в Киргизию в 2023 году составил 2,73 млрд евро.\n",
    )
    .unwrap();
    let v = check_json(&ru, &[]);
    assert_eq!(verdicts(&v), ["consistent_one_side"]);
    let cited = dir.path().join("cited.txt");
    std::fs::write(
        &cited,
        "According to Georgia's statistics office, EU exports to Georgia reached €3 billion in 2023.\n",
    )
    .unwrap();
    let v = check_json(&cited, &[]);
    assert_eq!(verdicts(&v), ["not_checkable"]);
    let e = v["claims"][0]["explanation"].as_str().unwrap();
    assert!(
        e.contains("Georgia's statistics, which are not loaded"),
        "{e}"
    );
    assert!(e.contains("EU27's statistics give"), "{e}");
}

/// The example article's "record exceeding $28 billion" for Russia–Kazakhstan against the
/// statistics of both sides: Kazakhstan's own (2023: 27,054,449.6 thousand US$, exports + imports
/// with `Россия` in the national file) and Russia's as IMF IMTS gives them (2022: 27,119.0 US$
/// million, exports + imports with KAZ; sums by Python's csv module). Neither reaches $28 billion.
#[test]
fn example_record_claim_against_both_sides_statistics() {
    let v = check_json(&article(), &["--date", "2024-12-26"]);
    let e = v["claims"][1]["explanation"].as_str().unwrap();
    assert!(e.contains("KAZ statistics: 2023 27.05"), "{e}");
    assert!(e.contains("RUS statistics: 2022 27.12"), "{e}");
}

#[test]
fn a_change_in_currency_is_checked_and_the_headline_names_the_parties() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.txt");
    // The embedded Eurostat months: EU27 exports to Russia 89.17 bn EUR in 2021, 55.01 bn in 2022
    // (a change of -34.16 bn, -38.3%).
    let check = |text: &str, extra: &[&str]| {
        std::fs::write(&t, text).unwrap();
        check_json(&t, extra)
    };
    let v = check(
        "EU exports of goods to Russia fell by €34 billion between 2021 and 2022 (-38%).",
        &["--date", "2023-03-01"],
    );
    assert_eq!(verdicts(&v), ["consistent"]);
    let comp = v["claims"][0]["computation"].to_string();
    assert!(
        comp.contains("change against 2021") && comp.contains("-34.16"),
        "{comp}"
    );
    // The same rate with a change 12% off the data's: the change decides.
    let v = check(
        "EU exports of goods to Russia fell by €30 billion between 2021 and 2022 (-38%).",
        &["--date", "2023-03-01"],
    );
    assert_eq!(verdicts(&v), ["inconsistent"]);
    // Parties only in the page's headline (given, or spelt by its address).
    let body = "They fell by 38 percent in 2022 to 55 billion euros.";
    let v = check(body, &["--date", "2023-03-01"]);
    assert_eq!(verdicts(&v), ["not_checkable"]);
    for extra in [
        ["--headline", "EU exports to Russia collapse"],
        [
            "--address",
            "https://example.com/2023/03/01/eu-exports-to-russia-collapse-12345678.html",
        ],
    ] {
        let mut a = vec!["--date", "2023-03-01"];
        a.extend(extra);
        let v = check(body, &a);
        assert_eq!(verdicts(&v), ["consistent"], "{extra:?}: {v}");
        assert_eq!(v["claims"][0]["frame"]["country_a"], "EU27");
    }
}

//! Zylkin's `ge_gravity` example on the WIOD 2016 data (44 economies, 2000): the EU enlargements of
//! 2004–2013 as of 2000, θ = 4, with the published partial effect 0.2242490 (`GE_gravity_example.do`'s
//! three-way PPML). Checked against the published welfare changes of that run (Stata's output as the R
//! port GEGravity ships it, `data/conformance/ge_gravity`, single precision) to 1e-6.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use detour_ge::{HatOptions, HatWorld, Imbalances, solve_hat};

fn repo(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn fields(line: &str) -> Vec<String> {
    line.split(',')
        .map(|f| f.trim_matches('"').to_string())
        .collect()
}

/// (countries, flows of 2000, new_eu_pair) from the shipped WIOD 2016 extract.
fn wiod_2000() -> (Vec<String>, Vec<f64>, Vec<f64>) {
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(repo(
            "data/gravity/wiod2016_agg_allsectors_2000_2014.csv.gz",
        ))
        .unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    let mut lines = text.lines();
    assert_eq!(
        fields(lines.next().unwrap()),
        [
            "exporter",
            "importer",
            "year",
            "value",
            "eu_enlargement",
            "other_fta",
            "FTA"
        ]
    );
    let mut flow = BTreeMap::new();
    let mut eu: BTreeMap<(String, String), BTreeMap<u32, f64>> = BTreeMap::new();
    let mut countries = BTreeSet::new();
    for l in lines {
        let f = fields(l);
        let (ex, im, year) = (f[0].clone(), f[1].clone(), f[2].parse::<u32>().unwrap());
        countries.insert(ex.clone());
        if year == 2000 {
            flow.insert((ex.clone(), im.clone()), f[3].parse::<f64>().unwrap());
        }
        eu.entry((ex, im))
            .or_default()
            .insert(year, f[4].parse().unwrap());
    }
    let countries: Vec<String> = countries.into_iter().collect();
    let n = countries.len();
    let mut x = vec![0.0; n * n];
    let mut new_pair = vec![0.0; n * n];
    for (i, a) in countries.iter().enumerate() {
        for (j, b) in countries.iter().enumerate() {
            let key = (a.clone(), b.clone());
            x[i * n + j] = flow[&key];
            let years = &eu[&key];
            new_pair[i * n + j] = years[&2014] - years[&2000];
        }
    }
    (countries, x, new_pair)
}

#[test]
fn ge_gravity_example_welfare_to_1e6() {
    let (countries, x, new_pair) = wiod_2000();
    let n = countries.len();
    assert_eq!(n, 44);
    let published: BTreeMap<String, (f64, f64)> = std::fs::read_to_string(repo(
        "data/conformance/ge_gravity/eu_enlargement_2000_results.csv",
    ))
    .unwrap()
    .lines()
    .skip(1)
    .map(|l| {
        let f = fields(l);
        (f[0].clone(), (f[1].parse().unwrap(), f[2].parse().unwrap()))
    })
    .collect();
    assert_eq!(published.len(), 44);
    let partial: Vec<f64> = new_pair.iter().map(|p| 0.2242490 * p).collect();
    // 13 new members (2004, 2007, 2013) with 15 old members and Norway (the EEA), both ways, and among
    // themselves: 13·16·2 + 13·12
    assert_eq!(
        new_pair.iter().filter(|&&p| p == 1.0).count(),
        13 * 16 * 2 + 13 * 12
    );
    let world = HatWorld {
        n,
        flows: &x,
        partial: &partial,
        theta: 4.0,
    };
    for (imb, pick) in [(Imbalances::Additive, 0), (Imbalances::Multiplicative, 1)] {
        let o = solve_hat(&world, imb, HatOptions::default()).unwrap();
        let mut worst: f64 = 0.0;
        for (c, r) in countries.iter().zip(&o.countries) {
            let p = published[c];
            let want = if pick == 0 { p.0 } else { p.1 };
            worst = worst.max((r.welfare - want).abs());
        }
        assert!(worst < 1e-6, "{imb:?}: largest difference {worst:e}");
    }
}

/// The multi-sector solver with one sector and no input–output links is the one-sector model: on
/// the same real world and shock, every welfare change and flow agree to 1e-10.
#[test]
fn one_sector_of_the_multi_sector_solver_on_wiod() {
    let (_, x, new_pair) = wiod_2000();
    let n = 44;
    let partial: Vec<f64> = new_pair.iter().map(|p| 0.2242490 * p).collect();
    for imb in [Imbalances::Additive, Imbalances::Multiplicative] {
        let one = solve_hat(
            &HatWorld {
                n,
                flows: &x,
                partial: &partial,
                theta: 4.0,
            },
            imb,
            HatOptions::default(),
        )
        .unwrap();
        let multi = detour_ge::solve_sectors(
            &detour_ge::SectorWorld {
                n,
                sectors: 1,
                flows: &x,
                partial: &partial,
                theta: &[4.0],
                io: None,
            },
            imb,
            1e-13,
        )
        .unwrap();
        for (a, b) in one.countries.iter().zip(&multi.countries) {
            assert!((a.welfare - b.welfare).abs() < 1e-10, "{imb:?}");
            assert!((a.price_index - b.price_index).abs() < 1e-10);
        }
        for (a, b) in one.flows.iter().zip(&multi.flows) {
            assert!((a - b).abs() <= 1e-10 * a.max(1.0));
        }
    }
}

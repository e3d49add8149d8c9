//! Extraction quality on the evaluation sets (tests/eval): `dev` is the set the extractor's rules
//! were written against; `heldout` was written at the same time and never used to tune them.

use detour_claims::eval::{evaluate, parse_items};

fn run(name: &str, jsonl: &str) -> detour_claims::eval::Report {
    let items = parse_items(jsonl).expect("valid evaluation set");
    let r = evaluate(&items);
    println!("== {name}\n{}", r.table());
    for e in &r.errors {
        println!("  {e}");
    }
    r
}

#[test]
fn dev_set() {
    let r = run("dev", include_str!("eval/dev.jsonl"));
    assert!(r.f1 >= 0.95, "dev claim detection F1 {:.3}", r.f1);
    for f in &r.fields {
        assert!(
            f.accuracy >= 0.9,
            "dev field {} accuracy {:.3}",
            f.field,
            f.accuracy
        );
    }
}

#[test]
fn heldout_set() {
    let r = run("heldout", include_str!("eval/heldout.jsonl"));
    assert!(r.f1 >= 0.95, "held-out claim detection F1 {:.3}", r.f1);
    for f in &r.fields {
        assert!(
            f.accuracy >= 0.9,
            "held-out field {} accuracy {:.3}",
            f.field,
            f.accuracy
        );
    }
}

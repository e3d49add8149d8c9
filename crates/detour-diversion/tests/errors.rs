//! Errors of the diversion analyses: they stop at their deadline with `Error::Expired` (and answer in full
//! without one), and keep their sources (on the embedded Eurostat data).

use std::time::{Duration, Instant};

use detour_core::Deadline;
use detour_diversion::product::{ProductQuery, product_did};
use detour_diversion::{Error, Query, diversion};

#[test]
fn a_passed_deadline_stops_the_analysis() {
    let store = detour_store::default_store::open(&|_, _| {}).expect("the default store opens");
    let past = Deadline::at(Instant::now() - Duration::from_millis(1));
    let q = Query {
        deadline: past,
        ..Query::eu_russia_headline()
    };
    assert!(matches!(diversion(&store, &q), Err(Error::Expired(_))));
    let whole = diversion(&store, &Query::eu_russia_headline()).expect("the headline analysis");
    assert_eq!(whole.by_conduit.len(), 5);
    let p = ProductQuery {
        deadline: past,
        ..ProductQuery::by_windows(
            "EU27",
            "RUS",
            &["KAZ".to_string(), "KGZ".to_string()],
            detour_core::period::Period::parse("2020-01..2022-02").unwrap(),
            detour_core::period::Period::parse("2022-03..2022-11").unwrap(),
            "chpl",
        )
    };
    assert!(matches!(product_did(&store, &p), Err(Error::Expired(_))));
}

/// Errors keep their sources: an unknown conduit is the monitor's own error, with the pair
/// as context, not a flattened string.
#[test]
fn errors_keep_their_sources() {
    let store = detour_store::default_store::open(&|_, _| {}).expect("the default store opens");
    let q = Query {
        conduits: vec!["XXX".into()],
        ..Query::eu_russia_headline()
    };
    let e = diversion(&store, &q).unwrap_err();
    match &e {
        Error::Monitor { context, source } => {
            assert!(context.contains("XXX"), "{context}");
            assert!(std::error::Error::source(&e).is_some());
            assert!(!source.to_string().is_empty());
        }
        other => panic!("{other:?}"),
    }
}

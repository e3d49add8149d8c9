//! Work bounds: extraction grows linearly with the text, however many amounts one sentence
//! holds, and stops at a deadline instead of returning part of an answer.

use std::time::{Duration, Instant};

use detour_claims::text::{MAX_SENTENCE, sentences};
use detour_claims::{ExtractOptions, try_extract, verify};
use detour_core::{Deadline, Expired};

/// One "sentence" of `n` amounts and no sentence end (63 kB for 1,000 amounts).
fn many_amounts(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "exports to Kazakhstan were ${}.5 billion in 2022, ",
                i % 90 + 1
            )
        })
        .collect()
}

#[test]
fn a_sentence_of_thousands_of_amounts_is_read_in_bounded_pieces() {
    for n in [1_000, 2_000] {
        let text = many_amounts(n);
        let pieces = sentences(&text);
        assert!(pieces.iter().all(|p| p.end - p.start <= MAX_SENTENCE));
        // nothing is lost between pieces
        let dollars: usize = pieces
            .iter()
            .map(|p| text[p.start..p.end].matches('$').count())
            .sum();
        assert_eq!(dollars, n);
        assert!(pieces.len() >= text.len() / MAX_SENTENCE);
    }
}

/// Size-scaled: twice the amounts give twice the pieces and twice the claims (up to the pieces'
/// edges), which is what linear work means for a reader whose work per piece is bounded.
#[test]
fn twice_the_amounts_twice_the_work() {
    let count = |n: usize| {
        let text = many_amounts(n);
        let claims = try_extract(&text, &ExtractOptions::default()).unwrap();
        (sentences(&text).len(), claims.len())
    };
    let (p1, c1) = count(1_000);
    let (p2, c2) = count(2_000);
    assert!(c1 > 500, "{c1} claims of 1,000 amounts");
    assert!(p2.abs_diff(2 * p1) <= 2, "pieces {p1} then {p2}");
    assert!(c2.abs_diff(2 * c1) <= 2 * p2, "claims {c1} then {c2}");
}

#[test]
fn extraction_and_checking_stop_at_their_deadline() {
    let text = many_amounts(200);
    let past = Deadline::at(Instant::now() - Duration::from_millis(1));
    let opts = ExtractOptions {
        deadline: past,
        ..Default::default()
    };
    assert_eq!(try_extract(&text, &opts).unwrap_err(), Expired);
    // Without a deadline the same text is read whole.
    let claims = try_extract(&text, &ExtractOptions::default()).unwrap();
    assert!(!claims.is_empty());
    let checked = verify::check_until(None, &[], &claims, None, past);
    assert_eq!(checked.unwrap_err(), Expired);
    let all = verify::check_until(None, &[], &claims, None, Deadline::none()).unwrap();
    assert_eq!(all.len(), claims.len());
}

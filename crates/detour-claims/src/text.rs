//! Reading a text: size, encoding and language checks, normalisation, sentences, the article's date.

use chrono::NaiveDate;
use regex::Regex;
use std::sync::OnceLock;

use crate::{ClaimsError, Result};

/// The largest text `check` reads: a long article is well under 1 MB.
pub const MAX_TEXT_BYTES: usize = 10 * 1024 * 1024;

/// Decode and vet a text: not empty, UTF-8, not larger than [`MAX_TEXT_BYTES`], in English, German
/// or Russian.
/// `name` is what errors call the input (a file name or `<stdin>`).
pub fn decode(name: &str, bytes: &[u8]) -> Result<String> {
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(ClaimsError::Input {
            name: name.into(),
            reason: format!(
                "the text is {:.1} MB; detour reads texts up to {} MB (an article is usually under 100 kB)",
                bytes.len() as f64 / 1e6,
                MAX_TEXT_BYTES / (1024 * 1024)
            ),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        ClaimsError::Input {
            name: name.into(),
            reason: format!(
                "not UTF-8 text: invalid byte 0x{:02X} at byte {at} (line {line}); save the text as UTF-8",
                bytes[at]
            ),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ClaimsError::Input {
            name: name.into(),
            reason: "the text is empty".into(),
        });
    }
    if let Err(lang) = crate::lang::detect(text) {
        return Err(ClaimsError::Input {
            name: name.into(),
            reason: format!(
                "the text looks like {lang}; detour reads trade claims in English, German and Russian texts"
            ),
        });
    }
    Ok(normalise(text))
}

/// Typographic variants to plain forms that keep byte offsets meaningful for the rest:
/// non-breaking and thin spaces to spaces, curly quotes to straight ones, the minus sign to '-'.
/// A hard line break inside a number ("$130.\n4 billion", as stored pages keep it) is joined.
pub fn normalise(text: &str) -> String {
    let plain: String = text
        .chars()
        .map(|c| match c {
            '\u{00A0}' | '\u{2009}' | '\u{202F}' | '\u{2007}' => ' ',
            '\u{2018}' | '\u{2019}' | '\u{02BC}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2212}' => '-',
            '\r' => '\n',
            c => c,
        })
        .collect();
    static BROKEN: OnceLock<Regex> = OnceLock::new();
    let broken = BROKEN.get_or_init(|| {
        Regex::new(
            r"(?i)(\d[.,])[ \t]*\n[ \t]*(\d+\s*(?:(?:billion|million|trillion|thousand|bn|mln|bln|percent|per cent)\b|%))",
        )
        .expect("valid regex")
    });
    if plain.contains('\n') && broken.is_match(&plain) {
        broken.replace_all(&plain, "$1$2").into_owned()
    } else {
        plain
    }
}

/// A sentence with its byte range in the text and the paragraph it belongs to.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub paragraph: usize,
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "vs", "no", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "gov", "gen", "sen", "rep", "approx", "est", "inc",
    "ltd", "co", "corp", "bln", "mln", "trln", "bn", "mn", "e.g", "i.e", "u.s", "u.k", "u.n",
    // German and Russian scale and unit abbreviations ("2,9 Mrd. USD", "3,4 млрд. долларов").
    "mrd", "mio", "tsd", "bzw", "ca", "млрд", "млн", "трлн", "тыс", "руб", "долл", "г", "гг",
];

/// Longest sentence the extractor reads as one, in bytes. A longer run of text without a sentence
/// end (a table flattened into one line, a list of figures, a hostile input) is cut into pieces
/// of at most this size, at the last clause break (`;`, `:`, `,`) or space in the second half of
/// the piece. The extractor's work per sentence is bounded by a function of its length, so this
/// bound keeps the work on a whole text linear in its length. Real news sentences are far
/// shorter (the longest of the development corpus has 553 characters).
pub const MAX_SENTENCE: usize = 1_200;

/// Split a text into sentences: at '.', '!' or '?' followed by a space and a capital, a digit
/// or a quote (not after an abbreviation, an initial or inside a number), and at line breaks;
/// pieces longer than [`MAX_SENTENCE`] are cut further.
pub fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    for s in whole_sentences(text) {
        let mut piece = |a: usize, e: usize| {
            let (start, end) = trim_range(text, a, e);
            if end > start {
                out.push(Sentence {
                    start,
                    end,
                    paragraph: s.paragraph,
                });
            }
        };
        let mut a = s.start;
        while s.end - a > MAX_SENTENCE {
            let cut = cut_point(text, a);
            piece(a, cut);
            a = cut;
        }
        piece(a, s.end);
    }
    out
}

/// Where to end a piece that starts at `a` and runs past [`MAX_SENTENCE`]: after the last clause
/// break, else the last space, in the piece's second half; else at the limit (on a character
/// boundary).
fn cut_point(text: &str, a: usize) -> usize {
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let limit = floor(a + MAX_SENTENCE);
    let from = floor(a + MAX_SENTENCE / 2);
    let window = &text[from..limit];
    window
        .rfind([';', ':', ','])
        .or_else(|| window.rfind(' '))
        .map(|i| from + i + 1)
        .unwrap_or(limit)
}

fn whole_sentences(text: &str) -> Vec<Sentence> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut paragraph = 0usize;
    let mut line_start = 0usize;
    let mut i = 0usize;
    let push = |out: &mut Vec<Sentence>, s: usize, e: usize, p: usize| {
        let (s, e) = trim_range(text, s, e);
        if e > s {
            out.push(Sentence {
                start: s,
                end: e,
                paragraph: p,
            });
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            let had_text = !text[line_start..i].trim().is_empty();
            push(&mut out, start, i, paragraph);
            // A line break ends a paragraph (articles put one paragraph per line); the blank lines
            // between paragraphs do not count again.
            if had_text {
                paragraph += 1;
            }
            start = i + 1;
            line_start = i + 1;
        } else if matches!(b, b'.' | b'!' | b'?') && is_sentence_end(text, i) {
            // Keep a closing quote or bracket with the sentence.
            let mut e = i + 1;
            while e < bytes.len() && matches!(bytes[e], b'"' | b'\'' | b')') {
                e += 1;
            }
            push(&mut out, start, e, paragraph);
            start = e;
            i = e;
            continue;
        }
        i += 1;
    }
    push(&mut out, start, bytes.len(), paragraph);
    out
}

fn trim_range(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let b = text.as_bytes();
    while s < e && b[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    (s, e)
}

fn is_sentence_end(text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    // What follows: (closing quotes) whitespace, then a capital, digit or quote; or the end.
    let mut j = i + 1;
    while j < b.len() && matches!(b[j], b'"' | b'\'' | b')') {
        j += 1;
    }
    if j >= b.len() {
        return true;
    }
    if !b[j].is_ascii_whitespace() {
        return false;
    }
    while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
        j += 1;
    }
    if j >= b.len() || b[j] == b'\n' {
        return true;
    }
    let next = text[j..].chars().next().unwrap_or(' ');
    if !(next.is_uppercase() || next.is_ascii_digit() || matches!(next, '"' | '\'' | '$' | '€')) {
        return false;
    }
    if b[i] != b'.' {
        return true;
    }
    // The word before the period.
    let before = &text[..i];
    let word_start = before
        .rfind(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .map(|p| p + 1)
        .unwrap_or(0);
    let word = before[word_start..].to_lowercase();
    if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) {
        return false; // an initial: "J. Smith"
    }
    !ABBREVIATIONS.contains(&word.trim_end_matches('.'))
}

fn month_re() -> &'static str {
    "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
}

/// The date of the article when the text states one ("December 26, 2024", "26 December 2024", "2024-12-26").
pub fn find_date(text: &str) -> Option<NaiveDate> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        let m = month_re();
        Regex::new(&format!(
            r"(?i)\b(?:(?P<iy>20\d\d)-(?P<im>\d\d)-(?P<id>\d\d)|(?P<m1>{m})\.?\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>20\d\d)|(?P<d2>\d{{1,2}})\s+(?P<m2>{m})\.?,?\s+(?P<y2>20\d\d))\b"
        ))
        .expect("valid date regex")
    });
    for c in re.captures_iter(text) {
        let date = if let Some(y) = c.name("iy") {
            NaiveDate::from_ymd_opt(
                y.as_str().parse().ok()?,
                c["im"].parse().ok()?,
                c["id"].parse().ok()?,
            )
        } else if let Some(y) = c.name("y1") {
            NaiveDate::from_ymd_opt(
                y.as_str().parse().ok()?,
                detour_core::period::month_from_name(&c["m1"])?,
                c["d1"].parse().ok()?,
            )
        } else {
            NaiveDate::from_ymd_opt(
                c["y2"].parse().ok()?,
                detour_core::period::month_from_name(&c["m2"])?,
                c["d2"].parse().ok()?,
            )
        };
        if date.is_some() {
            return date;
        }
    }
    None
}

/// The headline that a page's address spells out, for a page whose headline is not at hand
/// ("…/20221025/six-eu-countries-boost-exports-of-goods-to-russia-in-july-1102602231.html" →
/// "Six EU Countries Boost Exports Of Goods To Russia In July"): the words of the path segment
/// with the most of them (at least three), percent-decoded, without leading or trailing ids and
/// the file extension, each capitalised (common bloc acronyms upper-cased). `None` when no segment
/// reads as words.
pub fn headline_from_address(address: &str) -> Option<String> {
    let path = address.split_once("://").map_or(address, |(_, r)| r);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut best: Option<Vec<String>> = None;
    let mut country_page: Option<String> = None;
    for seg in path.split('/').skip(1) {
        let seg = percent_decode(seg);
        let seg = seg
            .rsplit_once('.')
            .filter(|(_, ext)| ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphanumeric()))
            .map_or(seg.as_str(), |(a, _)| a);
        let mut words: Vec<&str> = seg
            .split(['-', '_', '+', ' ', ','])
            .filter(|w| !w.is_empty())
            .collect();
        // An id is a word with digits that is no number a headline would print: long digit runs
        // ("1102602231", "201703271051990315") and mixed tokens ("a4bd29", "rrwcqfqg9").
        let is_id = |w: &str| {
            let digits = w.chars().filter(char::is_ascii_digit).count();
            digits > 0 && (digits >= 7 || (digits < w.len() && digits >= 2 && !w.ends_with('b')))
        };
        while words.first().is_some_and(|w| is_id(w)) {
            words.remove(0);
        }
        while words.last().is_some_and(|w| is_id(w) || *w == "i") {
            words.pop();
        }
        let alpha = words
            .iter()
            .filter(|w| w.chars().all(char::is_alphabetic))
            .count();
        if alpha >= 3 && best.as_ref().is_none_or(|b| b.len() < words.len()) {
            best = Some(words.iter().map(|w| headline_word(w)).collect());
        }
        // A country's page ("…/de/kirgisistan", "…/countries/south-korea"): its name.
        if (1..=3).contains(&words.len()) {
            let name = words
                .iter()
                .map(|w| headline_word(w))
                .collect::<Vec<_>>()
                .join(" ");
            // The name in English or in German (the German gloss names countries in English).
            let whole = |n: &str| {
                let found = crate::gazetteer::find_parties(n);
                found.len() == 1 && found[0].start == 0 && found[0].end == n.len()
            };
            if whole(&name) || whole(&crate::lang::gloss(&name, crate::lang::Lang::De)) {
                country_page = Some(name);
            }
        }
    }
    best.map(|w| w.join(" ")).or(country_page)
}

/// The page's headline as the reader takes it: the one given, else the one its address spells
/// ([`headline_from_address`]).
pub fn page_headline(headline: Option<&str>, address: Option<&str>) -> Option<String> {
    headline
        .map(str::to_string)
        .or_else(|| address.and_then(headline_from_address))
}

fn headline_word(w: &str) -> String {
    let l = w.to_lowercase();
    if [
        "eu", "uk", "uae", "cis", "eaeu", "usa", "gcc", "asean", "fy",
    ]
    .contains(&l.as_str())
    {
        return l.to_uppercase();
    }
    let mut c = l.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => l,
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_not_numbers_or_abbreviations() {
        let t = "Trade rose to $6.8 bn. in 2024, said Dr. Smith. U.S. exports fell 3.5%! Next one";
        let s: Vec<&str> = sentences(t).iter().map(|s| &t[s.start..s.end]).collect();
        assert_eq!(
            s,
            [
                "Trade rose to $6.8 bn. in 2024, said Dr. Smith.",
                "U.S. exports fell 3.5%!",
                "Next one"
            ]
        );
    }

    #[test]
    fn finds_dates() {
        assert_eq!(
            find_date("MOSCOW, December 26, 2024 - Trade"),
            NaiveDate::from_ymd_opt(2024, 12, 26)
        );
        assert_eq!(
            find_date("Published 3 Sept 2023."),
            NaiveDate::from_ymd_opt(2023, 9, 3)
        );
        assert_eq!(find_date("in 2024"), None);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(decode("x", b"").is_err());
        assert!(decode("x", b"  \n ").is_err());
        let e = decode("x", b"Trade \xff rose").unwrap_err().to_string();
        assert!(e.contains("0xFF") && e.contains("line 1"), "{e}");
        // German and Russian are read; other languages are refused with a message.
        assert!(
            decode(
                "x",
                "Товарооборот России и Казахстана вырос на 10% в 2023 году.".as_bytes()
            )
            .is_ok()
        );
        let de = "Der Handel zwischen Russland und Kasachstan ist im Jahr 2023 um zehn Prozent gestiegen, sagte der Minister heute";
        assert!(decode("x", de.as_bytes()).is_ok());
        let fr = "Le commerce entre la France et le Kazakhstan a augmenté de dix pour cent l'année dernière selon les douanes";
        let e = decode("x", fr.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("English, German and Russian"), "{e}");
        assert!(
            decode(
                "x",
                b"Trade between Russia and Kazakhstan rose 10% in 2023."
            )
            .is_ok()
        );
    }

    #[test]
    fn joins_a_number_broken_across_lines() {
        assert_eq!(
            normalise("trade amounted to $130.\n4 billion in 2021"),
            "trade amounted to $130.4 billion in 2021"
        );
        // A sentence that ends with a year before a line of its own stays apart.
        assert_eq!(
            normalise("It grew in 2021.\n4 countries joined."),
            "It grew in 2021.\n4 countries joined."
        );
    }

    #[test]
    fn reads_a_headline_from_a_page_address() {
        // A country's page: its name, in English or German.
        assert_eq!(
            headline_from_address("https://example.org/de/armenien").as_deref(),
            Some("Armenien")
        );
        assert_eq!(
            headline_from_address("https://example.org/countries/south-korea").as_deref(),
            Some("South Korea")
        );
        assert_eq!(
            headline_from_address("https://example.org/de/wirtschaft"),
            None
        );
        assert_eq!(
            headline_from_address(
                "https://example.com/20221025/six-eu-countries-boost-exports-to-russia-in-july-1102602231.html"
            )
            .as_deref(),
            Some("Six EU Countries Boost Exports To Russia In July")
        );
        assert_eq!(
            headline_from_address(
                "https://example.com/business/201703271051990315-russia-iran-trade-turnover-january"
            )
            .as_deref(),
            Some("Russia Iran Trade Turnover January")
        );
        assert_eq!(
            headline_from_address("https://example.org/news/%D0%A2%D0%BE%D0%B2%D0%B0%D1%80-a-b-c")
                .as_deref(),
            Some("Товар A B C")
        );
        assert_eq!(
            headline_from_address("https://example.com/news/show/18632"),
            None
        );
        assert_eq!(headline_from_address("https://example.com/"), None);
    }
}

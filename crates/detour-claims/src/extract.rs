//! Claim extraction: find the sentences that state trade figures and read each into a [`Frame`].
//!
//! The reader is rule-based and explainable: amounts, growth rates, multiples, periods, parties,
//! flows, forecast and record cues and attributions are found by patterns over the sentence;
//! each amount (or, in sentences without one, each growth rate) anchors one claim, and the
//! growth rates, periods, flows and record cues are attached to the nearest anchor.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;

use crate::frame::{Bound, Claim, Flow, Frame};
use crate::gazetteer::{MentionKind, PartyMention, find_parties};
use crate::lang::Lang;
use crate::text::{Sentence, sentences};

/// Options of the extractor.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// The article's date: resolves "this year", "last year" and year-less periods.
    pub date: Option<NaiveDate>,
    /// When to give up (see [`try_extract`]); [`extract`] ignores it.
    pub deadline: detour_core::Deadline,
    /// The page's headline when it is not part of the text (a page's title, or the words of its
    /// address, [`crate::text::headline_from_address`]): the article's subject. Claims that name
    /// no party or no period of their own, and have no sentence before them that does, take the
    /// headline's. It makes no claims of its own.
    pub headline: Option<String>,
}

/// A number as trade news writes it: "18,229.03", "1 246.7" (space-grouped thousands), "117,7"
/// (a decimal comma with one or two digits), "6.8"; and, before a scale word only, in words.
const NUM: &str = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\x20\d{3})+(?:\.\d+)?|\d+,\d{1,2}\b|\d+(?:\.\d+)?|\b(?:one[-\x20]and[-\x20]a[-\x20]half|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a)\b";
const SCALE: &str = r"thousand|million|billion|trillion|mln|mn|bln|bn|trln|tln|tn|m|b|k";
const YEAR: &str = r"(?:19|20)\d\d";
const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
const MONTH_FULL: &str =
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)";
const NUMWORD: &str = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2}";
const RELYEAR: &str = r"this|last|the current|the previous|the past|next";

/// The lazy DFA's cache per pattern: the large patterns (attributions, amounts) thrash the
/// default one on long texts and fall back to the slow engines.
const DFA_CACHE: usize = 16 << 20;

fn re(cell: &'static OnceLock<Regex>, pattern: impl FnOnce() -> String) -> &'static Regex {
    cell.get_or_init(|| {
        regex::RegexBuilder::new(&ascii_boundaries(pattern()))
            .dfa_size_limit(DFA_CACHE)
            .build()
            .expect("valid extraction regex")
    })
}

/// An all-ASCII pattern's word boundaries as ASCII ones (`(?-u:\b)`): the same matches around
/// the ASCII words such a pattern spells, and the fast (lazy DFA) engine keeps them on text with
/// non-ASCII characters ("€", "–", "’"), where Unicode boundaries force the slow engines.
fn ascii_boundaries(pattern: String) -> String {
    if pattern.is_ascii() {
        pattern.replace(r"\b", r"(?-u:\b)")
    } else {
        pattern
    }
}

// ---------------------------------------------------------------- amounts

#[derive(Debug, Clone)]
struct Amount {
    start: usize,
    end: usize,
    value: f64,
    high: Option<f64>,
    bound: Bound,
    currency: String,
    scale: Option<String>,
    decimals: u32,
    /// "rose from $5bn to $7bn": the earlier level.
    base: Option<f64>,
    /// What the amount is to the claim beside it, when it is not a level of its own.
    role: Role,
    text: String,
}

/// An amount's part in its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A level: it anchors a claim.
    Level,
    /// The comparison level of the claim beside it ("compared to $410.9 million in 2022").
    Base,
    /// The change of the claim beside it ("an increase of $238.5 million", "USD 362 million or 9.8% more").
    Change,
    /// The same figure again in other words or another currency ("or 111 bln Belarusian rubles").
    Alternate,
    /// Someone's expectation quoted beside the claim ("beating market expectations of 480 billion yen").
    Expectation,
}

/// A number word's value ("six" → 6, "one-and-a-half" → 1.5, "a" → 1).
fn word_num(s: &str) -> Option<f64> {
    let w = s.to_lowercase().replace(['-', ' '], "");
    Some(match w.as_str() {
        "a" | "one" => 1.0,
        "oneandahalf" => 1.5,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "fifteen" => 15.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "fifty" => 50.0,
        _ => return None,
    })
}

/// The value of a number as written and its decimals. A comma followed by one or two digits is a
/// decimal comma ("$117,7 million"); followed by three, it groups thousands, as a space does.
fn parse_num(s: &str) -> Option<(f64, u32)> {
    if let Some(v) = word_num(s) {
        return Some((v, if v.fract() != 0.0 { 1 } else { 0 }));
    }
    let t = s.replace(' ', "");
    let clean = match t.split_once(',') {
        Some((a, d)) if !d.contains(',') && !d.contains('.') && (1..=2).contains(&d.len()) => {
            format!("{a}.{d}")
        }
        _ => t.replace(',', ""),
    };
    let decimals = clean.split_once('.').map_or(0, |(_, d)| d.len() as u32);
    Some((clean.parse().ok()?, decimals))
}

fn scale_word(s: &str) -> Option<String> {
    let s = s.trim_end_matches('.').to_lowercase();
    Some(
        match s.as_str() {
            "thousand" | "k" => "thousand",
            "million" | "mln" | "mn" | "m" => "million",
            "billion" | "bln" | "bn" | "b" => "billion",
            "trillion" | "trln" | "tln" | "tn" => "trillion",
            _ => return None,
        }
        .to_string(),
    )
}

/// Currency prefixes: symbols and codes written before the number.
const CUR_PREFIX: &str = r"US\s?\$|U\.S\.\s?\$|\$|€|£|₽|¥|₹|\\|\bRs\.?|\bDh|\b(?:USD|EUR|RUB|GBP|CNY|JPY|INR|AED|QAR|QR|SAR|TRY|KZT|BYN|AZN|GEL|AMD|UZS|KGS|TMT|CHF)";
/// Currency words written after the number (and its scale).
const CUR_SUFFIX: &str = r"(?:U\.?S\.?\s+|American\s+)?dollars?|euros?|(?:Russian\s+|Belarusian\s+)?(?:roubles?|rubles?)|USD|EUR|RUB|yuan|renminbi|yen|liras?|lira|dirhams?|rupees?|riyals?|tenge|soms?|sums?|drams?|lari|manats?|pounds?(?:\s+sterling)?";

fn currency_of(prefix: Option<&str>, suffix: Option<&str>) -> Option<String> {
    let p = prefix.map(|p| p.trim().trim_end_matches('.').to_uppercase());
    let s = suffix.map(|s| s.trim().to_lowercase());
    let from_prefix = p.as_deref().map(|p| match p {
        "€" | "EUR" => "EUR",
        "£" | "GBP" => "GBP",
        "₽" | "RUB" => "RUB",
        // "\\723 billion": the yen sign as Japanese encodings store it.
        "¥" | "\\" | "JPY" => "JPY",
        "₹" | "RS" | "INR" => "INR",
        "DH" | "AED" => "AED",
        "QR" | "QAR" => "QAR",
        "CNY" | "SAR" | "TRY" | "KZT" | "BYN" | "AZN" | "GEL" | "AMD" | "UZS" | "KGS" | "TMT"
        | "CHF" => p,
        _ => "USD", // $, US$, U.S.$, USD
    });
    let from_suffix = s.as_deref().map(|s| {
        if s.contains("euro") || s == "eur" {
            "EUR"
        } else if s.starts_with("belarusian") {
            "BYN"
        } else if s.contains("rouble") || s.contains("ruble") || s == "rub" {
            "RUB"
        } else if s.contains("yuan") || s.contains("renminbi") {
            "CNY"
        } else if s == "yen" {
            "JPY"
        } else if s.starts_with("lira") {
            "TRY"
        } else if s.starts_with("dirham") {
            "AED"
        } else if s.starts_with("rupee") {
            "INR"
        } else if s.starts_with("riyal") {
            "SAR"
        } else if s.starts_with("pound") {
            "GBP"
        } else if s.contains("tenge") {
            "KZT"
        } else if s.starts_with("som") {
            "KGS"
        } else if s.starts_with("sum") {
            "UZS"
        } else if s.starts_with("dram") {
            "AMD"
        } else if s == "lari" {
            "GEL"
        } else if s.starts_with("manat") {
            "AZN"
        } else {
            "USD"
        }
    });
    from_prefix.or(from_suffix).map(str::to_string)
}

fn find_amounts(s: &str) -> Vec<Amount> {
    static RE: OnceLock<Regex> = OnceLock::new();
    static BOUND: OnceLock<Regex> = OnceLock::new();
    static BETWEEN: OnceLock<Regex> = OnceLock::new();
    let money = re(&RE, || {
        format!(
            r"(?ix)
            (?P<pre>{CUR_PREFIX})?\s?
            (?P<n1>{NUM})
            (?:\s?(?P<sc1>{SCALE})\b)?
            (?:\s*(?P<sep>-|–|—|\bto\b)\s*(?:{CUR_PREFIX})?\s?(?P<n2>{NUM}))?
            (?:\s?(?P<sc>{SCALE})\b\.?)?
            (?P<mix>\s+\d{{1,3}}\s+(?:million|thousand)\b)?
            (?:\s+(?P<suf>{CUR_SUFFIX})\b)?"
        )
    });
    let bound_re = re(&BOUND, || {
        r"(?i)(?P<w>slightly more than|slightly over|just over|well over|more than|over|exceeding|exceeded|exceeds|exceed|above|in excess of|upwards of|at least|almost|nearly|close to|just under|under|less than|below|up to|about|around|approximately|roughly|some|an estimated|approx\.?|~)\s*$".into()
    });
    let between_re = re(&BETWEEN, || {
        format!(
            r"(?i)^\s+and\s+(?:US\s?\$|\$|€|£|₽)?(?P<n2>{NUM})\s?(?P<sc>{SCALE})?\b\.?(?:\s+(?P<suf>dollars?|euros?|roubles?|rubles?))?"
        )
    });
    let mut out: Vec<Amount> = Vec::new();
    let mut pos = 0;
    while let Some(c) = money.captures_at(s, pos) {
        let m = c.get(0).expect("match");
        let n1 = c.name("n1").expect("n1");
        let next = m.start() + s[m.start()..].chars().next().map_or(1, char::len_utf8);
        // Where the amount itself starts: its currency sign, else its number (not a space the
        // pattern took before it).
        let a_start = c.name("pre").map_or(n1.start(), |p| p.start());
        // "in 2002 to EUR 433.5 billion": a year is no amount, not even the low end of a range.
        let yearish = c.name("pre").is_none()
            && c.name("sc1").is_none()
            && n1.as_str().len() == 4
            && n1
                .as_str()
                .parse::<u32>()
                .is_ok_and(|y| (1900..=2100).contains(&y));
        // "$21.04%": a rate with a stray sign, not an amount.
        let rate = s[m.end()..].trim_start().starts_with('%');
        if yearish || rate {
            pos = next;
            continue;
        }
        // Not in the middle of a number ("023" of "2023").
        let mid_number = s[..n1.start()]
            .chars()
            .last()
            .is_some_and(|ch| ch.is_ascii_digit() || ch == '.' || ch == ',')
            && c.name("pre").is_none();
        let currency = currency_of(
            c.name("pre").map(|x| x.as_str()),
            c.name("suf").map(|x| x.as_str()),
        );
        // Without a currency, only a number with a full scale word may still be an amount (it
        // takes the currency of the amount before it, below).
        let full_scale = c
            .name("sc")
            .or(c.name("sc1"))
            .is_some_and(|x| x.as_str().len() >= 7);
        let currency = match currency {
            Some(c) => Some(c),
            None if full_scale => Some(String::new()),
            None => None,
        };
        let (false, Some(currency)) = (mid_number, currency) else {
            // "in 2023 to $2.9 billion": the year is no amount; look again after it.
            pos = next;
            continue;
        };
        pos = m.end();
        let Some((v1, d1)) = parse_num(&c["n1"]) else {
            continue;
        };
        let scale = c
            .name("sc")
            .or(c.name("sc1"))
            .and_then(|x| scale_word(x.as_str()));
        // A number in words is an amount only with a scale word: "six billion euro", not "one euro".
        if c["n1"].starts_with(char::is_alphabetic) && scale.is_none() {
            pos = next;
            continue;
        }
        // A scale letter glued to something else ("5 mbps") is not a scale: require a currency then.
        let before = &s[..a_start];
        let mut end = m.end();
        let mut high = None;
        let mut base = None;
        let mut value = v1;
        let mut decimals = d1;
        // "3 billion 160 million dollars": one amount, 3.16 billion.
        if let Some(mix) = c.name("mix") {
            let mut w = mix.as_str().split_whitespace();
            let sub: f64 = w.next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
            let sub_scale = scale_word(w.next().unwrap_or(""));
            let ratio = crate::frame::scale_factor(sub_scale.as_deref())
                / crate::frame::scale_factor(scale.as_deref());
            if ratio < 1.0 {
                value = v1 + sub * ratio;
                decimals = (-ratio.log10()).round() as u32;
            }
        }
        let mut bound = Bound::Exact;
        if let Some(n2) = c.name("n2") {
            let (v2, d2) = parse_num(n2.as_str()).unwrap_or((v1, d1));
            let is_change = before.trim_end().to_lowercase().ends_with("from");
            if is_change {
                base = Some(v1);
                value = v2;
                decimals = d2;
            } else {
                high = Some(v2);
                bound = Bound::Range;
                decimals = d1.max(d2);
            }
        } else if before.trim_end().to_lowercase().ends_with("between")
            && let Some(b) = between_re.captures(&s[m.end()..])
            && let Some((v2, d2)) = parse_num(&b["n2"])
        {
            high = Some(v2);
            bound = Bound::Range;
            decimals = d1.max(d2);
            end = m.end() + b.get(0).expect("match").end();
            pos = end;
        }
        let scale = scale.or_else(|| {
            // "between $59 and $60 billion": the scale is written once, after the second number.
            between_re
                .captures(&s[m.end()..])
                .and_then(|b| b.name("sc").and_then(|x| scale_word(x.as_str())))
                .filter(|_| bound == Bound::Range)
        });
        if bound != Bound::Range
            && let Some(b) = bound_re.captures(before)
        {
            let w = b["w"].to_lowercase();
            bound = match w.as_str() {
                "almost" | "nearly" | "close to" | "just under" | "under" | "less than"
                | "below" | "up to" => Bound::Under,
                "about" | "around" | "approximately" | "roughly" | "some" | "an estimated"
                | "approx" | "approx." | "~" => Bound::About,
                _ => Bound::Over,
            };
        }
        // An amount right after another in parentheses is the same figure in another unit.
        let in_parens = before.trim_end().ends_with('(');
        if in_parens && out.last().is_some_and(|p| a_start - p.end <= 3) {
            continue;
        }
        let role = if base.is_some() {
            Role::Level
        } else {
            amount_role(s, a_start, end, out.last())
        };
        let mut currency = currency;
        // "France (25 billion)": a scale without a currency takes the currency of the amount
        // before it in the sentence.
        if currency.is_empty()
            && let Some(p) = out.last()
        {
            currency = p.currency.clone();
        }
        if currency.is_empty() {
            pos = next;
            continue;
        }
        out.push(Amount {
            role,
            start: a_start,
            end,
            value,
            high,
            bound,
            currency,
            scale,
            decimals,
            base,
            text: s[a_start..end].trim().to_string(),
        });
    }
    out
}

/// What an amount is to its sentence, from the words just before and after it.
fn amount_role(s: &str, start: usize, end: usize, prev: Option<&Amount>) -> Role {
    static BASE: OnceLock<Regex> = OnceLock::new();
    static BASE_PAREN: OnceLock<Regex> = OnceLock::new();
    static CHANGE_BEFORE: OnceLock<Regex> = OnceLock::new();
    static CHANGE_AFTER: OnceLock<Regex> = OnceLock::new();
    static EXPECT: OnceLock<Regex> = OnceLock::new();
    let before = &s[..start];
    let after = &s[end..];
    let base = re(&BASE, || {
        r"(?i)\b(?:compared\s+(?:to|with)|against|versus|vs\.?|from)\s+(?:the\s+|a\s+|its\s+)?(?:(?:level|figure|total|value)\s+of\s+)?(?:the\s+current\s+)?$".into()
    });
    if base.is_match(before) {
        return Role::Base;
    }
    // "compared to the 2022 figures ($770.215 million)", "compared to the same month of 2021 (500 …)".
    let base_paren = re(&BASE_PAREN, || {
        r"(?i)\b(?:compared\s+(?:to|with)|against|versus|(?P<than>than))\b(?P<rest>[^$€£¥()]{0,60})\(\s*$".into()
    });
    // ("divided by more than four in April 2022 (100 million euros)": a qualifier's "than".)
    static COUNT: OnceLock<Regex> = OnceLock::new();
    let count = re(&COUNT, || {
        r"(?i)^\s*(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|half|double|twice)".into()
    });
    if let Some(c) = base_paren.captures(before)
        && !(c.name("than").is_some() && count.is_match(&c["rest"]))
    {
        return Role::Base;
    }
    let change_before = re(&CHANGE_BEFORE, || {
        format!(
            r"(?i)\b(?:(?:an?\s+)?(?:increase|rise|growth|gain|decrease|decline|drop|fall|reduction)\s+(?:of|by|is|was|amounted\s+to)|(?:{UP_WORDS}|{DOWN_WORDS})\s+by|by)\s+(?:some\s+|about\s+|almost\s+|nearly\s+|over\s+|more\s+than\s+)?$"
        )
    });
    let change_after = re(&CHANGE_AFTER, || {
        r"(?i)^\s*(?:,\s*)?(?:or\s+[+\-]?\d+(?:[.,]\d+)?\s?(?:%|percent|per\s?cent)\s+)?(?:more|less|higher|lower|up|down)\s+(?:than|on|from|compared|year)".into()
    });
    if change_before.is_match(before) || change_after.is_match(after) {
        return Role::Change;
    }
    let expect = re(&EXPECT, || {
        r"(?i)\b(?:expectations?|consensus|analysts?\s+(?:had\s+)?(?:expected|forecast))\s+(?:of\s+)?(?:an?\s+)?$".into()
    });
    if expect.is_match(before) {
        return Role::Expectation;
    }
    if let Some(p) = prev {
        let between = &s[p.end.min(start)..start];
        let b = between.trim().trim_start_matches(')').trim().to_lowercase();
        if between.len() <= 30 && (b == "or" || b == ", or" || b.ends_with(" or")) {
            return Role::Alternate;
        }
    }
    Role::Level
}

// ---------------------------------------------------------------- growth

#[derive(Debug, Clone)]
struct Growth {
    start: usize,
    end: usize,
    pct: f64,
    /// Half-width, in percentage points, of what the words stand for: "29.1%" ±0.05, "10 times" ±50,
    /// "doubled" ±25 (an eighth of the multiple), "by a third" ±5.
    tolerance: f64,
    bound: Bound,
    text: String,
}

const UP_WORDS: &str = r"doubled|tripled|quadrupled|(?:sky)?rocket(?:ed|s)?|leap(?:ed|t|s)?|boom(?:ed|s)?|increase[ds]?|increasing|rose|rise[ns]?|risen|rising|grew|grow(?:s|n|ing)?|growth|jump(?:ed|s)?|surg(?:ed|es?)|climb(?:ed|s)?|gain(?:ed|s)?|add(?:ed|ing|s)|expan(?:ded|ding|ds|sion)|up|soar(?:ed|s)?|went up|higher|advanced";
const DOWN_WORDS: &str = r"halved|collaps(?:ed|es?|ing)|tumbl(?:ed|es?)|sank|sunk|slipped|plummet(?:ed|s)?|crashed|fell|fall(?:en|ing|s)?|drop(?:ped|s)?|declin(?:ed|es?|ing)|decreas(?:ed|es?|ing)|slump(?:ed|s)?|plung(?:ed|es?)|shr(?:ank|unk)|contract(?:ed|ion|s)?|down|slid|dipped|lost|lower|reduc(?:ed|tion)";

fn is_down(word: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, || format!(r"(?i)^(?:{DOWN_WORDS})$")).is_match(word)
}

fn find_growth(s: &str) -> Vec<Growth> {
    static PCT: OnceLock<Regex> = OnceLock::new();
    static BEFORE: OnceLock<Regex> = OnceLock::new();
    static AFTER: OnceLock<Regex> = OnceLock::new();
    static MULT: OnceLock<Regex> = OnceLock::new();
    static TIMES: OnceLock<Regex> = OnceLock::new();
    static FRACTION: OnceLock<Regex> = OnceLock::new();
    static CHANGE_OR: OnceLock<Regex> = OnceLock::new();
    let pct = re(&PCT, || {
        r"(?i)(?P<sign>[+\-–]\s?)?(?P<p>\d+(?:\.\d+)?)\s?(?:%|percent\b|per\s?cent\b|pct\b)(?P<pts>\s*(?:percentage\s+)?points?\b|\s*pp\b)?".into()
    });
    let before_re = re(&BEFORE, || {
        format!(
            r"(?i)\b(?P<verb>{UP_WORDS}|{DOWN_WORDS})\b(?:\s+(?:by|of|some|almost|nearly|over|more than|about|around|roughly|approximately|a|an|just|slightly|to))*\s*\(?$"
        )
    });
    let after_re = re(&AFTER, || {
        r"(?i)^\s*(?:[a-z\-]+\s+)?(?P<noun>increase|rise|growth|jump|gain|hike|surge|expansion|advance|decline|drop|decrease|fall|slump|contraction|reduction|plunge|year[- ]on[- ]year|y/y|yoy|on the year|higher|lower|up|down|more|less)\b".to_string()
    });
    let mut out: Vec<Growth> = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    for c in pct.captures_iter(s) {
        let m = c.get(0).expect("match");
        if c.name("pts").is_some() {
            continue;
        }
        let (p, decimals) = parse_num(&c["p"]).unwrap_or((0.0, 0));
        let before = &s[..m.start()];
        let after = &s[m.end()..];
        // Shares and rates are not growth: "30% of", "a 20% share", "a tariff of 15%".
        let tail = before.to_lowercase();
        let after_l = after.to_lowercase();
        if after_l.trim_start().starts_with("of ")
            || after_l.trim_start().starts_with("share")
            || after_l.trim_start().starts_with("stake")
            || tail.ends_with("share of ")
            || tail.trim_end().ends_with("accounted for")
            || tail.trim_end().ends_with("accounts for")
            || tail.trim_end().ends_with("account for")
        {
            continue;
        }
        let sign = c.name("sign").map(|x| x.as_str().trim());
        let mut direction = None;
        let mut bound = Bound::Exact;
        let window_start = floor_char(before, before.len().saturating_sub(60));
        if let Some(b) = before_re.captures(&before[window_start..]) {
            direction = Some(if is_down(&b["verb"]) { -1.0 } else { 1.0 });
            let w = b.get(0).expect("match").as_str().to_lowercase();
            if w.contains("more than") || w.contains(" over ") || w.ends_with("over ") {
                bound = Bound::Over;
            } else if w.contains("almost") || w.contains("nearly") {
                bound = Bound::Under;
            } else if w.contains("about") || w.contains("around") || w.contains("roughly") {
                bound = Bound::About;
            }
        } else if let Some(b) = re(&CHANGE_OR, || {
            format!(
                r"(?i)\b(?P<verb>{UP_WORDS}|{DOWN_WORDS})\s+(?:by|of)\s+[^,;%]{{1,40}}?\s+or\s+(?:by\s+)?\(?$"
            )
        })
        .captures(&before[window_start..])
        {
            // "an increase of $12 billion or 23.9 percent": the rate restates the change.
            direction = Some(if is_down(&b["verb"]) { -1.0 } else { 1.0 });
        } else if let Some(a) = after_re.captures(after) {
            let noun = a["noun"].to_lowercase();
            direction = Some(if is_down(&noun) || noun == "less" {
                -1.0
            } else {
                1.0
            });
        } else if let Some(sg) = sign {
            direction = Some(if sg == "+" { 1.0 } else { -1.0 });
        } else if before.trim_end().to_lowercase().ends_with(" by") {
            // "exports … by 37.4 percent … fell": a rate after "by" takes the nearest change
            // word of its clause wherever it stands (German and Russian put the verb late).
            direction = clause_direction(s, m.start(), m.end());
        }
        // "59% and 56% higher": a rate in a list takes the direction of the rate it is listed with.
        // "The highest growth was recorded by Romania (78%), Lithuania (28%) …": a bare rate in
        // brackets after a name takes its clause's direction.
        if direction.is_none()
            && sign.is_none()
            && before.trim_end().ends_with('(')
            && after.trim_start().starts_with(')')
            && before
                .trim_end()
                .trim_end_matches('(')
                .trim_end()
                .ends_with(|c: char| c.is_alphabetic())
        {
            direction = clause_direction(s, m.start(), m.end());
        }
        // "grew by 14% and 9% …": the second rate of a pair takes the first's direction.
        static AFTER_RATE: OnceLock<Regex> = OnceLock::new();
        if direction.is_none()
            && sign.is_none()
            && let Some(prev) = out.last().filter(|_| !pending.contains(&(out.len() - 1)))
            && re(&AFTER_RATE, || {
                r"(?i)^\s*(?:,\s*)?(?:and|or|,)\s*(?:by\s+)?$".into()
            })
            .is_match(&s[prev.end.min(m.start())..m.start()])
        {
            direction = Some(prev.pct.signum());
        }
        if direction.is_none() && LISTED_RATE.get_or_init(listed_rate_re).is_match(after) {
            pending.push(out.len());
            out.push(Growth {
                start: m.start(),
                end: m.end(),
                pct: p,
                tolerance: 0.5 * 10f64.powi(-(decimals as i32)),
                bound,
                text: m.as_str().trim().to_string(),
            });
            continue;
        }
        let Some(mut dir) = direction else { continue };
        if matches!(sign, Some("-") | Some("–")) {
            dir = -1.0;
        }
        out.push(Growth {
            start: m.start(),
            end: m.end(),
            pct: dir * p,
            tolerance: 0.5 * 10f64.powi(-(decimals as i32)),
            bound,
            text: m.as_str().trim().to_string(),
        });
    }
    // Listed rates take the sign of the first rate after them that has a direction.
    for &k in pending.iter().rev() {
        let sign = (k + 1..out.len())
            .find(|j| !pending.contains(j))
            .map(|j| out[j].pct.signum());
        match sign {
            Some(sg) if sg != 0.0 => out[k].pct *= sg,
            _ => out[k].pct = f64::NAN,
        }
    }
    out.retain(|g| !g.pct.is_nan());
    let mult = re(&MULT, || {
        r"(?i)\b(?P<q>more than |almost |nearly |over |about )?(?P<w>doubled|doubling|tripled|trebled|tripling|quadrupled|halved|halving)\b".into()
    });
    static MULT2: OnceLock<Regex> = OnceLock::new();
    let mult2 = re(&MULT2, || {
        r"(?i)\b(?P<q>more than |almost |nearly |over |about )?(?P<w>double|twice|triple|treble|three times|quadruple|four times|half)\s+(?:the|that|its|their|what|as much)\b".into()
    });
    for c in mult2.captures_iter(s) {
        let m = c.get(0).expect("match");
        let w = c["w"].to_lowercase();
        let pct = match w.as_str() {
            "double" | "twice" => 100.0,
            "triple" | "treble" | "three times" => 200.0,
            "quadruple" | "four times" => 300.0,
            _ => -50.0,
        };
        out.push(Growth {
            start: m.start(),
            end: m.end(),
            pct,
            tolerance: 12.5 * (1.0 + pct / 100.0),
            bound: qualifier_bound(c.name("q").map(|q| q.as_str())),
            text: m.as_str().trim().to_string(),
        });
    }
    for c in mult.captures_iter(s) {
        let m = c.get(0).expect("match");
        let w = c["w"].to_lowercase();
        let pct = if w.starts_with("doubl") {
            100.0
        } else if w.starts_with("tri") || w.starts_with("tre") {
            200.0
        } else if w.starts_with("quad") {
            300.0
        } else {
            -50.0
        };
        out.push(Growth {
            start: m.start(),
            end: m.end(),
            pct,
            tolerance: 12.5 * (1.0 + pct / 100.0),
            bound: qualifier_bound(c.name("q").map(|q| q.as_str())),
            text: m.as_str().trim().to_string(),
        });
    }
    let times = re(&TIMES, || {
        format!(
            r"(?i)(?:\b(?P<verb>{UP_WORDS}|{DOWN_WORDS})\s+(?:by\s+)?)?(?P<q>more than |almost |nearly |over |about )?\b(?P<n>\d+(?:\.\d+)?)[\s-]?(?:times|fold|x)\b(?P<after>\s+(?:increase|rise|growth|jump|more|higher|larger|bigger|as much|decrease|decline|drop|fall|lower|less))?"
        )
    });
    for c in times.captures_iter(s) {
        let m = c.get(0).expect("match");
        let (n, decimals) = parse_num(&c["n"]).unwrap_or((1.0, 0));
        let verb = c.name("verb").map(|v| v.as_str().to_lowercase());
        let after = c.name("after").map(|v| v.as_str().trim().to_lowercase());
        let mut down = verb.as_deref().is_some_and(is_down)
            || after.as_deref().is_some_and(|a| {
                matches!(
                    a,
                    "decrease" | "decline" | "drop" | "fall" | "lower" | "less"
                )
            });
        if verb.is_none() && after.is_none() {
            // "… more than doubled their supplies: Sweden (2.6 times), … Croatia (both 2.1
            // times)": a bare multiple in brackets after a name takes its clause's direction.
            let pre = s[..m.start()].trim_end().to_lowercase();
            let bracketed = (pre.ends_with('(') || pre.ends_with("(both"))
                && s[m.end()..].trim_start().starts_with(')');
            // A list after a colon takes the direction of the clause that announces it.
            let dir = clause_direction(s, m.start(), m.end()).or_else(|| {
                let colon = s[..m.start()].rfind(':')?;
                clause_direction(s, colon.saturating_sub(1), colon)
            });
            match dir {
                Some(dir) if bracketed => down = dir < 0.0,
                _ => continue,
            }
        }
        if n <= 0.0 {
            continue;
        }
        let pct = if down {
            (1.0 / n - 1.0) * 100.0
        } else {
            (n - 1.0) * 100.0
        };
        out.push(Growth {
            start: m.start(),
            end: m.end(),
            pct,
            // The multiple's own rounding, carried to percent (a fall n-fold is 1/n).
            tolerance: {
                let half = 0.5 * 10f64.powi(-(decimals as i32));
                if down {
                    100.0 * half / (n * n)
                } else {
                    100.0 * half
                }
            },
            bound: qualifier_bound(c.name("q").map(|q| q.as_str())),
            text: m.as_str().trim().to_string(),
        });
    }
    let fraction = re(&FRACTION, || {
        format!(
            r"(?i)\b(?P<verb>{UP_WORDS}|{DOWN_WORDS})\s+(?:by\s+)?(?P<q>more than |almost |nearly |about )?(?:a\s+|one[- ])?(?P<f>third|quarter|half|fifth|two[- ]thirds)\b"
        )
    });
    // "fell by a third"; and "um ein Drittel … zugenommen" (German order, glossed "by a third
    // … increased"): the fraction first, the direction from its clause.
    static BARE_FRACTION: OnceLock<Regex> = OnceLock::new();
    let bare = re(&BARE_FRACTION, || {
        r"(?i)\bby\s+(?P<q>more than |almost |nearly |about )?(?:a\s+|one[- ])?(?P<f>third|quarter|half|fifth|two[- ]thirds)\b".into()
    });
    let mut fractions: Vec<(regex::Captures, f64)> = Vec::new();
    for c in fraction.captures_iter(s) {
        let dir = if is_down(&c["verb"]) { -1.0 } else { 1.0 };
        fractions.push((c, dir));
    }
    for c in bare.captures_iter(s) {
        let m = c.get(0).expect("match");
        let taken = fractions.iter().any(|(w, _)| {
            let w = w.get(0).expect("match");
            w.start() < m.end() && m.start() < w.end()
        });
        if let (false, Some(dir)) = (taken, clause_direction(s, m.start(), m.end())) {
            fractions.push((c, dir));
        }
    }
    // "Italy (minus one percent)", "France (minus six)" in a list of rates: a signed rate in
    // words; without "percent" only in brackets, where the list's rates are.
    static SIGNED: OnceLock<Regex> = OnceLock::new();
    let signed = re(&SIGNED, || {
        r"(?i)\b(?P<sign>minus|plus)\s+(?P<n>\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty)\b(?P<pc>\s*(?:%|percent|per cent))?".into()
    });
    for c in signed.captures_iter(s) {
        let m = c.get(0).expect("match");
        let bracketed =
            s[..m.start()].trim_end().ends_with('(') && s[m.end()..].trim_start().starts_with(')');
        let v = parse_num(&c["n"]).map(|(v, _)| v);
        let overlaps = out.iter().any(|g| g.start < m.end() && m.start() < g.end);
        if let (Some(v), false, true) = (v, overlaps, c.name("pc").is_some() || bracketed) {
            let sign = if c["sign"].eq_ignore_ascii_case("minus") {
                -1.0
            } else {
                1.0
            };
            out.push(Growth {
                start: m.start(),
                end: m.end(),
                pct: sign * v,
                tolerance: 0.5,
                bound: Bound::Exact,
                text: m.as_str().trim().to_string(),
            });
        }
    }
    // "growing by 21 and 24 percent, respectively": the first rate of the pair shares the
    // second's sign of percent ("between 21 and 24 percent" is a range, not two rates).
    static PAIRED: OnceLock<Regex> = OnceLock::new();
    let paired = re(&PAIRED, || {
        r"(?i)\b(?P<a>\d+(?:\.\d+)?)\s+and\s+(?P<b>\d+(?:\.\d+)?\s*(?:%|percent\b|per cent\b))"
            .into()
    });
    for c in paired.captures_iter(s) {
        let a = c.name("a").expect("first rate");
        let range = s[..a.start()]
            .trim_end()
            .to_lowercase()
            .ends_with("between");
        let overlaps = out.iter().any(|g| g.start < a.end() && a.start() < g.end);
        if range || overlaps {
            continue;
        }
        let Some(dir) = clause_direction(s, a.start(), a.end()) else {
            continue;
        };
        // Both rates, the second too where its own words gave it no direction.
        let b = c.name("b").expect("second rate");
        let b_found = out.iter().any(|g| g.start < b.end() && b.start() < g.end);
        for (x, take) in [(a, true), (b, !b_found)] {
            let digits = x.as_str().trim_end_matches(|ch: char| !ch.is_ascii_digit());
            if let (true, Some((v, decimals))) = (take, parse_num(digits)) {
                out.push(Growth {
                    start: x.start(),
                    end: x.end(),
                    pct: dir * v,
                    tolerance: 0.5 * 10f64.powi(-(decimals as i32)),
                    bound: Bound::Exact,
                    text: x.as_str().to_string(),
                });
            }
        }
    }
    for (c, dir) in fractions {
        let m = c.get(0).expect("match");
        out.push(Growth {
            start: m.start(),
            end: m.end(),
            pct: dir * fraction_pct(&c["f"]),
            tolerance: 5.0,
            bound: qualifier_bound(c.name("q").map(|q| q.as_str())),
            text: m.as_str().trim().to_string(),
        });
    }
    out.sort_by_key(|g| g.start);
    // Overlapping finds (a multiple inside a percentage phrase): keep the first.
    let mut kept: Vec<Growth> = Vec::new();
    for g in out {
        if kept.last().is_some_and(|k| g.start < k.end) {
            continue;
        }
        kept.push(g);
    }
    kept
}

/// A fraction word as a percentage ("third" 33.3, "two-thirds" 66.7).
fn fraction_pct(f: &str) -> f64 {
    match f.to_lowercase().as_str() {
        "third" => 100.0 / 3.0,
        "quarter" => 25.0,
        "half" => 50.0,
        "fifth" => 20.0,
        _ => 200.0 / 3.0,
    }
}

/// The direction of the change word nearest to `[start, end)` within its clause.
fn clause_direction(s: &str, start: usize, end: usize) -> Option<f64> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let r = re(&RE, || format!(r"(?i)\b(?:{UP_WORDS}|{DOWN_WORDS})\b"));
    let lo = s[..start].rfind([';', ':']).map_or(0, |p| p + 1);
    let hi = s[end..].find([';', ':']).map_or(s.len(), |p| end + p);
    r.find_iter(&s[lo..hi])
        .map(|m| (m.start() + lo, m.end() + lo, m.as_str()))
        .filter(|(a, b, _)| *b <= start || *a >= end)
        .min_by_key(|(a, b, _)| if *b <= start { start - b } else { a - end })
        .map(|(_, _, w)| if is_down(w) { -1.0 } else { 1.0 })
}

static LISTED_RATE: OnceLock<Regex> = OnceLock::new();

fn listed_rate_re() -> Regex {
    Regex::new(r"(?i)^\s*(?:,|and|or)\s*(?:by\s+)?[+\-]?\d+(?:[.,]\d+)?\s?(?:%|percent|per\s?cent)")
        .expect("valid regex")
}

fn qualifier_bound(q: Option<&str>) -> Bound {
    match q.map(|q| q.trim().to_lowercase()).as_deref() {
        Some("more than") | Some("over") => Bound::Over,
        Some("almost") | Some("nearly") => Bound::Under,
        Some("about") => Bound::About,
        _ => Bound::Exact,
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A share: "5 percent of Kyrgyzstan's overall trade", "accounting for 8.4 percent", "the share …
/// was 42.4 percent".
#[derive(Debug, Clone)]
struct Share {
    start: usize,
    end: usize,
    pct: f64,
}

fn find_shares(s: &str) -> Vec<Share> {
    static OF: OnceLock<Regex> = OnceLock::new();
    static FOR: OnceLock<Regex> = OnceLock::new();
    static SHARE: OnceLock<Regex> = OnceLock::new();
    let num = r"(?P<p>\d+(?:\.\d+)?)\s?(?:%|percent\b|per\s?cent\b)";
    let of = re(&OF, || {
        format!(
            r"(?i){num}\s+of\s+(?:the\s+|its\s+|their\s+)?(?:[\w'\-]+\s+){{0,4}}?(?:trade|exports?|imports?|turnover|commerce|foreign\s+trade)\b"
        )
    });
    let acc = re(&FOR, || {
        format!(
            r"(?i)\b(?:accounted\s+for|accounting\s+for|accounts\s+for|account\s+for|making\s+up|makes\s+up|made\s+up|makes|constitut\w*)\s+(?:about\s+|nearly\s+|almost\s+|more\s+than\s+|over\s+|some\s+)?{num}"
        )
    });
    let share = re(&SHARE, || {
        format!(
            r"(?i)\b(?:share|Anteil|доля)\b[^;%]{{0,90}}?\b(?:was|is|amounted(?:\s+to)?|reached|stood\s+at|fell\s+to|rose\s+to|to|at|of|from|with)\s+(?:about\s+|nearly\s+|almost\s+)?{num}"
        )
    });
    let mut out: Vec<Share> = Vec::new();
    for r in [of, acc, share] {
        for c in r.captures_iter(s) {
            let p = c.name("p").expect("p");
            let m = c.get(0).expect("match");
            if out.iter().any(|x| x.start < m.end() && m.start() < x.end) {
                continue;
            }
            out.push(Share {
                start: p.start(),
                end: m.end().min(p.end() + 12),
                pct: parse_num(p.as_str()).map_or(0.0, |v| v.0),
            });
        }
    }
    out.sort_by_key(|x| x.start);
    out
}

// ---------------------------------------------------------------- periods

#[derive(Debug, Clone, Copy, PartialEq)]
enum YearRef {
    Abs(i32),
    /// Relative to the article's year: 0 this year, -1 last year.
    Rel(i32),
    /// No year written: the most recent such window before the article's date.
    Unstated,
}

#[derive(Debug, Clone)]
struct PeriodMention {
    start: usize,
    end: usize,
    m1: u32,
    m2: u32,
    year: YearRef,
    /// The growth's comparison base ("from the previous year", "compared with 2023").
    is_base: bool,
    /// The last month falls this many years after the first ("April 2022 to March 2023": 1).
    end_year_offset: i32,
    /// "between 2019 and 2024", "2019–2024": the period is the last year, and a rate over the
    /// range is against the first.
    range_base: Option<i32>,
    text: String,
}

impl PeriodMention {
    fn resolve(&self, date: Option<NaiveDate>) -> Option<(String, String)> {
        let year = match self.year {
            YearRef::Abs(y) => y,
            YearRef::Rel(r) => date?.year() + r,
            YearRef::Unstated => {
                let d = date?;
                if self.m2 < d.month() {
                    d.year()
                } else {
                    d.year() - 1
                }
            }
        };
        Some((
            format!("{year:04}-{:02}", self.m1),
            format!("{:04}-{:02}", year + self.end_year_offset, self.m2),
        ))
    }
}

fn month_num(s: &str) -> Option<u32> {
    detour_core::period::month_from_name(s.trim_end_matches('.'))
}

fn count_num(s: &str) -> Option<u32> {
    let s = s.to_lowercase();
    const W: [&str; 12] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    W.iter()
        .position(|w| *w == s)
        .map(|i| i as u32 + 1)
        .or_else(|| s.parse().ok())
        .filter(|n| (1..=12).contains(n))
}

fn ordinal(s: &str) -> Option<u32> {
    Some(match s.to_lowercase().as_str() {
        "first" | "1st" => 1,
        "second" | "2nd" => 2,
        "third" | "3rd" => 3,
        "fourth" | "4th" => 4,
        _ => return None,
    })
}

fn rel_year(s: &str) -> i32 {
    match s.to_lowercase().as_str() {
        "last" | "the previous" | "the past" => -1,
        "next" => 1,
        _ => 0,
    }
}

fn year_ref(c: &regex::Captures, ys: &[&str], rels: &[&str]) -> YearRef {
    for y in ys {
        if let Some(v) = c.name(y) {
            let t = v.as_str();
            let y: i32 = if t.len() == 2 {
                2000 + t.parse::<i32>().unwrap_or(0)
            } else {
                t.parse().unwrap_or(0)
            };
            return YearRef::Abs(y);
        }
    }
    for r in rels {
        if let Some(v) = c.name(r) {
            return YearRef::Rel(rel_year(v.as_str()));
        }
    }
    YearRef::Unstated
}

static OF_AMOUNT: OnceLock<Regex> = OnceLock::new();

fn of_amount_re() -> Regex {
    Regex::new(r"^\s+(?:results?|figures?|levels?|totals?)?\s*of\s+(?:US\s?)?[$€£¥]?\s?\d")
        .expect("valid regex")
}

/// The first month of the fiscal year of the country a sentence is about: April (India, Japan,
/// the UK) unless it names one that starts in July (Pakistan, Egypt, Australia) or October (the
/// United States).
fn fiscal_start(s: &str) -> u32 {
    let l = s.to_lowercase();
    if ["pakistan", "egypt", "australia", "bangladesh"]
        .iter()
        .any(|c| l.contains(c))
    {
        7
    } else if l.contains("united states") || l.contains("u.s. ") || l.contains(" us ") {
        10
    } else {
        4
    }
}

fn find_periods(s: &str) -> Vec<PeriodMention> {
    static PATTERNS: OnceLock<Vec<Regex>> = OnceLock::new();
    static BASE: OnceLock<Regex> = OnceLock::new();
    let yof = |y: &str, r: &str| {
        format!(r"(?:,?\s+(?:of\s+|in\s+)?(?:(?P<{y}>{YEAR})|(?P<{r}>{RELYEAR})\s+year))?")
    };
    let pats = PATTERNS.get_or_init(|| {
        [
            // 0: month ranges: "January to October 2024", "Jan-Oct 2024", "between January and September"
            format!(
                r"(?i)\b(?P<between>between\s+)?(?P<m1>{MONTH})(?:\s+(?P<y1>{YEAR}))?\s*(?P<sep>-|–|—|\bto\b|\bthrough\b|\btill\b|\buntil\b|\band\b)\s*(?P<m2>{MONTH})\b{}",
                yof("y2", "r2")
            ),
            // 1: first N months
            format!(
                r"(?i)\b(?:the\s+)?(?:first|1st)\s+(?P<n>{NUMWORD})\s+months?\b{}",
                yof("y", "r")
            ),
            // 2: N months of YEAR
            format!(
                r"(?i)\b(?P<n>{NUMWORD})\s+months\s+of\s+(?:(?P<y>{YEAR})|(?P<r>{RELYEAR})\s+year)"
            ),
            // 3: 9M 2024, 9M24
            format!(r"\b(?P<n>\d{{1,2}})M\s?(?P<y>{YEAR}|\d\d)\b"),
            // 4: halves
            format!(
                r"(?i)\b(?:the\s+)?(?P<h>first|second|1st|2nd)\s+half\b{}",
                yof("y", "r")
            ),
            format!(r"\b(?:H(?P<h>[12])|(?P<h2>[12])H)\s*(?P<y>{YEAR})\b"),
            // 6: quarters
            format!(
                r"(?i)\b(?:the\s+)?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\b{}",
                yof("y", "r")
            ),
            format!(r"\bQ(?P<q>[1-4])\s*(?P<y>{YEAR})\b"),
            format!(r"\b(?P<y>{YEAR})\s*-?Q(?P<q>[1-4])\b"),
            // 9: year to date
            format!(
                r"(?i)\b(?:since the (?:start|beginning) of (?:the|this) year|year[- ]to[- ]date|so far this year|so far in (?P<y>{YEAR}))"
            ),
            // 10: a single month
            format!(
                r"(?i)\b(?:in|for|during|of)\s+(?P<m>{MONTH_FULL})\b(?:\s+(?P<y>{YEAR}))?|\b(?P<m2>{MONTH_FULL})\s+(?P<y2>{YEAR})\b|\b(?P<m3>{MONTH_FULL})'s\b"
            ),
            // 11: explicit years
            format!(
                r"(?i)\b(?:(?:in|for|during|over|throughout|of|by|as of|across|through|since|and)\s+(?:the\s+(?:whole\s+|full\s+|entire\s+|calendar\s+)?(?:year\s+)?)?|full[- ]year\s+)(?P<y>{YEAR})\b|\b(?P<y2>{YEAR})(?:'s)?\s+(?:as a whole|total|figures|results|turnover|trade|exports|imports)\b|\b(?P<yb>{YEAR})\s+(?:figure|level|value|volume)s?\b"
            ),
            // 12: relative years and bases (13 below: a named base year)
            format!(
                r"(?i)\b(?:(?P<r>{RELYEAR})\s+year|(?P<same>the same (?:period|month|months)(?:\s+(?:of|in|a)\s+(?:(?P<sy>{YEAR})|(?P<sr>{RELYEAR})\s+year|year\s+earlier)|\s+last\s+year|\s+a\s+year\s+(?:earlier|ago|before))?)|(?P<ago>a year (?:earlier|ago|before))|(?P<yend>(?:at|by)\s+(?:the\s+)?year[- ]end|(?:at|by)\s+the\s+end\s+of\s+the\s+year|over\s+the\s+year|during\s+the\s+year|in\s+the\s+course\s+of\s+the\s+year))\b"
            ),
            // 13: a named comparison base: "compared with 2021", "than in 2022", "versus 2021"
            format!(
                r"(?i)\b(?:compared\s+(?:with|to)|in\s+comparison\s+(?:with|to)|versus|vs\.?|against|than)\s+(?:the\s+same\s+period\s+(?:of|in)\s+|in\s+)?(?P<y>{YEAR})\b"
            ),
            // 14: month ranges across a year end: "April 2022-March 2023", "April 2022 and March 2023"
            format!(
                r"(?i)\b(?P<m1>{MONTH})\s+(?P<y1>{YEAR})\s*(?:-|–|—|\bto\b|\band\b|\bthrough\b|\buntil\b)\s*(?P<m2>{MONTH})\s+(?P<y2>{YEAR})\b"
            ),
            // 15: fiscal years by their years: "fiscal year 2015-16", "FY 2022-23"
            format!(
                r"(?i)\b(?:(?:fiscal|financial)\s+year|FY)\s*(?:of\s+)?(?P<y1>{YEAR})\s*[-–/]\s*(?:\d\d|{YEAR})\b"
            ),
            // 16: a fiscal year by its end: "FY24", "FY2024", "fiscal 2024"
            format!(r"\b(?:FY\s?|[Ff]iscal\s+(?:year\s+)?)(?P<y>\d\d|{YEAR})\b"),
            // 17: a range of years: "2019–2024", "between 2021 and 2023", "in the years 2016-2019"
            format!(
                r"(?i)\b(?:between\s+)?(?P<y1>{YEAR})\s*(?:-|–|—|\band\b|\bto\b)\s*(?P<y2>{YEAR})\b"
            ),
        ]
        .iter()
        .map(|p| Regex::new(p).expect("valid period regex"))
        .collect()
    });
    let base_re = re(&BASE, || {
        r"(?i)\b(?:from|than|compared\s+(?:with|to)|in\s+comparison\s+(?:with|to)|versus|vs\.?|against|over|on|relative\s+to|since)\s+(?:the\s+)?(?:same\s+(?:period|months?)\s+(?:of|in)\s+)?(?:the\s+)?$".into()
    });
    let mut out: Vec<PeriodMention> = Vec::new();
    // Named bases (13) before plain years (11), so that "compared with 2021" is read as a base.
    for k in [
        14usize, 15, 16, 17, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 11, 12,
    ] {
        let p = &pats[k];
        for c in p.captures_iter(s) {
            let m = c.get(0).expect("match");
            if out.iter().any(|o| m.start() < o.end && o.start < m.end()) {
                continue;
            }
            let mut end_year_offset = 0;
            let mut range_base = None;
            let (m1, m2, year) = match k {
                17 => {
                    let (y1, y2): (i32, i32) =
                        (c["y1"].parse().unwrap_or(0), c["y2"].parse().unwrap_or(0));
                    if y2 <= y1 || y2 - y1 > 30 {
                        continue;
                    }
                    // "by 21 and 24 percent in 2012 and 2013, respectively": two years, no range.
                    let text = m.as_str().to_lowercase();
                    if text.contains("and")
                        && !text.contains("between")
                        && s.to_lowercase().contains("respectively")
                    {
                        continue;
                    }
                    range_base = Some(y1);
                    (1, 12, YearRef::Abs(y2))
                }
                14 => {
                    // "April 2022 to March 2023", "the fiscal year April 2022 and March 2023".
                    let (Some(a), Some(b)) = (month_num(&c["m1"]), month_num(&c["m2"])) else {
                        continue;
                    };
                    let (y1, y2): (i32, i32) =
                        (c["y1"].parse().unwrap_or(0), c["y2"].parse().unwrap_or(0));
                    if !(0..=1).contains(&(y2 - y1)) || (y1 == y2 && b < a) {
                        continue;
                    }
                    if y1 == y2 && m.as_str().to_lowercase().contains(" and ") {
                        continue;
                    }
                    end_year_offset = y2 - y1;
                    (a, b, YearRef::Abs(y1))
                }
                15 | 16 => {
                    // A fiscal year by its years ("fiscal year 2015-16") or its end ("FY24").
                    let start_month = fiscal_start(s);
                    let y1: i32 = if k == 15 {
                        c["y1"].parse().unwrap_or(0)
                    } else {
                        let t = &c["y"];
                        let y: i32 = t.parse().unwrap_or(0);
                        (if t.len() == 2 { 2000 + y } else { y }) - 1
                    };
                    if start_month == 1 {
                        (1, 12, YearRef::Abs(y1 + 1))
                    } else {
                        end_year_offset = 1;
                        (start_month, start_month - 1, YearRef::Abs(y1))
                    }
                }
                0 => {
                    if c.name("sep")
                        .is_some_and(|x| x.as_str().eq_ignore_ascii_case("and"))
                        && c.name("between").is_none()
                    {
                        continue;
                    }
                    let (Some(a), Some(b)) = (month_num(&c["m1"]), month_num(&c["m2"])) else {
                        continue;
                    };
                    if b < a {
                        continue;
                    }
                    let y = c
                        .name("y2")
                        .or(c.name("y1"))
                        .map(|y| YearRef::Abs(y.as_str().parse().unwrap_or(0)))
                        .unwrap_or_else(|| year_ref(&c, &[], &["r2"]));
                    (a, b, y)
                }
                1..=3 => {
                    let Some(n) = count_num(&c["n"]) else {
                        continue;
                    };
                    (1, n, year_ref(&c, &["y"], &["r"]))
                }
                4 | 5 => {
                    let h = c
                        .name("h")
                        .or(c.name("h2"))
                        .and_then(|h| ordinal(h.as_str()).or(h.as_str().parse().ok()))
                        .unwrap_or(1);
                    (6 * h - 5, 6 * h, year_ref(&c, &["y"], &["r"]))
                }
                6..=8 => {
                    let q = ordinal(&c["q"]).or(c["q"].parse().ok()).unwrap_or(1);
                    (3 * q - 2, 3 * q, year_ref(&c, &["y"], &["r"]))
                }
                9 => (1, 0, year_ref(&c, &["y"], &[])),
                10 => {
                    // "September's exports", "July's record": the month, as "in September".
                    let Some(mm) = c
                        .name("m")
                        .or(c.name("m2"))
                        .or(c.name("m3"))
                        .and_then(|x| month_num(x.as_str()))
                    else {
                        continue;
                    };
                    (mm, mm, year_ref(&c, &["y", "y2"], &[]))
                }
                11 => (1, 12, year_ref(&c, &["y", "y2", "yb"], &[])),
                13 => {
                    out.push(PeriodMention {
                        start: m.start(),
                        end: m.end(),
                        m1: 1,
                        m2: 12,
                        year: year_ref(&c, &["y"], &[]),
                        is_base: true,
                        end_year_offset: 0,
                        range_base: None,
                        text: m.as_str().to_string(),
                    });
                    continue;
                }
                _ => {
                    if c.name("same").is_some() || c.name("ago").is_some() {
                        // A comparison base: the year it names, if any.
                        let y = year_ref(&c, &["sy"], &["sr"]);
                        out.push(PeriodMention {
                            start: m.start(),
                            end: m.end(),
                            m1: 1,
                            m2: 12,
                            year: y,
                            is_base: true,
                            end_year_offset: 0,
                            range_base: None,
                            text: m.as_str().to_string(),
                        });
                        continue;
                    }
                    if c.name("yend").is_some() {
                        // "at the end of the year", "over the year": the last full year before
                        // the text.
                        (1, 12, YearRef::Unstated)
                    } else {
                        (1, 12, year_ref(&c, &[], &["r"]))
                    }
                }
            };
            let before = &s[..m.start()];
            let yearish = matches!(k, 11 | 12);
            let mut is_base = base_re.is_match(before);
            if is_base && !yearish {
                // "from January to September" is the period itself, not a base.
                let w = before.trim_end().to_lowercase();
                if w.ends_with("from")
                    || w.ends_with("over")
                    || w.ends_with("on")
                    || w.ends_with("since")
                {
                    is_base = false;
                }
            }
            if k == 11
                && (before.trim_end().to_lowercase().ends_with("since") || c.name("yb").is_some())
            {
                is_base = true;
            }
            // "from the 2016 results of $2.18 billion": the year of the figure that follows.
            if is_base && OF_AMOUNT.get_or_init(of_amount_re).is_match(&s[m.end()..]) {
                is_base = false;
            }
            // "Earlier in March, … said": when it was said, not the claim's period.
            if k == 10 {
                let w = before.trim_end().to_lowercase();
                if w.ends_with("earlier") || w.ends_with("later") {
                    continue;
                }
            }
            out.push(PeriodMention {
                start: m.start(),
                end: m.end(),
                m1,
                m2,
                year,
                is_base,
                end_year_offset,
                range_base,
                text: m.as_str().trim().to_string(),
            });
        }
    }
    out.sort_by_key(|p| p.start);
    out
}

// ---------------------------------------------------------------- flows, cues, attribution

#[derive(Debug, Clone)]
struct FlowCue {
    start: usize,
    flow: Flow,
    /// A generic word ("trade") rather than a specific one ("exports").
    generic: bool,
}

fn find_flows(s: &str) -> Vec<FlowCue> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let r = re(&RE, || {
        r"(?i)\b(?:(?P<bal>trade surplus|trade deficit|surplus|deficit|trade balance|balance of trade|trade gap|(?:positive|negative)\s+(?:trade\s+)?balance|balance)|(?P<exp>export(?:s|ed|ing)?|shipments?|shipped|supplies|supplied|deliveries|delivered|sold|sales|sending)|(?P<imp>import(?:s|ed|ing)?|purchases|purchased|bought|receiving)|(?P<tur>trade turnover|foreign trade|turnover|trade volume|volume of trade|bilateral trade|mutual trade|trade exchanges?|commercial exchanges?|trade|trading|commerce))\b".into()
    });
    r.captures_iter(s)
        .map(|c| {
            let m = c.get(0).expect("match");
            let (flow, generic) = if c.name("bal").is_some() {
                (Flow::Balance, false)
            } else if c.name("exp").is_some() {
                (Flow::Exports, false)
            } else if c.name("imp").is_some() {
                (Flow::Imports, false)
            } else {
                (Flow::Turnover, true)
            };
            FlowCue {
                start: m.start(),
                flow,
                generic,
            }
        })
        .collect()
}

/// Words that make an amount or a rate about something other than trade.
fn other_subject(s: &str, at: usize) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    static TRADE: OnceLock<Regex> = OnceLock::new();
    let other = re(&RE, || {
        r"(?i)\b(?:(?:rouble|ruble|tenge|som|dollar|euro|yuan|currency)\s+(?:\w+\s+){0,2}?(?:fell|rose|weakened|strengthened|depreciated|appreciated|lost|gained|dropped|slid|plunged|declined)|inflation|prices?|GDP|gross domestic product|economy|economic growth|output|production|population|unemployment|wages?|salaries|investments?|invested|interest rates?|key rate|budget|remittances|reserves|stock|index|loans?|credit|debt|tourists?|tourism|passengers|harvest|sanctions list|lose|loses|losses|loss|damage|BIP|Bruttoinlandsprodukt\w*|Investitions\w*)\b".into()
    });
    static CARGO: OnceLock<Regex> = OnceLock::new();
    let cargo = re(&CARGO, || {
        r"(?i)\b(?:cargo|freight|passenger|container|transit)\s+(?:turnover|traffic|transport\w*|volumes?)\b".into()
    });
    let trade = re(&TRADE, || {
        r"(?i)\b(?:trade|turnover|exports?|imports?|shipments?|supplies|deliveries|surplus|deficit|commerce|exported|imported)\b".into()
    });
    // The nearest subject word before `at` within the clause decides.
    let start = s[..at].rfind([';', '.']).map_or(0, |p| p + 1);
    let clause = &s[start..at];
    if cargo.is_match(clause) {
        return true;
    }
    let last_other = other.find_iter(clause).last().map(|m| m.start());
    let last_trade = trade.find_iter(clause).last().map(|m| m.start());
    match (last_other, last_trade) {
        (Some(o), Some(t)) => o > t,
        (Some(_), None) => true,
        _ => false,
    }
}

fn find_all(r: &Regex, s: &str) -> Vec<(usize, usize)> {
    r.find_iter(s).map(|m| (m.start(), m.end())).collect()
}

type Spans = Vec<(usize, usize)>;

fn forecast_cues(s: &str) -> (Spans, Spans) {
    static PRE: OnceLock<Regex> = OnceLock::new();
    static POST: OnceLock<Regex> = OnceLock::new();
    let pre = re(&PRE, || {
        r"(?i)\b(?:(?:is|are|was|were)?\s*expected to|expects?|forecasts? to|forecast(?:ed)? at|forecasts?|projected to|projections?|is set to|are set to|on track to|aims? to|aiming|target(?:s|ed)?|plans? to|planned|anticipated|estimated to reach|should reach|predicts?|predicted|outlook|(?:is|are) likely to|likely to reach|aspirations?|in the near future|(?:the\s+)?(?:aim|goal|target|objective) is|intends? to|seeks? to|hopes? (?:that|to)|expressed hope)\b".into()
    });
    let post = re(&POST, || {
        r"(?i)\b(?:is|are|was|were)\s+(?:forecast|projected|expected|anticipated)\b(?P<to>\s+to\b)?"
            .into()
    });
    let post_cues = post
        .captures_iter(s)
        .filter(|c| c.name("to").is_none())
        .map(|c| {
            let m = c.get(0).expect("match");
            (m.start(), m.end())
        })
        .collect();
    // Modal verbs in lower case only: "May" is a month.
    static MODAL: OnceLock<Regex> = OnceLock::new();
    let modal = re(&MODAL, || r"\b(?:will|could|may|might|would)\b".into());
    let mut pre_cues = find_all(pre, s);
    pre_cues.extend(find_all(modal, s));
    pre_cues.sort();
    (pre_cues, post_cues)
}

fn record_cues(s: &str) -> Vec<(usize, usize)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    find_all(
        re(&RE, || {
            r"(?i)\b(?:record|all-time high|highest(?: level)? (?:ever|on record|in history)|historic(?:al)? high|new high)\b".into()
        }),
        s,
    )
}

const TITLES: &[&str] = &[
    "the",
    "The",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Prof.",
    "Professor",
];

/// Words naming a role: a name after them is the person ("Prime Minister Roman Golovchenko").
const ROLES: &[&str] = &[
    "President",
    "Minister",
    "PM",
    "Premier",
    "Chairman",
    "Chairwoman",
    "Chair",
    "Head",
    "Director",
    "Director-General",
    "Ambassador",
    "Secretary",
    "Governor",
    "Spokesperson",
    "Spokesman",
    "Spokeswoman",
    "Commissioner",
    "Envoy",
    "Adviser",
    "Advisor",
    "Economist",
    "Analyst",
    "Representative",
    "Mayor",
    "Leader",
    "CEO",
];

/// Who the sentence attributes itself to, and the byte range of that attribution. The name is
/// empty when the words name no one ("he said", "according to the data", "our estimates").
fn attribution(s: &str) -> Option<(String, usize, usize)> {
    let (name, a, b) = attribution_words(s)?;
    // A closing bracket of the name's own ("… Indirect Taxes (DGDDI)") stays; a stray one goes.
    let mut name = name.trim_end_matches(['(', ' ']);
    while name.ends_with(')') && name.matches(')').count() > name.matches('(').count() {
        name = name[..name.len() - 1].trim_end_matches(['(', ' ']);
    }
    let name = name.to_string();
    const VAGUE: &[&str] = &[
        "he",
        "she",
        "they",
        "it",
        "we",
        "i",
        "the",
        "this",
        "that",
        "our",
        "his",
        "her",
        "their",
        "its",
        "official",
        "latest",
        "preliminary",
        "these",
        "data",
        "statistics",
        "figures",
        "estimates",
        "forecasts",
        "forecast",
        "calculations",
        "numbers",
        "agency's",
        "government's",
        "own",
    ];
    let vague = name
        .split_whitespace()
        .all(|w| VAGUE.contains(&w.to_lowercase().as_str()));
    Some((if vague { String::new() } else { name }, a, b))
}

fn attribution_words(s: &str) -> Option<(String, usize, usize)> {
    static POST: OnceLock<Regex> = OnceLock::new();
    static PRE: OnceLock<Regex> = OnceLock::new();
    static ACC: OnceLock<Regex> = OnceLock::new();
    const VERBS: &str = r"said|says|noted|notes|added|adds|stated|states|told\s+\w+|announced|announces|reported|reports|stressed|emphasi[sz]ed|highlighted|pointed out|explained|explains|estimated|wrote|claimed|claims|believes|cited|mentioned|praised";
    const NAME: &str = r"(?:\p{Lu}[\w'\-\.]*(?:\s+(?:of|for|de|van|von|al|the|and)\b)*\s*)+";
    const GENERIC: &str = r"(?:an?|the|one|another)\s+(?:[\w\-']+\s+){0,3}?(?i:expert|analyst|economist|official|source|spokes(?:person|man|woman)|researcher|minister|ministry|diplomat|observer|report|study|statement|agency|service|office|committee|commission|bureau|embassy|customs|bank|government|department|directorate)s?(?:\s+(?:of|for|under|at)\s+(?:the\s+)?(?:(?:\p{Lu}[\w\-']*\s+(?:(?:and|of|for)\s+)?){0,6}\p{Lu}[\w\-']*(?:\s+\(\p{Lu}[\w\-']*\))?|(?:[\w\-']+\s+){0,3}?[\w\-']+))?";
    let post = re(&POST, || {
        format!(
            r",\s*(?:(?P<v1>{VERBS})\s+(?P<n1>{GENERIC}|{NAME})|(?P<n2>{GENERIC}|{NAME})\s*(?P<v2>{VERBS})|(?P<n3>(?:[a-z][\w\-']*\s+){{1,12}}?{NAME})\s*(?P<v3>{VERBS}))"
        )
    });
    let pre = re(&PRE, || {
        format!(
            r"^(?P<n>(?:{GENERIC}|\p{{Lu}}[\w'\-\.]*(?:\s+(?:\p{{Lu}}[\w'\-\.]*|of|for|the))*?))(?:,[^,]{{3,80}},)?\s+(?P<v>{VERBS}|data\s+show(?:ed|s)?|figures\s+show(?:ed|s)?)\b"
        )
    });
    // Both the forms below need one of the verbs (the name forms) or "according to": the cheap
    // test first, on most sentences the only one.
    static ANY_VERB: OnceLock<Regex> = OnceLock::new();
    let any_verb = re(&ANY_VERB, || format!(r"{VERBS}|data\s+show|figures\s+show"));
    let acc = re(&ACC, || {
        r"(?i)\baccording to\s+(?:data (?:from|of)\s+|figures (?:from|of)\s+|estimates (?:from|of|by)\s+)?(?P<n>[^,.;]+)".into()
    });
    let clean = |n: &str| -> String {
        let words: Vec<&str> = n.split_whitespace().collect();
        let mut i = 0;
        while i + 1 < words.len() && TITLES.contains(&words[i]) {
            i += 1;
        }
        // "Deputy Economics Minister Dmitry Volvach": the person after the last role word.
        if let Some(r) = words.iter().rposition(|w| ROLES.contains(w))
            && r + 1 < words.len()
            && words[r + 1].starts_with(char::is_uppercase)
        {
            i = i.max(r + 1);
        }
        words[i..]
            .join(" ")
            .trim_end_matches(['.', ',', ' '])
            .trim_end_matches("'s")
            .to_string()
    };
    if let Some(c) = acc.captures(s) {
        let m = c.get(0).expect("match");
        return Some((clean(&c["n"]), m.start(), m.end()));
    }
    if !any_verb.is_match(s) {
        return None;
    }
    if let Some(c) = post.captures(s) {
        let m = c.get(0).expect("match");
        // "…, deputy speaker of the upper chamber … Valery Belsky said": the name at the end.
        if let Some(n3) = c.name("n3") {
            let words: Vec<&str> = n3.as_str().split_whitespace().collect();
            let k = words
                .iter()
                .rposition(|w| !w.starts_with(char::is_uppercase))
                .map_or(0, |k| k + 1);
            return Some((clean(&words[k..].join(" ")), m.start(), s.len()));
        }
        let n = c.name("n1").or(c.name("n2")).expect("a name");
        // Keep a trailing apposition (", a deputy director at …") inside the masked range.
        return Some((clean(n.as_str()), m.start(), s.len()));
    }
    if let Some(c) = pre.captures(s) {
        let n = c.name("n").expect("a name");
        let name = clean(n.as_str());
        let first = name.split_whitespace().next().unwrap_or("");
        // "Trade between Russia and … " is a subject, not a speaker: speakers are people or bodies.
        if !name.is_empty()
            && !matches!(
                first,
                "Trade" | "Exports" | "Imports" | "Turnover" | "It" | "This" | "In"
            )
        {
            return Some((name, n.start(), c.get(0).expect("match").end()));
        }
    }
    None
}

/// Party mentions that do not name a trading party: inside an attribution, inside an
/// institution's name, or an adjective qualifying a person ("Russian President").
fn keep_party(s: &str, p: &PartyMention, attr: Option<(usize, usize)>) -> bool {
    static ORG_AFTER: OnceLock<Regex> = OnceLock::new();
    static ORG_BEFORE: OnceLock<Regex> = OnceLock::new();
    static PERSON_AFTER: OnceLock<Regex> = OnceLock::new();
    if let Some((a, b)) = attr
        && p.start >= a
        && p.end <= b
    {
        return false;
    }
    let after = &s[p.end..];
    let before = &s[..p.start];
    let org_after = re(&ORG_AFTER, || {
        r"^(?:'s)?\s+(?:(?:[A-Z][a-z]+\s+){0,2})(?:Institute|University|Bank|Ministry|Centre|Center|Committee|Agency|Service|Bureau|Council|Embassy|Chamber|Commission|Academy)\b".into()
    });
    let org_before = re(&ORG_BEFORE, || {
        r"(?:Institute|University|Bank|Ministry|Centre|Center|Committee|Agency|Bureau|Council|Embassy|Chamber|Commission|Academy|Problems)\s+(?:for|of|on)\s+(?:the\s+)?$".into()
    });
    let person_after = re(&PERSON_AFTER, || {
        r"^\s+(?:President|Prime|Premier|Deputy|Minister|official|officials|leader|leaders|government|economist|expert|analyst|ambassador|customs|authorities|Foreign|PM|Economy|Economic\s+Development|Finance|side|delegation|tactical|nuclear|military|troops|army|optical|satellites?|forces)\b".into()
    });
    if org_after.is_match(after) || org_before.is_match(before) {
        return false;
    }
    // "the war in Ukraine", "vor Beginn des Ukraine-Kriegs": a war's place, not a trading party.
    static WAR_BEFORE: OnceLock<Regex> = OnceLock::new();
    static WAR_AFTER: OnceLock<Regex> = OnceLock::new();
    let war_before = re(&WAR_BEFORE, || {
        r"(?i)\b(?:war|invasion|attack|offensive|conflict|aggression|Krieg\w*)\s+(?:in|of|on|against|gegen)\s+(?:the\s+)?$".into()
    });
    let war_after = re(&WAR_AFTER, || r"^(?:-|\s)(?:Krieg\w*|war)\b".into());
    if war_before.is_match(before) || war_after.is_match(after) {
        return false;
    }
    // "now prohibited by the European Union", "sanctions imposed by the EU": the agent of a
    // measure, not a side of the trade.
    static AGENT_BEFORE: OnceLock<Regex> = OnceLock::new();
    let agent_before = re(&AGENT_BEFORE, || {
        r"(?i)\b(?:prohibited|banned|imposed|introduced|adopted|approved|sanctioned|restricted|blocked|forbidden)\s+by\s+(?:the\s+)?$".into()
    });
    if agent_before.is_match(before) {
        return false;
    }
    if p.kind == MentionKind::Adjective && person_after.is_match(after) {
        return false;
    }
    // A capital after "in", "at" or "visit to" is where something happened, not a party.
    if p.kind == MentionKind::Capital {
        let b = before.trim_end().to_lowercase();
        if b.ends_with(" in")
            || b.ends_with(" at")
            || b == "in"
            || b == "at"
            || b.ends_with("visit to")
        {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------- claims

#[derive(Debug, Clone)]
enum AnchorKind {
    Amount(Amount),
    Growth,
    /// A share standing alone ("The UK's share of Kyrgyzstan's exports was 42.4 percent").
    Share,
}

#[derive(Debug, Clone)]
struct Anchor {
    start: usize,
    end: usize,
    kind: AnchorKind,
    growth: Option<Growth>,
    period: Option<PeriodMention>,
    base: Option<PeriodMention>,
    flow: Option<Flow>,
    record: bool,
    forecast: bool,
    /// The stated base and change of this anchor's level.
    side: Vec<Amount>,
    /// The share the text gives beside it, in percent.
    share: Option<f64>,
}

fn distance(a: (usize, usize), b: (usize, usize), s: &str) -> usize {
    let (lo, hi) = if a.1 <= b.0 {
        (a.1, b.0)
    } else if b.1 <= a.0 {
        (b.1, a.0)
    } else {
        return 0;
    };
    let between = &s[lo.min(s.len())..hi.min(s.len())];
    // Crossing a clause boundary costs extra.
    let penalty = between.matches([';', ':']).count() * 40
        + between.matches(", while").count() * 40
        + between.matches(" and ").count() * 10;
    (hi - lo) + penalty
}

/// Greedy nearest pairing of items with anchors: each anchor takes at most one item.
fn pair_nearest(
    anchors: &[(usize, usize)],
    items: &[(usize, usize)],
    s: &str,
    max: usize,
) -> Vec<Option<usize>> {
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    for (i, a) in anchors.iter().enumerate() {
        for (j, it) in items.iter().enumerate() {
            let d = distance(*a, *it, s);
            if d <= max {
                pairs.push((d, i, j));
            }
        }
    }
    pairs.sort();
    let mut taken_a = vec![None; anchors.len()];
    let mut taken_i = vec![false; items.len()];
    for (_, i, j) in pairs {
        if taken_a[i].is_none() && !taken_i[j] {
            taken_a[i] = Some(j);
            taken_i[j] = true;
        }
    }
    taken_a
}

/// Context carried from one claim sentence to the next.
#[derive(Debug, Clone, Default)]
struct Context {
    parties: Vec<String>,
    flow: Option<Flow>,
    period: Option<(String, String)>,
    /// The context speaks of monthly figures ("increased their monthly exports to Russia"):
    /// a ranking's rates after it are month-on-month.
    monthly: bool,
    paragraph: usize,
    sentence: usize,
}

/// Extract every claim from a text (already decoded and normalised, see [`crate::text::decode`]).
pub fn extract(text: &str, opts: &ExtractOptions) -> Vec<Claim> {
    let opts = ExtractOptions {
        deadline: detour_core::Deadline::none(),
        ..opts.clone()
    };
    try_extract(text, &opts).unwrap_or_default()
}

/// [`extract`] that stops with [`Expired`](detour_core::Expired) once `opts.deadline` has passed
/// (checked before each sentence), rather than return the claims of part of the text.
pub fn try_extract(text: &str, opts: &ExtractOptions) -> Result<Vec<Claim>, detour_core::Expired> {
    let date = opts.date.or_else(|| crate::text::find_date(text));
    let lang = crate::lang::detect(text).unwrap_or(Lang::En);
    let mut claims: Vec<Claim> = Vec::new();
    let mut ctx: Option<Context> = None;
    let subject = opts.headline.as_deref().and_then(|h| {
        let g = if lang == Lang::Ru && !h.chars().any(|c| matches!(c, 'а'..='я' | 'А'..='Я')) {
            crate::lang::gloss_transliterated(h)
        } else {
            crate::lang::gloss(h, lang)
        };
        // A headline that names two parties without a trade word still names the subject.
        // So does a headline that is only a country's name (a country page: "…/de/kirgisistan").
        let (parties, period, flow) = context_from(&g, date).or_else(|| {
            let mut codes: Vec<String> = Vec::new();
            let mut rest = g.clone();
            for p in find_parties(&g).into_iter().rev() {
                rest.replace_range(p.start..p.end, " ");
                if !codes.contains(&p.code) {
                    codes.insert(0, p.code);
                }
            }
            let only_name = codes.len() == 1 && !rest.chars().any(char::is_alphanumeric);
            (codes.len() == 2 || only_name).then_some((codes, None, None))
        })?;
        // A headline on the two parties' trade ("… trade turnover …") speaks of turnover.
        let cues = find_flows(&g);
        let flow = flow.or_else(|| {
            (!cues.is_empty() && cues.iter().all(|c| c.flow == Flow::Turnover))
                .then_some(Flow::Turnover)
        });
        Some(Context {
            parties,
            flow,
            period,
            monthly: false,
            paragraph: 0,
            sentence: 0,
        })
    });
    let all = sentences(text);
    // Blocks of sentences: each block's text-only work on every core, then the sequential pass.
    const BLOCK: usize = 512;
    let mut prepared: Vec<(Option<String>, Parsed)> = Vec::new();
    for (si, sent) in all.iter().enumerate() {
        if si % BLOCK == 0 {
            opts.deadline.check()?;
            use rayon::prelude::*;
            prepared = all[si..(si + BLOCK).min(all.len())]
                .par_iter()
                .map(|sent| {
                    let s = &text[sent.start..sent.end];
                    // German and Russian: read the sentence's English gloss, keep the sentence.
                    let g = (lang != Lang::En).then(|| crate::lang::gloss(s, lang));
                    let parsed = Parsed::of(g.as_deref().unwrap_or(s));
                    (g, parsed)
                })
                .collect();
        }
        opts.deadline.check()?;
        let s = &text[sent.start..sent.end];
        let (g, parsed) = &prepared[si % BLOCK];
        let read = g.as_deref().unwrap_or(s);
        let mut found = sentence_claims(
            read,
            parsed,
            si,
            sent,
            date,
            &mut ctx,
            subject.as_ref(),
            lang,
        );
        for c in &mut found {
            c.sentence = s.to_string();
        }
        if found.is_empty() {
            // A sentence without figures can still name the parties, the period or the flow the
            // next ones talk about (a headline, "Georgia is strengthening its trade relations
            // with the EU.", "the figures for 2019–2024 …").
            if let Some((parties, period, flow)) = context_of(read, parsed, date) {
                let old = ctx.take().filter(|c| c.paragraph + 1 >= sent.paragraph);
                ctx = Some(Context {
                    parties: if parties.is_empty() {
                        old.as_ref().map(|c| c.parties.clone()).unwrap_or_default()
                    } else {
                        parties
                    },
                    flow: flow.or(old.as_ref().and_then(|c| c.flow)),
                    period: period.or(old.as_ref().and_then(|c| c.period.clone())),
                    monthly: speaks_monthly(read),
                    paragraph: sent.paragraph,
                    sentence: si,
                });
            }
            continue;
        }
        // "This figure increased by 76 percent compared to 2021.": a growth rate about the figure
        // just before completes that claim instead of making one of its own.
        if let Some(prev) = claims.last_mut()
            && found.len() == 1
            && found[0].frame.value.is_none()
            && prev.frame.value.is_some()
            && prev.frame.yoy_growth_pct.is_none()
            && prev.sentence_index + 2 >= si
            && refers_back(read)
            && found[0].frame.period_start == prev.frame.period_start
        {
            let f = found.pop().expect("one claim");
            prev.frame.yoy_growth_pct = f.frame.yoy_growth_pct;
            prev.frame.mom_growth_pct = prev.frame.mom_growth_pct.or(f.frame.mom_growth_pct);
            prev.frame.growth_base_year = f.frame.growth_base_year;
            prev.growth_tolerance = f.growth_tolerance;
            prev.growth_bound = f.growth_bound;
            prev.evidence_text.extend(f.evidence_text);
            continue;
        }
        // "Trade … rose by nearly 30 percent. Over the eight months …, it amounted to US$1.045
        // billion.": the growth before belongs to the level that follows; when the level comes
        // with its own rate ("They collapsed by 57.5 percent …"), it restates the one before.
        if let Some(prev) = claims.last()
            && found.len() == 1
            && prev.frame.value.is_none()
            && found[0].frame.value.is_some()
            && prev.sentence_index + 1 == si
            && refers_back(read)
            && prev.frame.flow == found[0].frame.flow
        {
            let prev = claims.pop().expect("a claim");
            if found[0].frame.yoy_growth_pct.is_none() && found[0].frame.mom_growth_pct.is_none() {
                let f = &mut found[0];
                f.frame.yoy_growth_pct = prev.frame.yoy_growth_pct;
                f.frame.mom_growth_pct = prev.frame.mom_growth_pct;
                f.frame.growth_base_year = prev.frame.growth_base_year;
                f.growth_tolerance = prev.growth_tolerance;
                f.growth_bound = prev.growth_bound;
                f.evidence_text.extend(prev.evidence_text);
            }
        }
        claims.extend(found);
    }
    Ok(claims)
}

/// Whether a sentence opens by pointing back at the figure before ("This figure …", "It …",
/// "In comparison with 2022, it …").
fn refers_back(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, || {
        r"(?i)^(?:[^,]{0,70},\s*)?(?:this figure|the figure|this|it|that|they|the volume|the total)\b".into()
    })
    .is_match(s.trim_start_matches(['"', '\'', '“', '«']))
}

/// What a sentence without figures tells the sentences after it: the parties it names beside a
/// trade word, its period, its flow.
#[allow(clippy::type_complexity)]
fn context_from(
    s: &str,
    date: Option<NaiveDate>,
) -> Option<(Vec<String>, Option<(String, String)>, Option<Flow>)> {
    context_of(s, &Parsed::of(s), date)
}

/// [`context_from`] with the sentence already parsed.
#[allow(clippy::type_complexity)]
fn context_of(
    s: &str,
    parsed: &Parsed,
    date: Option<NaiveDate>,
) -> Option<(Vec<String>, Option<(String, String)>, Option<Flow>)> {
    let flows = &parsed.flows;
    if flows.is_empty() && !s.to_lowercase().contains("partner") {
        return None;
    }
    let attr = parsed.attr.as_ref().map(|(_, a, b)| (*a, *b));
    let mut codes: Vec<String> = Vec::new();
    for p in parsed.parties.iter().filter(|p| keep_party(s, p, attr)) {
        if !codes.contains(&p.code) {
            codes.push(p.code.clone());
        }
    }
    if codes.len() > 2 {
        codes.clear();
    }
    let period = parsed
        .periods
        .iter()
        .find(|p| !p.is_base && p.m2 != 0)
        .and_then(|p| p.resolve(date));
    let flow = flows.iter().rev().find(|f| !f.generic).map(|f| f.flow);
    (!codes.is_empty() || period.is_some() || flow.is_some()).then_some((codes, period, flow))
}

/// What a sentence's text alone gives (its figures, cues, parties, periods, attribution), found
/// before the pass that carries context from sentence to sentence, so that it runs on every core.
struct Parsed {
    amounts: Vec<Amount>,
    shares: Vec<Share>,
    growths: Vec<Growth>,
    flows: Vec<FlowCue>,
    periods: Vec<PeriodMention>,
    parties: Vec<PartyMention>,
    attr: Option<(String, usize, usize)>,
}

impl Parsed {
    fn of(s: &str) -> Parsed {
        Parsed {
            amounts: find_amounts(s),
            shares: find_shares(s),
            growths: find_growth(s),
            flows: find_flows(s),
            periods: find_periods(s),
            parties: find_parties(s),
            attr: attribution(s),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn sentence_claims(
    s: &str,
    parsed: &Parsed,
    si: usize,
    sent: &Sentence,
    date: Option<NaiveDate>,
    ctx: &mut Option<Context>,
    subject: Option<&Context>,
    lang: Lang,
) -> Vec<Claim> {
    static CONTINUES: OnceLock<Regex> = OnceLock::new();
    static TWO: OnceLock<Regex> = OnceLock::new();
    let amounts: Vec<Amount> = parsed
        .amounts
        .iter()
        .filter(|a| !other_subject(s, a.start))
        .cloned()
        .collect();
    let shares: Vec<Share> = parsed
        .shares
        .iter()
        .filter(|x| !other_subject(s, x.start))
        .cloned()
        .collect();
    let growths: Vec<Growth> = parsed
        .growths
        .iter()
        .filter(|g| !other_subject(s, g.start))
        .filter(|g| !amounts.iter().any(|a| g.start < a.end && a.start < g.end))
        .filter(|g| !shares.iter().any(|x| g.start < x.end && x.start < g.end))
        .cloned()
        .collect();
    if amounts.is_empty() && growths.is_empty() && shares.is_empty() {
        return Vec::new();
    }
    let flows = &parsed.flows;
    let continues = re(&CONTINUES, || {
        r"(?i)^\W*(?:it|this|that|the figure|the total|the volume|their|its|they|the two|in\s+\w+(?:\s+\w+)?,\s+it)\b|\b(?:the two countries|both countries|the two sides|both sides|the two nations)\b|\b(?:it|this figure)\s+(?:rose|fell|reached|amounted|increased|decreased|grew|totaled|totalled|stood|was)\b|\b(?:rose|fell|grew|increased|decreased|declined)\s+this figure\b".into()
    })
    .is_match(s);
    let sentence_ctx = ctx
        .as_ref()
        .filter(|c| c.paragraph + 1 >= sent.paragraph && c.sentence + 3 >= si);
    let recent_ctx = sentence_ctx.or(subject).cloned();
    // A figure without a trade word is a claim only in a sentence that points back at one
    // ("It amounted to $9.3 billion in 2022"), even when the sentence before is not at hand.
    // … nor in a ranking's entry that the context's flow covers ("Finland (242.4 million euros)
    // rounds out the top five.", "The highest growth was recorded by Romania (78%) …").
    let ranked_entry = || {
        recent_ctx.as_ref().is_some_and(|c| c.flow.is_some())
            && parsed.parties.iter().any(|p| {
                let rest = s[p.end..].trim_start();
                let open = s.len() - rest.len();
                let inside = |start: usize| start > open && start <= open + 2;
                rest.starts_with('(')
                    && (amounts.iter().any(|a| inside(a.start))
                        || growths.iter().any(|g| inside(g.start)))
            })
    };
    let ranked = flows.is_empty() && ranked_entry();
    if flows.is_empty() && !continues && !ranked {
        return Vec::new();
    }
    let attr = parsed.attr.clone();
    let attr_range = attr.as_ref().map(|(_, a, b)| (*a, *b));
    let all_parties = parsed.parties.clone();
    // A country named only in the attribution ("According to Uzbekistan's statistics agency, trade
    // with Russia …") is the reporting side when the sentence names just one other party.
    // So is the country whose leader is speaking ("Erdogan said … between the two countries").
    let attr_party: Option<String> = all_parties
        .iter()
        .find(|p| attr_range.is_some_and(|(a, b)| p.start >= a && p.end <= b))
        .map(|p| p.code.clone())
        .or_else(|| {
            attr.as_ref()
                .and_then(|(n, _, _)| crate::gazetteer::leader_country(n))
                .map(str::to_string)
        });
    let parties: Vec<PartyMention> = all_parties
        .into_iter()
        .filter(|p| keep_party(s, p, attr_range))
        // "US dollars", "US$": part of an amount, not the United States.
        .filter(|p| !amounts.iter().any(|a| p.start < a.end && a.start < p.end))
        .collect();
    let periods: Vec<PeriodMention> = parsed
        .periods
        .iter()
        .filter(|p| attr_range.is_none_or(|(a, b)| p.start < a || p.end > b))
        .cloned()
        .collect();
    let month_on_month = is_month_on_month(s)
        || (ranked && sentence_ctx.is_some_and(|c| c.monthly) && !speaks_yearly(s));
    let (pre_fc, post_fc) = forecast_cues(s);
    let records = record_cues(s);

    // Anchors: each amount; growth rates pair with the nearest amount, the rest anchor their own claim.
    let mut anchors: Vec<Anchor> = amounts
        .iter()
        .filter(|a| {
            matches!(a.role, Role::Level | Role::Base) && (a.base.is_none() || a.high.is_none())
        })
        .map(|a| Anchor {
            start: a.start,
            end: a.end,
            kind: AnchorKind::Amount(a.clone()),
            growth: None,
            period: None,
            base: None,
            flow: None,
            record: false,
            forecast: false,
            side: Vec::new(),
            share: None,
        })
        .collect();
    // Bases and changes belong to the level nearest before them (else after); a change with no
    // level ("fell by €34 billion … (-38%)") goes with the growth rate nearest it.
    let mut orphan_changes: Vec<Amount> = Vec::new();
    let is_level = |x: &Anchor| matches!(&x.kind, AnchorKind::Amount(m) if m.role == Role::Level);
    for a in amounts
        .iter()
        .filter(|a| matches!(a.role, Role::Base | Role::Change))
    {
        let owner = anchors
            .iter()
            .rposition(|x| x.end <= a.start && is_level(x))
            .or_else(|| anchors.iter().position(|x| x.start >= a.end && is_level(x)));
        match owner {
            Some(k) => anchors[k].side.push(a.clone()),
            None if a.role == Role::Change => orphan_changes.push(a.clone()),
            None => {}
        }
    }
    // A stated base takes no growth rate: the rate is the level's.
    let spans: Vec<(usize, usize)> = anchors
        .iter()
        .map(|a| {
            if is_level(a) {
                (a.start, a.end)
            } else {
                (usize::MAX / 2, usize::MAX / 2)
            }
        })
        .collect();
    let gspans: Vec<(usize, usize)> = growths.iter().map(|g| (g.start, g.end)).collect();
    // "… 18.4 million euros …, and … 98 million euros, which is 59% and 56% higher …, respectively":
    // as many rates as amounts, all after them, pair in order.
    let respectively = s.to_lowercase().contains("respectively")
        && spans.len() >= 2
        && gspans.len() == spans.len()
        && gspans.iter().all(|g| g.0 >= spans[spans.len() - 1].1)
        && anchors.iter().all(is_level);
    let mut gpair = if respectively {
        (0..spans.len()).map(Some).collect()
    } else {
        pair_nearest(&spans, &gspans, s, 160)
    };
    // "exports … recorded a growth of 12 percent in 2022, with the foreign trade surplus
    // reaching over $10 billion": a rate does not cross into another flow's figure (a specific
    // flow word between them other than the rate's own).
    let own_flow = |at: usize| {
        flows
            .iter()
            .rfind(|f| f.start < at && f.start >= clause_start(s, at))
            .map(|f| f.flow)
    };
    for (i, p) in gpair.iter_mut().enumerate() {
        let Some(j) = *p else { continue };
        let (g, a) = (gspans[j], spans[i]);
        let (lo, hi) = if g.1 <= a.0 { (g.1, a.0) } else { (a.1, g.0) };
        let rate_flow = own_flow(g.0);
        let crosses = flows
            .iter()
            .any(|f| f.start >= lo && f.start < hi && !f.generic && Some(f.flow) != rate_flow);
        if rate_flow.is_some() && crosses {
            *p = None;
        }
    }
    let mut used = vec![false; growths.len()];
    for (i, p) in gpair.iter().enumerate() {
        if let Some(j) = p {
            anchors[i].growth = Some(growths[*j].clone());
            used[*j] = true;
        }
    }
    for (j, g) in growths.iter().enumerate() {
        if !used[j] {
            anchors.push(Anchor {
                start: g.start,
                end: g.end,
                kind: AnchorKind::Growth,
                growth: Some(g.clone()),
                period: None,
                base: None,
                flow: None,
                record: false,
                forecast: false,
                side: Vec::new(),
                share: None,
            });
        }
    }
    for c in orphan_changes {
        let owner = anchors
            .iter()
            .enumerate()
            .filter(|(_, a)| matches!(a.kind, AnchorKind::Growth))
            .map(|(k, a)| (k, distance((a.start, a.end), (c.start, c.end), s)))
            .filter(|(_, d)| *d <= 160)
            .min_by_key(|(_, d)| *d)
            .map(|(k, _)| k);
        if let Some(k) = owner {
            anchors[k].side.push(c);
        }
    }
    // A share beside a figure qualifies it; a share alone is a claim of its own.
    for x in &shares {
        let owner = anchors
            .iter()
            .enumerate()
            .filter(|(_, a)| is_level(a) || a.growth.is_some())
            .min_by_key(|(_, a)| distance((a.start, a.end), (x.start, x.end), s))
            .map(|(k, _)| k);
        match owner {
            Some(k) => anchors[k].share = Some(x.pct),
            None => anchors.push(Anchor {
                start: x.start,
                end: x.end,
                kind: AnchorKind::Share,
                growth: None,
                period: None,
                base: None,
                flow: None,
                record: false,
                forecast: false,
                side: Vec::new(),
                share: Some(x.pct),
            }),
        }
    }
    anchors.sort_by_key(|a| a.start);
    if anchors.is_empty() {
        return Vec::new();
    }
    // Extend each anchor's span over its growth, so periods near either count.
    let spans: Vec<(usize, usize)> = anchors
        .iter()
        .map(|a| match &a.growth {
            Some(g) => (a.start.min(g.start), a.end.max(g.end)),
            None => (a.start, a.end),
        })
        .collect();

    // Periods.
    let claim_periods: Vec<&PeriodMention> = periods.iter().filter(|p| !p.is_base).collect();
    let base_periods: Vec<&PeriodMention> = periods.iter().filter(|p| p.is_base).collect();
    let pspans: Vec<(usize, usize)> = claim_periods.iter().map(|p| (p.start, p.end)).collect();
    let mut ppair = pair_nearest(&spans, &pspans, s, 400);
    // As many periods as figures, paired crosswise by nearness ("2017 grew … to 84.07 billion,
    // in 2018 by 27.1% … 107 billion"): a text lists them in the same order.
    if spans.len() >= 2
        && spans.len() == pspans.len()
        && ppair.iter().all(Option::is_some)
        && ppair.windows(2).any(|w| w[0] > w[1])
        && (0..spans.len()).all(|i| distance(spans[i], pspans[i], s) <= 400)
    {
        ppair = (0..spans.len()).map(Some).collect();
    }
    for (i, p) in ppair.iter().enumerate() {
        if let Some(j) = p {
            anchors[i].period = Some(claim_periods[*j].clone());
        }
    }
    let n_levels = anchors
        .iter()
        .filter(|a| !matches!(&a.kind, AnchorKind::Amount(m) if m.role == Role::Base))
        .count();
    // Flows: the nearest cue before the anchor (a specific one within reach wins over "trade").
    for (i, a) in anchors.iter_mut().enumerate() {
        let (st, en) = spans[i];
        let prev_end = if i > 0 { spans[i - 1].1 } else { 0 };
        // Cues inside the anchor's own span ("a 38 per cent increase in exports to China to £38
        // billion") count as before it; a cue right after it ("$18,229.03 million bilateral
        // trade") names it.
        let a_start = match &a.kind {
            AnchorKind::Amount(m) => m.start,
            AnchorKind::Growth | AnchorKind::Share => st,
        };
        let a_end = match &a.kind {
            AnchorKind::Amount(m) => m.end,
            AnchorKind::Growth | AnchorKind::Share => en,
        };
        let before: Vec<&FlowCue> = flows
            .iter()
            .filter(|f| f.start < a_start && f.start >= prev_end)
            .collect();
        let right_after = flows.iter().find(|f| {
            matches!(a.kind, AnchorKind::Amount(_))
                && f.start >= a_end
                && f.start - a_end <= 20
                && !s[a_end..f.start].contains([',', ';', '(', ')'])
                && s[a_end..f.start].split_whitespace().count() <= 2
                && !s[a_end..f.start]
                    .split_whitespace()
                    .any(|w| matches!(w, "and" | "or" | "while" | "but" | "whereas"))
        });
        // A cue just before the figure names it, generic or not ("to increase the turnover to 1
        // billion euros").
        let adjacent = before
            .last()
            .filter(|f| a_start.saturating_sub(f.start) <= 25)
            .copied();
        let specific = before.iter().rev().find(|f| !f.generic);
        a.flow = right_after
            .or(adjacent)
            .map(|f| f.flow)
            .or_else(|| specific.map(|f| f.flow))
            .or_else(|| before.last().map(|f| f.flow))
            .or_else(|| {
                flows
                    .iter()
                    .filter(|f| f.start >= en)
                    .find(|f| !f.generic)
                    .or_else(|| flows.iter().rev().find(|f| f.start < st))
                    .or_else(|| flows.iter().find(|f| f.start >= en))
                    .map(|f| f.flow)
            });
        // "exports and imports" together: turnover.
        let has_exp = flows.iter().any(|f| f.flow == Flow::Exports);
        let has_imp = flows.iter().any(|f| f.flow == Flow::Imports);
        if has_exp && has_imp && n_levels == 1 {
            a.flow = Some(Flow::Turnover);
        }
    }
    // A leftover anchor without a period, in a sentence with one period and anchors of different
    // flows ("exports of $5bn and imports of $3bn in 2023"), shares that period.
    if claim_periods.len() == 1 {
        let holder = anchors.iter().position(|a| a.period.is_some());
        if let Some(h) = holder {
            let hflow = anchors[h].flow;
            let p = anchors[h].period.clone();
            for a in anchors.iter_mut() {
                if a.period.is_none() && a.flow != hflow {
                    a.period = p.clone();
                }
            }
        }
    }
    // Bases, records, forecasts.
    for (i, a) in anchors.iter_mut().enumerate() {
        let (st, en) = spans[i];
        if a.growth.is_some() {
            // After the rate, or before it in its clause ("stieg im Vergleich zu 2022 um 5,4 %").
            a.base = base_periods
                .iter()
                .filter(|b| b.start >= en)
                .min_by_key(|b| b.start - en)
                .or_else(|| {
                    base_periods
                        .iter()
                        .filter(|b| b.end <= st && b.start >= clause_start(s, st))
                        .max_by_key(|b| b.end)
                })
                .map(|b| (*b).clone());
        }
        let prev_end = if i > 0 { spans[i - 1].1 } else { 0 };
        let next_start = spans.get(i + 1).map_or(s.len(), |x| x.0);
        a.forecast = pre_fc.iter().any(|(cs, _)| *cs >= prev_end && *cs < st)
            || post_fc.iter().any(|(cs, _)| *cs >= en && *cs < next_start);
        if let Some(p) = &a.period
            && matches!(p.year, YearRef::Rel(1))
        {
            a.forecast = true;
        }
    }
    let rspans: Vec<(usize, usize)> = records.clone();
    if !rspans.is_empty() {
        for (i, p) in pair_nearest(&spans, &rspans, s, 200).iter().enumerate() {
            if p.is_some() {
                anchors[i].record = true;
            }
        }
    }

    // Parties: those before the first anchor's clause ends; after it only up to a clause break
    // (", and the …", ", which …"), so that a second topic in the sentence does not join in.
    let first_end = spans.first().map_or(0, |x| x.1);
    let last_end = spans.last().map_or(0, |x| x.1);
    let cut = clause_break(s, last_end).max(first_end);
    let mut codes: Vec<String> = Vec::new();
    let before_first = parties.iter().filter(|p| p.end <= spans[0].0).count();
    for p in &parties {
        let in_scope = p.end <= last_end || (p.start < cut && before_first < 2);
        if in_scope && !codes.contains(&p.code) {
            codes.push(p.code.clone());
        }
    }
    let parties: Vec<PartyMention> = parties
        .into_iter()
        .filter(|p| codes.contains(&p.code) && (p.end <= last_end || p.start < cut))
        .collect();
    let refers_two = re(&TWO, || {
        r"(?i)\b(?:the two countries|both countries|the two sides|both sides|the two nations|their|mutual|bilateral)\b".into()
    })
    .is_match(s);
    // Whose statistics the text cites: a statistics body it names ("Destatis", "GACC"), or a
    // country named in an attribution to statistics ("according to Belarusian statistics").
    let cites: Option<String> = attr.as_ref().and_then(|(n, a, b)| {
        statistics_body(n).map(str::to_string).or_else(|| {
            static STATS: OnceLock<Regex> = OnceLock::new();
            let stats = re(&STATS, || {
                r"(?i)statisti|customs|census|\bdata\b|figures|Zoll|таможен|статисти".into()
            });
            attr_party
                .clone()
                .filter(|_| stats.is_match(&s[*a..(*b).min(s.len())]))
        })
    });
    if codes.len() == 1
        && let Some(ap) = attr_party.as_ref().or(cites.as_ref())
        && *ap != codes[0]
    {
        codes.insert(0, ap.clone());
    }
    // "According to Pashinyan, … trade turnover between the two countries …": the speaker's
    // country is one of the two, even where the text does not name the other.
    if codes.is_empty()
        && refers_two
        && let Some(ap) = &attr_party
    {
        codes.push(ap.clone());
    }
    // "Uzbekistan's foreign trade turnover reached …": one country's trade with the world.
    static FOREIGN: OnceLock<Regex> = OnceLock::new();
    let foreign = re(&FOREIGN, || {
        r"(?i)\b(?:foreign|external|overall|total)\s+(?:merchandise\s+)?trade\b".into()
    });
    // (The headline's parties do not make it bilateral: "Uzbekistan's trade turnover with the EU
    // …" over "Uzbekistan's foreign trade turnover reached $62.5 billion".)
    // ("mutual commodity turnover … 35% of Kazakhstan's foreign trade": bilateral after all.)
    if codes.len() == 1 && foreign.is_match(s) && sentence_ctx.is_none() && !refers_two {
        codes.push("WLD".to_string());
    }
    // A German report on "die Exporte nach Russland" speaks of Germany's; a Russian one on
    // "товарооборот с Казахстаном" of Russia's: the language names the home side when the
    // sentence names only the other.
    let home = match lang {
        Lang::De => Some("DEU"),
        Lang::Ru => Some("RUS"),
        Lang::En => None,
    };
    let specific_flow = flows.iter().any(|f| !f.generic);
    if let Some(h) = home
        && codes.len() == 1
        && codes[0] != h
        && recent_ctx.as_ref().is_none_or(|c| c.parties.len() < 2)
        && !refers_two
        && (lang == Lang::Ru || specific_flow)
    {
        codes.insert(0, h.to_string());
    }
    // "Russia's main partner among the CIS countries": a bloc that holds both named countries
    // qualifies them; it is not a third party.
    if codes.len() > 2 {
        let groups = detour_core::group::Groups::global();
        let day = date.unwrap_or_else(|| NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date"));
        let countries: Vec<String> = codes
            .iter()
            .filter(|c| !groups.is_group(c))
            .cloned()
            .collect();
        codes.retain(|c| {
            !groups.is_group(c)
                || countries.len() < 2
                || !groups
                    .members_on(c, day)
                    .is_ok_and(|m| countries.iter().all(|x| m.contains(x)))
        });
    }
    // The sentence names no party of its own: it talks about the running context's.
    let from_ctx = codes.is_empty() && recent_ctx.as_ref().is_some_and(|c| !c.parties.is_empty());
    if codes.is_empty() || (codes.len() == 1 && refers_two && recent_ctx.is_some()) {
        if let Some(c) = &recent_ctx {
            if codes.is_empty() || c.parties.contains(&codes[0]) {
                // "… 35% of Kazakhstan's foreign trade": a possessive party leads.
                let lead = codes.first().cloned().filter(|code| {
                    parties.iter().any(|m| {
                        m.code == *code
                            && (s[m.end..].starts_with("'s") || s[m.end..].starts_with("’s"))
                    })
                });
                codes = c.parties.clone();
                if let Some(l) = lead
                    && let Some(k) = codes.iter().position(|x| *x == l)
                {
                    let x = codes.remove(k);
                    codes.insert(0, x);
                }
            } else if let Some(hub) = c.parties.first() {
                codes.insert(0, hub.clone());
            }
        }
    } else if codes.len() == 1
        && let Some(c) = &recent_ctx
    {
        // ("Trade with Estonia … ; Trade turnover with Poland …": a sibling of a list, one-sided,
        // is no hub; the article's subject is, where it names another party.)
        let c = match subject {
            Some(sub)
                if c.parties.len() <= 1
                    && sentence_ctx.is_some()
                    && sub
                        .parties
                        .iter()
                        .any(|x| *x != codes[0] && !c.parties.contains(x)) =>
            {
                sub
            }
            _ => c,
        };
        // One party named: the other from the running context ("Imports from Kazakhstan …").
        // A member of a bloc the context names stands where the bloc stood ("EU exports to
        // Russia …" then "the Netherlands with exports of 285 million euros": NLD–RUS).
        let holds = |bloc: &str, member: &str| bloc_holds(bloc, member, date);
        let bloc_at = c.parties.iter().position(|x| holds(x, &codes[0]));
        let other = c
            .parties
            .iter()
            .find(|x| **x != codes[0] && !holds(x, &codes[0]));
        // "German exports …", "Germany's exports …": the named party is the subject.
        let subject_named = parties.iter().any(|m| {
            m.code == codes[0]
                && (m.kind == crate::gazetteer::MentionKind::Adjective
                    || s[m.end..].starts_with("'s")
                    || s[m.end..].starts_with("’s"))
        });
        match (other, bloc_at) {
            // A ranking's entry is a peer of the context's first party: it takes that place
            // ("… were Germany (…) and Italy (…). Austria (…) completes the top three.").
            _ if ranked && c.parties.len() == 2 && c.parties[1] != codes[0] => {
                codes.push(c.parties[1].clone())
            }
            (Some(o), Some(0)) => codes.push(o.clone()),
            (Some(o), _) if subject_named => codes.push(o.clone()),
            (Some(o), _) => codes.insert(0, o.clone()),
            _ => {}
        }
    }
    // A figure with a trade word is a claim even when the sentence names no party ("trade between
    // the two countries reached …" with no earlier sentence): the check then says what is missing.
    if anchors.is_empty() {
        return Vec::new();
    }
    // Several anchors each after its own party ("Belarus – $31 billion, Kazakhstan – $20 billion"):
    // each pairs with the party just before it; the hub is the first party or the context's.
    let per_anchor_party = anchors.len() >= 2 && {
        let partners: Vec<&PartyMention> = parties.iter().collect();
        partners.len() >= anchors.len()
            && anchors.iter().enumerate().all(|(i, a)| {
                let prev_end = if i > 0 { anchors[i - 1].end } else { 0 };
                parties
                    .iter()
                    .any(|p| p.start >= prev_end && p.end <= a.start)
            })
            && {
                // The stretches before each figure name different parties: a list, not one pair
                // spoken of twice ("Uzbekistan's exports to Russia …, while imports from Russia …").
                let mut seen: Vec<&str> = Vec::new();
                let mut disjoint = true;
                for (i, a) in anchors.iter().enumerate() {
                    let prev_end = if i > 0 { anchors[i - 1].end } else { 0 };
                    let window: Vec<&str> = parties
                        .iter()
                        .filter(|p| p.start >= prev_end && p.end <= a.start)
                        .map(|p| p.code.as_str())
                        .collect();
                    if window.iter().any(|c| seen.contains(c)) {
                        disjoint = false;
                    }
                    seen.extend(window);
                }
                disjoint
            }
    };

    // In a list of parties with their figures, anchors without a period share the nearest one
    // ("Germany (…), Italy (…) and Poland (…) exported the most to Russia in June").
    if per_anchor_party {
        for (i, a) in anchors.iter_mut().enumerate() {
            if a.period.is_some() {
                continue;
            }
            a.period = claim_periods
                .iter()
                .map(|p| (distance(spans[i], (p.start, p.end), s), *p))
                .filter(|(d, _)| *d <= 400)
                .min_by_key(|(d, _)| *d)
                .map(|(_, p)| p.clone());
        }
    }
    // Each anchor's own party, when every anchor follows its own.
    let anchor_parties: Vec<String> = if per_anchor_party {
        anchors
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let prev_end = if i > 0 { anchors[i - 1].end } else { 0 };
                own_party(&parties, s, prev_end, a.start).map(|p| p.code.clone())
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for (i, a) in anchors.iter().enumerate() {
        // "It amounted to around US$1.5 billion, whereas imports …": a sentence that points back
        // keeps the flow before it unless it names one ahead of its figure.
        let ctx_flow = recent_ctx.as_ref().and_then(|c| c.flow);
        let cue_before = flows.iter().any(|f| f.start < a.start);
        let mut flow = if continues && !cue_before && ctx_flow.is_some() {
            ctx_flow
        } else {
            a.flow.or(ctx_flow)
        };
        let (ca, cb) = if per_anchor_party {
            let prev_end = if i > 0 { anchors[i - 1].end } else { 0 };
            let p = own_party(&parties, s, prev_end, a.start).map(|p| p.code.clone());
            // The hub: a party named in the sentence that is no anchor's own ("Germany (…), Italy
            // (…) and Poland (…) exported the most to Russia"), else the running context's.
            let prep_before = |m: &PartyMention| {
                let b = s[..m.start].trim_end().to_lowercase();
                let b = b
                    .strip_suffix("the")
                    .map(str::trim_end)
                    .unwrap_or(&b)
                    .to_string();
                ["to", "into", "from", "with"]
                    .iter()
                    .any(|w| b.ends_with(&format!(" {w}")))
            };
            let hub_mention = parties
                .iter()
                .filter(|m| !anchor_parties.contains(&m.code))
                .find(|m| prep_before(m))
                .or_else(|| parties.iter().find(|m| !anchor_parties.contains(&m.code)));
            // From the context, not a bloc that holds the listed parties ("EU exports to Russia
            // …" then "Hungary (+55%), Denmark (+82%) …": the hub is Russia).
            let hub = hub_mention
                .map(|m| m.code.clone())
                .or_else(|| {
                    recent_ctx.as_ref().and_then(|c| {
                        c.parties
                            .iter()
                            .find(|x| !anchor_parties.iter().any(|a| bloc_holds(x, a, date)))
                            .cloned()
                    })
                })
                .filter(|h| Some(h) != p.as_ref() && !anchor_parties.contains(h))
                .or_else(|| {
                    codes
                        .first()
                        .cloned()
                        .filter(|h| Some(h) != p.as_ref() && !anchor_parties.contains(h))
                });
            // Which way: the hub after "to" receives the anchors' exports; after "from" it
            // supplies their imports.
            let prep = hub_mention.map(|m| {
                let b = s[..m.start].trim_end().to_lowercase();
                let b = b
                    .strip_suffix("the")
                    .map(str::trim_end)
                    .unwrap_or(&b)
                    .to_string();
                b.rsplit(' ').next().unwrap_or("").to_string()
            });
            // "Romania (-44%) … reduced imports of goods to Russia": the hub's imports are the
            // listed parties' exports.
            if flow == Some(Flow::Imports) && matches!(prep.as_deref(), Some("to" | "into")) {
                flow = Some(Flow::Exports);
            }
            let hub_receives = match (flow, prep.as_deref()) {
                (Some(Flow::Exports), Some("to" | "into")) => true,
                (Some(Flow::Imports), Some("from")) => true,
                // A hub from the context: the listed parties' own flows.
                (Some(Flow::Exports | Flow::Imports), _) => {
                    hub_mention.is_none_or(|m| anchors.first().is_some_and(|a0| m.start > a0.start))
                }
                _ => false,
            };
            if hub_receives { (p, hub) } else { (hub, p) }
        } else {
            // "China has exported $52.3 billion … to Russia, while Russia's export to China …":
            // a clause that names both parties of its figure is read on its own.
            let (st, en) = spans[i];
            let lo = clause_start(s, st);
            let hi = clause_break(s, en);
            let local: Vec<PartyMention> = parties
                .iter()
                .filter(|p| p.start >= lo && p.end <= hi)
                .cloned()
                .collect();
            let mut local_codes: Vec<String> = Vec::new();
            for p in &local {
                if !local_codes.contains(&p.code) {
                    local_codes.push(p.code.clone());
                }
            }
            if local_codes.len() == 2 && codes.len() > 2 || (local_codes.len() == 2 && lo > 0) {
                orient(s, &local, &local_codes, flow)
            } else {
                orient(s, &parties, &codes, flow)
            }
        };
        let mut frame = Frame {
            country_a: ca,
            country_b: cb,
            flow,
            is_forecast: a.forecast,
            is_record: a.record,
            attributed_to: attr
                .as_ref()
                .map(|(n, _, _)| n.clone())
                .filter(|n| !n.is_empty()),
            cites_statistics_of: cites.clone(),
            ..Frame::default()
        };
        let mut evidence = Vec::new();
        let mut value_decimals = 0;
        if let AnchorKind::Amount(m) = &a.kind {
            frame.states_base = m.role == Role::Base;
            frame.value = Some(m.value);
            frame.value_high = m.high;
            frame.bound = Some(m.bound);
            frame.unit = Some(m.currency.clone());
            frame.scale = m.scale.clone();
            value_decimals = m.decimals;
            evidence.push(m.text.clone());
            if let (Some(b), None) = (m.base, &a.growth)
                && b > 0.0
            {
                frame.yoy_growth_pct = Some(100.0 * (m.value / b - 1.0));
            }
            if frame.flow == Some(Flow::Balance) && balance_is_negative(s, m.start) {
                frame.value = frame.value.map(|v| -v);
            }
            let own = crate::frame::scale_factor(m.scale.as_deref());
            for x in &a.side {
                let v = x.value * crate::frame::scale_factor(x.scale.as_deref()) / own;
                if x.currency != m.currency {
                    continue;
                }
                match x.role {
                    Role::Base => frame.base_value = Some(round_to(v, 6)),
                    Role::Change => {
                        let down = clause_direction(s, x.start, x.end) == Some(-1.0);
                        frame.abs_change = Some(round_to(if down { -v } else { v }, 6));
                    }
                    _ => {}
                }
            }
        }
        if let AnchorKind::Growth = &a.kind
            && let Some(x) = a.side.iter().find(|x| x.role == Role::Change)
        {
            let down = clause_direction(s, x.start, x.end) == Some(-1.0)
                || a.growth.as_ref().is_some_and(|g| g.pct < 0.0);
            frame.abs_change = Some(round_to(if down { -x.value } else { x.value }, 6));
            frame.unit = Some(x.currency.clone());
            frame.scale = x.scale.clone();
            evidence.push(x.text.clone());
        }
        frame.share_pct = a.share;
        let mut growth_tolerance = 0.05;
        let mut growth_bound = None;
        if let Some(g) = &a.growth {
            if month_on_month {
                frame.mom_growth_pct = Some(round_to(g.pct, 4));
            } else {
                frame.yoy_growth_pct = Some(round_to(g.pct, 4));
            }
            growth_tolerance = g.tolerance;
            growth_bound = Some(g.bound);
            evidence.push(g.text.clone());
        }
        if let Some(p) = &a.period {
            let resolved = if p.m2 == 0 {
                // Year to date: January to the month before the article's.
                date.map(|d| {
                    let y = match p.year {
                        YearRef::Abs(y) => y,
                        _ => d.year(),
                    };
                    let m = if y == d.year() {
                        d.month().saturating_sub(1).max(1)
                    } else {
                        12
                    };
                    (format!("{y:04}-01"), format!("{y:04}-{m:02}"))
                })
            } else {
                p.resolve(date)
            };
            if let Some((ps, pe)) = resolved {
                frame.period_start = Some(ps);
                frame.period_end = Some(pe);
            }
            evidence.push(p.text.clone());
        } else if (continues || from_ctx || claim_periods.is_empty() && recent_ctx.is_some())
            && let Some((ps, pe)) = recent_ctx.as_ref().and_then(|c| c.period.clone())
        {
            // "That is 29.5% more than a year earlier.": the period of the sentence before.
            frame.period_start = Some(ps);
            frame.period_end = Some(pe);
        }
        if let Some(p) = &a.period
            && let Some(y1) = p.range_base
            && (frame.yoy_growth_pct.is_some() || frame.base_value.is_some())
        {
            frame.growth_base_year = Some(y1);
        }
        // "rose by 5.4% compared with 2022" and no period of its own: the year after the base,
        // once it has ended by the article's date (before, the months are not said).
        if frame.period_start.is_none()
            && let Some(b) = &a.base
            && let YearRef::Abs(by) = b.year
            && b.m1 == 1
            && b.m2 == 12
            && date.is_none_or(|d| d.year() > by + 1)
        {
            frame.period_start = Some(format!("{:04}-01", by + 1));
            frame.period_end = Some(format!("{:04}-12", by + 1));
        }
        // "compared to the same period of the previous year": relative to the claim's own period,
        // that is year-on-year, whatever the article's date.
        if let Some(b) = &a.base
            && !matches!(b.year, YearRef::Rel(_))
            && let Some((ps, _)) = b.resolve(date)
        {
            let by: i32 = ps[..4].parse().unwrap_or(0);
            let py: Option<i32> = frame
                .period_start
                .as_ref()
                .and_then(|p| p[..4].parse().ok());
            if py.is_some_and(|py| by != py - 1) {
                frame.growth_base_year = Some(by);
            }
        }
        out.push(Claim {
            sentence_index: si,
            sentence: s.to_string(),
            span: (sent.start, sent.end),
            evidence_text: evidence,
            frame,
            value_decimals,
            growth_tolerance,
            growth_bound,
        });
    }
    // "in April 2022 (100 million euros) compared to the same month of 2021 (500 million
    // euros)": the stated base covers the level's months in its own year.
    static SAME: OnceLock<Regex> = OnceLock::new();
    let same = re(&SAME, || {
        r"(?i)\bsame\s+(?:month|months|period|quarter|half|window)\b".into()
    });
    if same.is_match(s) {
        let levels: Vec<(f64, String, String)> = out
            .iter()
            .filter(|c| !c.frame.states_base)
            .filter_map(|c| {
                let f = &c.frame;
                Some((
                    f.base_value?,
                    f.period_start.clone()?,
                    f.period_end.clone()?,
                ))
            })
            .collect();
        for c in out.iter_mut().filter(|c| c.frame.states_base) {
            let f = &mut c.frame;
            let (Some(v), Some(ps), Some(pe)) = (f.value, &f.period_start, &f.period_end) else {
                continue;
            };
            let full_year = ps.ends_with("-01") && pe.ends_with("-12") && ps[..4] == pe[..4];
            if let (true, Some((_, ls, le))) = (
                full_year,
                levels.iter().find(|(bv, ls, le)| {
                    (bv - v).abs() < 1e-9 && ls[..4] == le[..4] && ls[..4] != ps[..4]
                }),
            ) && !(ls.ends_with("-01") && le.ends_with("-12"))
            {
                let y = ps[..4].to_string();
                f.period_start = Some(format!("{y}{}", &ls[4..]));
                f.period_end = Some(format!("{y}{}", &le[4..]));
            }
        }
    }
    // "growing from EUR 129.9 billion in 2002 to EUR 433.5 billion in 2013 (+234%)": a rate
    // measured from a stated base of another year than the one before is growth against that year.
    let bases: Vec<(f64, Option<String>)> = out
        .iter()
        .filter(|c| c.frame.states_base)
        .map(|c| {
            (
                c.frame.value.unwrap_or(f64::NAN),
                c.frame.period_start.clone(),
            )
        })
        .collect();
    for c in out.iter_mut().filter(|c| !c.frame.states_base) {
        let f = &mut c.frame;
        let (Some(bv), Some(_), None) = (f.base_value, f.yoy_growth_pct, f.growth_base_year) else {
            continue;
        };
        let year = |p: &Option<String>| p.as_ref().and_then(|p| p[..4].parse::<i32>().ok());
        if let (Some(by), Some(py)) = (
            bases
                .iter()
                .find(|(v, _)| (v - bv).abs() < 1e-9)
                .and_then(|(_, p)| year(p)),
            year(&f.period_start),
        ) && by != py - 1
            && by < py
        {
            f.growth_base_year = Some(by);
        }
    }
    // "several EU countries more than doubled their supplies": some of the bloc's members, not
    // the bloc; their figure is no claim about it (the members listed after are).
    static SOME_MEMBERS: OnceLock<Regex> = OnceLock::new();
    let some_members = re(&SOME_MEMBERS, || {
        r"(?i)\b(?:several|some|many|most|a few|few|(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))\s+(?:of\s+the\s+)?(?P<bloc>EU|European Union|EAEU|CIS|ASEAN)(?:'s)?\s+(?:countries|states|member states|members|nations|economies)\b".into()
    });
    if out.len() > 1
        && let Some(c) = some_members.captures(s)
    {
        let bloc = crate::gazetteer::find_parties(&c["bloc"])
            .first()
            .map(|p| p.code.clone());
        let m = c.get(0).expect("match");
        out.retain(|cl| {
            let f = &cl.frame;
            let about_bloc = f.country_a.is_some() && f.country_a == bloc;
            // Only the figure that the quantified subject owns: the rate or amount right after it.
            let owned = cl
                .evidence_text
                .first()
                .and_then(|e| s.find(e.as_str()))
                .is_some_and(|at| at >= m.end() && at <= m.end() + 80);
            !(about_bloc && owned)
        });
    }
    if let Some(first) = out.first() {
        let mut parties = Vec::new();
        for c in [&first.frame.country_a, &first.frame.country_b]
            .into_iter()
            .flatten()
        {
            parties.push(c.clone());
        }
        *ctx = Some(Context {
            parties,
            flow: first.frame.flow,
            period: first
                .frame
                .period_start
                .clone()
                .zip(first.frame.period_end.clone()),
            monthly: first.frame.mom_growth_pct.is_some(),
            paragraph: sent.paragraph,
            sentence: si,
        });
    }
    out
}

/// Whether `bloc` is a group that holds `member` on the article's date (2024 when undated).
fn bloc_holds(bloc: &str, member: &str, date: Option<NaiveDate>) -> bool {
    let groups = detour_core::group::Groups::global();
    let day = date.unwrap_or_else(|| NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date"));
    groups.is_group(bloc)
        && groups
            .members_on(bloc, day)
            .is_ok_and(|m| m.iter().any(|x| x == member))
}

/// Whether a balance figure is a deficit: the nearest balance word before it (else after it)
/// says so ("deficit", "negative balance", "trade gap"), and "surplus" says not.
fn balance_is_negative(s: &str, at: usize) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let r = re(&RE, || {
        r"(?i)\b(?P<neg>deficits?|negative\s+(?:trade\s+)?balance|trade\s+gap|gap)|(?P<pos>surplus(?:es)?|positive\s+(?:trade\s+)?balance)\b".into()
    });
    let cues: Vec<(usize, bool)> = r
        .captures_iter(s)
        .map(|c| (c.get(0).map_or(0, |m| m.start()), c.name("neg").is_some()))
        .collect();
    cues.iter()
        .rev()
        .find(|(p, _)| *p < at)
        .or_else(|| cues.iter().find(|(p, _)| *p >= at))
        .is_some_and(|(_, neg)| *neg)
}

/// Whether the sentence's rates compare with the month before rather than a year earlier.
/// "their monthly exports", "monthly trade": a sentence about month-on-month changes.
fn speaks_monthly(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    is_month_on_month(s)
        || re(&RE, || {
            r"(?i)\bmonthly\s+(?:exports|imports|trade|shipments|deliveries|supplies)\b".into()
        })
        .is_match(s)
}

/// A cue that a rate is measured against a year before.
fn speaks_yearly(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, || {
        r"(?i)\b(?:year[- ]on[- ]year|y/y|yoy|a year (?:earlier|ago|before)|same (?:month|period)|previous year|last year)\b".into()
    })
    .is_match(s)
}

fn is_month_on_month(s: &str) -> bool {
    static MOM: OnceLock<Regex> = OnceLock::new();
    let mom = re(&MOM, || {
        format!(
            r"(?i)\b(?:month[- ]on[- ]month|m/m|in monthly terms|on a monthly basis|on a sequential basis|sequentially|(?:from|compared\s+(?:with|to)|than in|over)\s+the\s+previous\s+month|(?:compared\s+(?:with|to)|versus)\s+{MONTH_FULL}\b)"
        )
    });
    mom.is_match(s) && !speaks_yearly(s)
}

/// The party a figure in a list belongs to: in the stretch before it, the one the text marks as
/// the figure's owner ("Croatia's exports to Russia amounted to …", "Germany (…)"), else the
/// nearest.
fn own_party<'a>(
    parties: &'a [PartyMention],
    s: &str,
    from: usize,
    to: usize,
) -> Option<&'a PartyMention> {
    let window: Vec<&PartyMention> = parties
        .iter()
        .filter(|p| p.start >= from && p.end <= to)
        .collect();
    window
        .iter()
        .rev()
        .find(|p| {
            let after = &s[p.end..];
            after.starts_with("'s")
                || after.trim_start().starts_with('(')
                || after.trim_start().starts_with(['–', '—', ':'])
        })
        .or(window.last())
        .copied()
}

/// The country whose statistics a named statistics body publishes.
fn statistics_body(name: &str) -> Option<&'static str> {
    static RE: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    let table = RE.get_or_init(|| {
        [
            (
                r"(?i)destatis|statistisches bundesamt|federal statistical office|statistikamt",
                "DEU",
            ),
            (r"(?i)\bistat\b", "ITA"),
            (r"(?i)\bDGDDI\b|french customs|douanes", "FRA"),
            (
                r"(?i)\bGACC\b|\bGAC\b|general administration of customs|chinese customs|zollverwaltung chinas|chinesische zolldaten|Chinese Zolldaten|таможенн\w* управлени\w* (?:китая|кнр|China)|China's customs",
                "CHN",
            ),
            (
                r"(?i)rosstat|росстат|federal customs service|\bFCS\b|\bФТС\b",
                "RUS",
            ),
            (r"(?i)geostat", "GEO"),
            (r"(?i)belstat|белстат", "BLR"),
            (r"(?i)armstat", "ARM"),
            (r"(?i)\beurostat\b|евростат", "EU27"),
        ]
        .into_iter()
        .map(|(p, c)| (Regex::new(p).expect("valid regex"), c))
        .collect()
    });
    table
        .iter()
        .find(|(r, _)| r.is_match(name))
        .map(|(_, c)| *c)
}

/// Where the clause that contains `at` starts: after the last clause break before it.
fn clause_start(s: &str, at: usize) -> usize {
    clause_breaks()
        .find_iter(&s[..at])
        .last()
        .map_or(0, |m| m.end())
}

/// Where the clause that contains `at` ends: a semicolon, ", and the", ", which", ", while", ", but".
fn clause_break(s: &str, at: usize) -> usize {
    clause_breaks()
        .find_at(s, at)
        .map_or(s.len(), |m| m.start())
}

/// What ends a clause: a semicolon, ", and the", ", which", ", while", ", but", ", whereas".
fn clause_breaks() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, || {
        r"(?i);|,\s+(?:and\s+(?:the|a|an|its|their)\b|which\b|while\b|but\b|whereas\b)".into()
    })
}

fn round_to(x: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    (x * f).round() / f
}

/// Order the parties: for exports and imports, `country_a` is the one whose flow it is.
fn orient(
    s: &str,
    parties: &[PartyMention],
    codes: &[String],
    flow: Option<Flow>,
) -> (Option<String>, Option<String>) {
    let list = |v: &[String]| -> Option<String> {
        if v.is_empty() {
            None
        } else {
            Some(v.join(","))
        }
    };
    if codes.len() <= 1 {
        return (codes.first().cloned(), None);
    }
    let lower = s.to_lowercase();
    // The party right after a preposition.
    let after_prep = |preps: &[&str]| -> Option<String> {
        parties.iter().find_map(|p| {
            let before = lower[..p.start].trim_end();
            let before = before
                .strip_suffix("the")
                .map(str::trim_end)
                .unwrap_or(before);
            preps
                .iter()
                .any(|w| before.ends_with(&format!(" {w}")))
                .then(|| p.code.clone())
        })
    };
    let (a, b) = match flow {
        Some(Flow::Exports) => {
            let to = after_prep(&["to", "into"]);
            let from = after_prep(&["from"]);
            match (from, to) {
                (Some(f), Some(t)) if f != t => (f, t),
                (_, Some(t)) => (
                    codes.iter().find(|c| **c != t).cloned().unwrap_or_default(),
                    t,
                ),
                (Some(f), None) => (
                    f.clone(),
                    codes.iter().find(|c| **c != f).cloned().unwrap_or_default(),
                ),
                _ => (codes[0].clone(), codes[1].clone()),
            }
        }
        Some(Flow::Imports) => {
            let from = after_prep(&["from"]);
            let into = after_prep(&["into"]);
            match (into, from) {
                (Some(i), Some(f)) if i != f => (i, f),
                (_, Some(f)) => (
                    codes.iter().find(|c| **c != f).cloned().unwrap_or_default(),
                    f,
                ),
                (Some(i), None) => (
                    i.clone(),
                    codes.iter().find(|c| **c != i).cloned().unwrap_or_default(),
                ),
                _ => (codes[0].clone(), codes[1].clone()),
            }
        }
        _ => {
            if codes.len() > 2 {
                return (Some(codes[0].clone()), list(&codes[1..]));
            }
            // "trade with the EU accounted for 5 percent of Kyrgyzstan's trade": the party
            // after "with" is the partner, whichever is named first.
            match after_prep(&["with"]) {
                Some(w) if codes[0] == w => (codes[1].clone(), w),
                _ => (codes[0].clone(), codes[1].clone()),
            }
        }
    };
    if codes.len() > 2 && matches!(flow, Some(Flow::Exports) | Some(Flow::Imports)) {
        let rest: Vec<String> = codes.iter().filter(|c| **c != a).cloned().collect();
        return (Some(a), list(&rest));
    }
    (
        Some(a).filter(|x| !x.is_empty()),
        Some(b).filter(|x| !x.is_empty()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str, date: Option<&str>) -> Frame {
        let opts = ExtractOptions {
            date: date.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
            ..Default::default()
        };
        let c = extract(s, &opts);
        assert_eq!(c.len(), 1, "{s}: {c:#?}");
        c[0].frame.clone()
    }

    #[test]
    fn amounts_with_scales_currencies_bounds_ranges() {
        let a = find_amounts(
            "reaching over $20 billion and US$ 850 mln, €3.4bn, 1.5 trillion roubles, $59-60 billion",
        );
        type Row<'a> = (f64, Option<f64>, Bound, &'a str, Option<&'a str>);
        let got: Vec<Row> = a
            .iter()
            .map(|a| {
                (
                    a.value,
                    a.high,
                    a.bound,
                    a.currency.as_str(),
                    a.scale.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (20.0, None, Bound::Over, "USD", Some("billion")),
                (850.0, None, Bound::Exact, "USD", Some("million")),
                (3.4, None, Bound::Exact, "EUR", Some("billion")),
                (1.5, None, Bound::Exact, "RUB", Some("trillion")),
                (59.0, Some(60.0), Bound::Range, "USD", Some("billion")),
            ]
        );
        assert!(find_amounts("in 2024, 12 months, 27%").is_empty());
        let a = find_amounts("worth 5.7 billion U.S. dollars and USD 1.2bn");
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[0].value, a[0].currency.as_str(), a[0].text.as_str()),
            (5.7, "USD", "5.7 billion U.S. dollars")
        );
        assert_eq!((a[1].value, a[1].scale.as_deref()), (1.2, Some("billion")));
    }

    #[test]
    fn growth_forms() {
        let g: Vec<f64> = find_growth(
            "a 10.6% increase; up 27%; fell by 5.3 percent; doubled; fell by a third; grew 2.5 times; (+9%); 30% of exports",
        )
        .iter()
        .map(|g| (g.pct * 10.0).round() / 10.0)
        .collect();
        assert_eq!(g, [10.6, 27.0, -5.3, 100.0, -33.3, 150.0, 9.0]);
    }

    #[test]
    fn article_sentences() {
        let f = one(
            "Putin highlighted the growth of trade between Russia and CIS member states, with a 10.6% increase in trade from January to October, reaching $93 billion.",
            Some("2024-12-26"),
        );
        assert_eq!(f.country_a.as_deref(), Some("RUS"));
        assert_eq!(f.country_b.as_deref(), Some("CIS"));
        assert_eq!(f.flow, Some(Flow::Turnover));
        assert_eq!(f.value, Some(93.0));
        assert_eq!(f.period_start.as_deref(), Some("2024-01"));
        assert_eq!(f.period_end.as_deref(), Some("2024-10"));
        assert_eq!(f.yoy_growth_pct, Some(10.6));
        assert_eq!(f.attributed_to.as_deref(), Some("Putin"));
        let f = one(
            "The cooperation between Russia and Kyrgyzstan is promising, with a 27% increase in trade in the first nine months of 2024, and the development of economic cooperation with Uzbekistan, which has successfully avoided Western pressure to support US and EU sanctions, said Lepechin.",
            None,
        );
        assert_eq!(
            (f.country_a.as_deref(), f.country_b.as_deref()),
            (Some("RUS"), Some("KGZ"))
        );
        assert_eq!((f.value, f.yoy_growth_pct), (None, Some(27.0)));
        assert_eq!(f.period_end.as_deref(), Some("2024-09"));
        assert_eq!(f.attributed_to.as_deref(), Some("Lepechin"));
    }

    #[test]
    fn named_base_years() {
        let f = one(
            "EU exports to Kyrgyzstan in 2023 doubled compared with 2021.",
            None,
        );
        assert_eq!(
            (
                f.period_start.as_deref(),
                f.yoy_growth_pct,
                f.growth_base_year
            ),
            (Some("2023-01"), Some(100.0), Some(2021))
        );
        let f = one(
            "EU exports to Kyrgyzstan were 10 times higher in 2023 than in 2021.",
            None,
        );
        assert_eq!(
            (
                f.period_end.as_deref(),
                f.yoy_growth_pct,
                f.growth_base_year
            ),
            (Some("2023-12"), Some(900.0), Some(2021))
        );
    }

    #[test]
    fn currency_words_are_not_parties() {
        let f = one(
            "Tajik-Russian trade reached 968.5 million US dollars in 2023.",
            None,
        );
        assert_eq!(
            (f.country_a.as_deref(), f.country_b.as_deref()),
            (Some("TJK"), Some("RUS"))
        );
    }

    #[test]
    fn capitals_as_places_are_not_parties() {
        let f = one(
            "At a meeting in Moscow, officials said trade between Kazakhstan and Uzbekistan reached $4.4 billion in 2023.",
            None,
        );
        assert_eq!(
            (f.country_a.as_deref(), f.country_b.as_deref()),
            (Some("KAZ"), Some("UZB"))
        );
        let f = one(
            "Trade between Moscow and Minsk reached $45 billion in 2022.",
            None,
        );
        assert_eq!(
            (f.country_a.as_deref(), f.country_b.as_deref()),
            (Some("RUS"), Some("BLR"))
        );
    }

    #[test]
    fn directions() {
        let f = one(
            "EU exports to Kyrgyzstan rose to €3.4 billion in 2023.",
            None,
        );
        assert_eq!(
            (f.country_a.as_deref(), f.country_b.as_deref(), f.flow),
            (Some("EU27"), Some("KGZ"), Some(Flow::Exports))
        );
        let f = one(
            "Kazakhstan's imports from Russia reached $17.1 billion in 2023.",
            None,
        );
        assert_eq!(
            (f.country_a.as_deref(), f.country_b.as_deref(), f.flow),
            (Some("KAZ"), Some("RUS"), Some(Flow::Imports))
        );
        let f = one(
            "Germany exported goods worth €1.1 billion to Kazakhstan in 2022.",
            None,
        );
        assert_eq!(
            (f.country_a.as_deref(), f.country_b.as_deref()),
            (Some("DEU"), Some("KAZ"))
        );
    }

    // Regression tests for phenomena met in real news (issue 14); the sentences are our own.

    fn all(s: &str, date: Option<&str>) -> Vec<Frame> {
        let opts = ExtractOptions {
            date: date.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
            ..Default::default()
        };
        extract(s, &opts).into_iter().map(|c| c.frame).collect()
    }

    #[test]
    fn numbers_as_news_prints_them() {
        let v = |s: &str| {
            find_amounts(s)
                .iter()
                .map(|a| (a.value, a.scale.clone(), a.currency.clone()))
                .collect::<Vec<_>>()
        };
        let m = Some("million".to_string());
        let b = Some("billion".to_string());
        assert_eq!(
            v("trade made $ 1 246.7 million"),
            [(1246.7, m.clone(), "USD".into())]
        );
        assert_eq!(
            v("exports of $117,7 million"),
            [(117.7, m.clone(), "USD".into())]
        );
        assert_eq!(
            v("some $18,229.03 million"),
            [(18229.03, m.clone(), "USD".into())]
        );
        let mixed = v("reached 3 billion 160 million dollars");
        assert_eq!(mixed.len(), 1);
        assert!((mixed[0].0 - 3.16).abs() < 1e-9 && mixed[0].1 == b);
        assert_eq!(
            v("fell to six billion euro"),
            [(6.0, b.clone(), "EUR".into())]
        );
        assert_eq!(v("rose to KZT9 million"), [(9.0, m.clone(), "KZT".into())]);
        assert_eq!(v("worth Dh5.5 billion"), [(5.5, b.clone(), "AED".into())]);
        assert_eq!(
            v("of 379.7 billion yen"),
            [(379.7, b.clone(), "JPY".into())]
        );
        assert_eq!(
            v("over three trillion Russian rubles"),
            [(3.0, Some("trillion".into()), "RUB".into())]
        );
        // A year before a currency code is no amount; a stray % makes a rate.
        assert!(
            v("from EUR 129.9 billion in 2002 to EUR 433.5 billion")
                .iter()
                .all(|a| a.0 != 2002.0)
        );
        assert!(v("rose 21.04% to $21.04%").is_empty());
        // "France (25 billion)": the currency of the amount before.
        assert_eq!(v("97 billion euros, France (25 billion)")[1].2, "EUR");
    }

    #[test]
    fn bases_changes_and_alternates_are_not_levels_of_their_own() {
        let f = all(
            "Uzbekistan's exports to Kazakhstan reached $455.7 million in 2023, up 10.9% compared to $410.9 million in 2022.",
            None,
        );
        let level = f.iter().find(|f| !f.states_base).unwrap();
        assert_eq!(
            (level.value, level.yoy_growth_pct, level.base_value),
            (Some(455.7), Some(10.9), Some(410.9))
        );
        let base = f.iter().find(|f| f.states_base).unwrap();
        assert_eq!(
            (base.value, base.period_start.as_deref()),
            (Some(410.9), Some("2022-01"))
        );
        let f = one(
            "Trade between Georgia and Armenia exceeded USD 4 billion in 2024, USD 362 million or 9.8% more than in 2023.",
            None,
        );
        assert_eq!((f.value, f.abs_change), (Some(4.0), Some(0.362)));
        let f = one(
            "Trade between Russia and Belarus was over 3 trillion roubles in 2022, or 111 bln Belarusian rubles.",
            None,
        );
        assert_eq!(f.unit.as_deref(), Some("RUB"));
    }

    #[test]
    fn lists_of_parties_with_their_own_figures() {
        let f = all(
            "Spain (40 million euros), Greece (12.5 million euros) and Malta (3 million euros) exported the most to Georgia in May.",
            Some("2023-02-01"),
        );
        let got: Vec<(String, String, Option<String>)> = f
            .iter()
            .map(|f| {
                (
                    f.country_a.clone().unwrap(),
                    f.country_b.clone().unwrap(),
                    f.period_start.clone(),
                )
            })
            .collect();
        let may = Some("2022-05".to_string());
        assert_eq!(
            got,
            [
                ("ESP".into(), "GEO".into(), may.clone()),
                ("GRC".into(), "GEO".into(), may.clone()),
                ("MLT".into(), "GEO".into(), may)
            ]
        );
        // Not a list: one pair spoken of twice.
        let f = all(
            "Armenia's exports to Georgia totalled $1 billion in 2023, while imports from Georgia reached $0.8 billion.",
            None,
        );
        assert_eq!(f[1].country_a.as_deref(), Some("ARM"));
        assert_eq!(f[1].country_b.as_deref(), Some("GEO"));
    }

    #[test]
    fn rates_listed_respectively_and_month_on_month() {
        let f = all(
            "In May, Estonia's exports to Armenia amounted to 8.1 million euros, and Latvia's supply was 6.2 million euros, which is 12% and 7% higher than last year's figures, respectively.",
            Some("2023-07-01"),
        );
        assert_eq!(
            f.iter().map(|f| f.yoy_growth_pct).collect::<Vec<_>>(),
            [Some(12.0), Some(7.0)]
        );
        let f = one(
            "Armenia's exports to Georgia fell by 8% in monthly terms in March 2023.",
            None,
        );
        assert_eq!((f.yoy_growth_pct, f.mom_growth_pct), (None, Some(-8.0)));
    }

    #[test]
    fn shares_fiscal_years_and_cross_year_ranges() {
        let f = one(
            "In 2022, trade with Armenia accounted for 7 percent of Georgia's overall trade, reaching $1.1 billion.",
            None,
        );
        assert_eq!((f.value, f.share_pct), (Some(1.1), Some(7.0)));
        let f = one(
            "India's exports to Kazakhstan were $0.5 billion in the fiscal year 2021-22.",
            None,
        );
        assert_eq!(
            (f.period_start.as_deref(), f.period_end.as_deref()),
            (Some("2021-04"), Some("2022-03"))
        );
        let f = one(
            "India's imports from Kazakhstan reached $0.3 billion in FY23.",
            None,
        );
        assert_eq!(f.period_end.as_deref(), Some("2023-03"));
        let f = one(
            "Trade between India and Armenia over April 2022-March 2023 reached $0.4 billion.",
            None,
        );
        assert_eq!(
            (f.period_start.as_deref(), f.period_end.as_deref()),
            (Some("2022-04"), Some("2023-03"))
        );
    }

    #[test]
    fn a_range_of_years_is_its_last_year_against_its_first() {
        let f = one(
            "Trade between Armenia and Georgia grew by 80 percent between 2019 and 2023, to $1.3 billion.",
            None,
        );
        assert_eq!(
            (
                f.period_start.as_deref(),
                f.growth_base_year,
                f.yoy_growth_pct
            ),
            (Some("2023-01"), Some(2019), Some(80.0))
        );
    }

    #[test]
    fn context_from_sentences_without_figures_and_pointing_back() {
        let f = all(
            "Armenia is deepening its trade ties with Georgia.\nLast year, trade turnover reached $1.2 billion. This figure increased by 15 percent compared to 2021.",
            Some("2023-03-01"),
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            (f[0].country_a.as_deref(), f[0].country_b.as_deref()),
            (Some("ARM"), Some("GEO"))
        );
        assert_eq!((f[0].value, f[0].yoy_growth_pct), (Some(1.2), Some(15.0)));
        // A rate before, a level after that points back: one claim.
        let f = all(
            "Trade between Georgia and Armenia rose by 20 percent. Over the first six months of 2023, it amounted to $0.6 billion.",
            None,
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!((f[0].value, f[0].yoy_growth_pct), (Some(0.6), Some(20.0)));
    }

    #[test]
    fn balances_take_the_sign_of_their_own_word_and_vague_sources_are_none() {
        let f = all(
            "Georgia's trade deficit with Armenia was $0.4 billion in March 2023 and turned into a surplus of $0.1 billion in April 2023.",
            None,
        );
        assert_eq!(
            f.iter().map(|f| f.value).collect::<Vec<_>>(),
            [Some(-0.4), Some(0.1)]
        );
        let f = one(
            "The data showed that Armenia's exports to Georgia reached $0.2 billion in 2023.",
            None,
        );
        assert_eq!(f.attributed_to, None);
        let f = one(
            "According to Georgia's statistics office, trade with Armenia reached $1.3 billion in 2023.",
            None,
        );
        assert_eq!(f.cites_statistics_of.as_deref(), Some("GEO"));
        let f = one(
            "Exports to Armenia fell to €0.5 billion in 2023, Destatis said.",
            None,
        );
        assert_eq!(
            (f.country_a.as_deref(), f.cites_statistics_of.as_deref()),
            (Some("DEU"), Some("DEU"))
        );
    }

    #[test]
    fn german_and_russian_sentences() {
        let f = one(
            "Die deutschen Exporte nach Armenien stiegen 2023 um 12,5 Prozent auf 1,2 Milliarden Euro.",
            None,
        );
        assert_eq!(
            (
                f.country_a.as_deref(),
                f.country_b.as_deref(),
                f.flow,
                f.value,
                f.scale.as_deref(),
                f.period_start.as_deref(),
                f.yoy_growth_pct
            ),
            (
                Some("DEU"),
                Some("ARM"),
                Some(Flow::Exports),
                Some(1.2),
                Some("billion"),
                Some("2023-01"),
                Some(12.5)
            )
        );
        let f = one(
            "Товарооборот России и Армении по итогам 2023 года вырос на 8,5% и составил $7,3 млрд.",
            None,
        );
        assert_eq!(
            (
                f.country_a.as_deref(),
                f.country_b.as_deref(),
                f.flow,
                f.value,
                f.unit.as_deref(),
                f.period_end.as_deref(),
                f.yoy_growth_pct
            ),
            (
                Some("RUS"),
                Some("ARM"),
                Some(Flow::Turnover),
                Some(7.3),
                Some("USD"),
                Some("2023-12"),
                Some(8.5)
            )
        );
        // A Russian report on trade "with Armenia" names only the other side: Russia's trade.
        let f = one("Товарооборот с Арменией в 2022 году достиг $5 млрд.", None);
        assert_eq!(
            (f.country_a.as_deref(), f.country_b.as_deref()),
            (Some("RUS"), Some("ARM"))
        );
    }

    fn with_headline(s: &str, headline: &str, date: &str) -> Vec<Frame> {
        let opts = ExtractOptions {
            date: Some(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()),
            headline: Some(headline.to_string()),
            ..Default::default()
        };
        extract(s, &opts).into_iter().map(|c| c.frame).collect()
    }

    fn pair(f: &Frame) -> (Option<&str>, Option<&str>, Option<Flow>) {
        (f.country_a.as_deref(), f.country_b.as_deref(), f.flow)
    }

    #[test]
    fn the_headline_names_what_the_body_leaves_out() {
        // The party and the month only in the headline; a member state where the bloc stood.
        let f = with_headline(
            "The Netherlands came next with shipments of 310 million euros.",
            "Most EU countries raised their exports to Russia in May",
            "2023-03-01",
        );
        assert_eq!(pair(&f[0]), (Some("NLD"), Some("RUS"), Some(Flow::Exports)));
        assert_eq!(f[0].period_start.as_deref(), Some("2022-05"));
        // A list of rates against a hub from the headline: the listed states' own exports; their
        // "imports … to Russia" are exports to Russia.
        let f = with_headline(
            "Spain (+12%) and Austria (+7%) raised exports in May.",
            "Most EU countries raised their exports to Russia in May",
            "2023-03-01",
        );
        assert_eq!(
            f.iter().map(pair).collect::<Vec<_>>(),
            [
                (Some("ESP"), Some("RUS"), Some(Flow::Exports)),
                (Some("AUT"), Some("RUS"), Some(Flow::Exports))
            ]
        );
        let f = with_headline(
            "Spain (-12%) and Austria (-7%) cut imports of goods to Russia in monthly terms.",
            "EU trade with Russia in May",
            "2023-03-01",
        );
        assert_eq!(pair(&f[0]), (Some("ESP"), Some("RUS"), Some(Flow::Exports)));
        // "German exports" in the body: Germany is the exporter, the headline gives the partner.
        let f = with_headline(
            "German exports fell by 12 percent to 2.3 billion euros in 2023.",
            "German trade with Kazakhstan grows",
            "2024-03-01",
        );
        assert_eq!(pair(&f[0]), (Some("DEU"), Some("KAZ"), Some(Flow::Exports)));
        // "foreign trade" stays the country's trade with the world whatever the headline says.
        let f = with_headline(
            "Armenia's foreign trade turnover reached $19.2 billion in 2023.",
            "Armenia and the EU expand trade",
            "2024-03-01",
        );
        assert_eq!(
            pair(&f[0]),
            (Some("ARM"), Some("WLD"), Some(Flow::Turnover))
        );
        // A Russian page's address in Latin letters names the parties and the flow.
        let h = crate::lang::gloss_transliterated(
            &crate::text::headline_from_address(
                "https://example.ru/news/tovarooborot-rossii-i-armenii-vyros",
            )
            .unwrap(),
        );
        let f = with_headline("За 2023 год он составил $7 млрд.", &h, "2024-03-01");
        assert_eq!(pair(&f[0]).2, Some(Flow::Turnover));
        assert!(
            [f[0].country_a.as_deref(), f[0].country_b.as_deref()]
                .iter()
                .all(|c| matches!(c, Some("RUS" | "ARM"))),
            "{f:?}"
        );
    }

    #[test]
    fn changes_stated_in_currency() {
        // With no level: the change goes with the rate.
        let f = one(
            "Exports from the EU to Belarus fell by €3 billion between 2021 and 2022 (-25%).",
            Some("2023-03-01"),
        );
        assert_eq!(
            (f.abs_change, f.unit.as_deref(), f.scale.as_deref(), f.value),
            (Some(-3.0), Some("EUR"), Some("billion"), None)
        );
        // "an increase of $2 billion or 11 percent compared to the same period of the previous
        // year": the rate restates the change, and the previous year is the period's.
        let f = one(
            "Georgia's foreign trade turnover reached $21.4 billion in 2023, an increase of $2 billion or 11 percent compared to the same period of the previous year.",
            Some("2024-02-01"),
        );
        assert_eq!(
            (f.abs_change, f.yoy_growth_pct, f.growth_base_year),
            (Some(2.0), Some(11.0), None)
        );
    }

    #[test]
    fn growth_from_a_stated_base_year_strong_verbs_and_ranked_entries() {
        // The rate runs from the stated base's year, not from the year before.
        let f = all(
            "Exports from the EU to Turkey climbed from EUR 40.1 billion in 2010 to EUR 65.8 billion in 2015 (+64%).",
            Some("2016-05-01"),
        );
        let level = f.iter().find(|f| !f.states_base).unwrap();
        assert_eq!(
            (level.value, level.yoy_growth_pct, level.growth_base_year),
            (Some(65.8), Some(64.0), Some(2010))
        );
        // Next to the year before, a base is plain year-on-year.
        let f = all(
            "Exports from the EU to Turkey climbed from EUR 60.1 billion in 2014 to EUR 65.8 billion in 2015 (+9%).",
            Some("2016-05-01"),
        );
        let level = f.iter().find(|f| !f.states_base).unwrap();
        assert_eq!(level.growth_base_year, None);
        // The strong verbs of headlines carry their direction.
        for (s, g) in [
            ("German exports to Russia collapsed by 48% in 2022.", -48.0),
            ("Exports to Armenia plummeted 20% in 2024.", -20.0),
            ("Imports from Kazakhstan rocketed by 120% in 2023.", 120.0),
            ("Exports to Kyrgyzstan leapt 35% in 2022.", 35.0),
        ] {
            assert_eq!(one(s, Some("2025-01-10")).yoy_growth_pct, Some(g), "{s}");
        }
        // A ranking's entry with no trade word of its own takes the flow from the sentence
        // before; so does a bare rate in brackets after a name.
        let date = Some("2024-03-01");
        let f = all(
            "EU exports to Kyrgyzstan grew in 2023, led by Germany (310.5 million euros) and Italy (95.0 million euros). Austria (61.2 million euros) completes the top three.",
            date,
        );
        let austria = f
            .iter()
            .find(|f| f.value == Some(61.2))
            .expect("the entry is a claim");
        assert_eq!(
            pair(austria),
            (Some("AUT"), Some("KGZ"), Some(Flow::Exports))
        );
        let f = all(
            "EU exports to Armenia rose in 2023. The strongest growth came from Spain (64%) and Poland (31%).",
            date,
        );
        let rates: Vec<_> = f.iter().filter_map(|f| f.yoy_growth_pct).collect();
        assert!(rates.contains(&64.0) && rates.contains(&31.0), "{f:#?}");
        // After a sentence about monthly exports, the ranking's rates are month-on-month.
        let f = all(
            "Six EU states raised their monthly exports to Belarus. The biggest growth came from Spain (40%) and Latvia (12%).",
            date,
        );
        let mom: Vec<_> = f.iter().filter_map(|f| f.mom_growth_pct).collect();
        assert_eq!(mom, [40.0, 12.0], "{f:#?}");
        assert!(f.iter().all(|f| f.yoy_growth_pct.is_none()));
    }

    #[test]
    fn speakers_country_pages_and_the_german_verb_war() {
        // A leader speaking of "the two countries" stands for one of them.
        let f = all(
            "President Tokayev said after talks with his Uzbek counterpart that trade between the two countries rose to $4 billion in 2023.",
            Some("2024-03-01"),
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(pair(&f[0]).0, Some("KAZ"));
        assert_eq!(pair(&f[0]).1, Some("UZB"));
        // German "war" is the verb: the country before it is a party, not a war's place.
        let f = all(
            "Armenien war 2023 der drittgrößte Handelspartner Russlands, wobei der Handel mit diesem Land um 12 % auf 7,4 Mrd. USD stieg.",
            Some("2024-03-01"),
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        let mut parties = [f[0].country_a.clone(), f[0].country_b.clone()];
        parties.sort();
        assert_eq!(parties, [Some("ARM".to_string()), Some("RUS".to_string())]);
        // A headline that is only a country's name (a country page) names the partner.
        let f = with_headline(
            "Die deutschen Ausfuhren gingen 2023 um 4 Prozent auf 310 Millionen Euro zurück.",
            "Armenien",
            "2024-03-01",
        );
        assert_eq!(pair(&f[0]), (Some("DEU"), Some("ARM"), Some(Flow::Exports)));
    }

    #[test]
    fn periods_listed_before_their_figures_and_this_figure_after_its_verb() {
        // Two periods, two figures, in the same order, even where the second period stands
        // nearer the first figure.
        let f = all(
            "In 2019 Kazakhstan's exports to China grew by 12% to $8.1 billion, in 2020 by 5% and reached $8.5 billion.",
            Some("2021-05-01"),
        );
        let got: Vec<_> = f
            .iter()
            .map(|f| (f.value, f.period_start.as_deref()))
            .collect();
        assert_eq!(
            got,
            [(Some(8.1), Some("2019-01")), (Some(8.5), Some("2020-01"))]
        );
        // German word order puts the verb before "diese Zahl" (this figure): it still refers
        // back to the trade the text is about.
        let f = with_headline(
            "2019 stieg diese Zahl um 12 Prozent auf 8,1 Milliarden Dollar.",
            "Handel zwischen Kasachstan und China",
            "2021-05-01",
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!((f[0].value, f[0].flow), (Some(8.1), Some(Flow::Turnover)));
    }

    #[test]
    fn the_agent_of_a_ban_is_no_party_and_a_department_speaks() {
        let f = all(
            "Exports of machinery to Russia halved to 3 billion euros in 2023, now restricted by the European Union, explains the statistics department of the National Institute of Statistics (Istat).",
            Some("2024-07-01"),
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(pair(&f[0]), (Some("ITA"), Some("RUS"), Some(Flow::Exports)));
        assert_eq!(
            f[0].attributed_to.as_deref(),
            Some("statistics department of the National Institute of Statistics (Istat)")
        );
    }

    #[test]
    fn a_base_year_before_the_rate_dates_the_claim_once_the_year_after_has_ended() {
        let s =
            "Trade between Uzbekistan and Russia rose compared with 2022 by 5.4% to $9.9 billion.";
        let f = one(s, Some("2024-03-16"));
        assert_eq!(
            (
                f.period_start.as_deref(),
                f.period_end.as_deref(),
                f.yoy_growth_pct
            ),
            (Some("2023-01"), Some("2023-12"), Some(5.4))
        );
        // Written in December 2023: the months of 2023 it covers are not said.
        let f = one(s, Some("2023-12-02"));
        assert_eq!(f.period_start, None);
    }

    #[test]
    fn a_fraction_before_its_verb() {
        // German order, glossed: "um ein Drittel … zugenommen".
        let f = all(
            "Das Handelsvolumen zwischen Russland und der Türkei habe 2018 um ein Drittel auf 25 Milliarden Dollar zugenommen.",
            Some("2019-04-01"),
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!((f[0].yoy_growth_pct.unwrap() - 100.0 / 3.0).abs() < 1e-3);
        let f = all(
            "Trade between Russia and Turkey by a quarter shrank in 2018, to $15 billion.",
            Some("2019-04-01"),
        );
        assert_eq!(f[0].yoy_growth_pct, Some(-25.0));
    }

    #[test]
    fn signed_rates_in_words_and_pairs_of_rates() {
        let date = Some("2023-08-01");
        let f = all(
            "Spain (-12%), Austria (minus four) and Finland (plus two percent) changed their exports to Belarus in July.",
            date,
        );
        let g: Vec<_> = f
            .iter()
            .map(|f| (f.country_a.as_deref(), f.yoy_growth_pct))
            .collect();
        assert_eq!(
            g,
            [
                (Some("ESP"), Some(-12.0)),
                (Some("AUT"), Some(-4.0)),
                (Some("FIN"), Some(2.0))
            ]
        );
        // Outside brackets, a bare "minus four" is no rate.
        assert!(all("Exports to Belarus were minus four in July.", date).is_empty());
        // Two rates that share "percent"; a range is one figure.
        let f = all(
            "Exports from Georgia to Armenia grew by 14 and 9 percent in 2021 and 2022, respectively.",
            date,
        );
        let rates: Vec<_> = f.iter().filter_map(|f| f.yoy_growth_pct).collect();
        assert!(rates.contains(&14.0) && rates.contains(&9.0), "{f:#?}");
        let f = all(
            "Exports from Georgia to Armenia grew by between 14 and 19 percent in 2022.",
            date,
        );
        assert!(f.iter().all(|f| f.yoy_growth_pct != Some(14.0)), "{f:#?}");
    }

    #[test]
    fn a_rate_keeps_to_its_own_flow() {
        // The rate is the exports'; the figure after it is the surplus's.
        let f = all(
            "Exports from Georgia to the European Union grew by 9 percent in 2023, with the trade surplus reaching over 1 billion U.S. dollars.",
            Some("2024-02-01"),
        );
        let growth = f
            .iter()
            .find(|f| f.yoy_growth_pct == Some(9.0))
            .expect("the rate");
        assert_eq!((growth.flow, growth.value), (Some(Flow::Exports), None));
        let surplus = f
            .iter()
            .find(|f| f.value == Some(1.0))
            .expect("the surplus");
        assert_eq!(
            (surplus.flow, surplus.yoy_growth_pct),
            (Some(Flow::Balance), None)
        );
    }

    #[test]
    fn a_base_in_the_same_month_of_another_year() {
        let f = all(
            "Italian exports to Belarus were divided by more than three in May 2023 (40 million euros) compared to the same month of 2021 (130 million euros).",
            Some("2023-07-10"),
        );
        let level = f.iter().find(|f| !f.states_base).expect("the level");
        assert_eq!(
            (level.value, level.period_start.as_deref(), level.base_value),
            (Some(40.0), Some("2023-05"), Some(130.0))
        );
        let base = f.iter().find(|f| f.states_base).expect("the base");
        assert_eq!(
            (base.period_start.as_deref(), base.period_end.as_deref()),
            (Some("2021-05"), Some("2021-05"))
        );
    }

    #[test]
    fn the_party_after_with_is_the_partner_and_a_speaker_is_one_side() {
        let f = all(
            "In 2023, trade with China accounted for 21 percent of Tajikistan's overall trade, reaching $1.2 billion.",
            Some("2024-03-01"),
        );
        assert!(!f.is_empty());
        assert!(
            f.iter()
                .all(|f| (f.country_a.as_deref(), f.country_b.as_deref())
                    == (Some("TJK"), Some("CHN"))),
            "{f:#?}"
        );
        let f = all(
            "According to Tokayev, trade between the two countries reached $4 billion in 2023.",
            Some("2024-03-01"),
        );
        assert_eq!(f[0].country_a.as_deref(), Some("KAZ"));
    }

    #[test]
    fn a_possessive_month_is_the_period() {
        let f = one(
            "September's exports from Britain to China reached 1.5 billion pounds.",
            Some("2012-11-01"),
        );
        assert_eq!(
            (f.period_start.as_deref(), f.period_end.as_deref()),
            (Some("2012-09"), Some("2012-09"))
        );
    }

    #[test]
    fn multiples_listed_after_a_colon_belong_to_the_members_named() {
        let f = all(
            "In March several EU countries more than doubled their exports to Armenia: these are Spain (2.5 times) and Austria (2.2 times).",
            Some("2024-06-01"),
        );
        let got: Vec<_> = f
            .iter()
            .map(|f| {
                (
                    f.country_a.as_deref(),
                    f.country_b.as_deref(),
                    f.yoy_growth_pct,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some("ESP"), Some("ARM"), Some(150.0)),
                (Some("AUT"), Some("ARM"), Some(120.0))
            ],
            "{f:#?}"
        );
    }

    #[test]
    fn a_list_of_partners_takes_the_subject_as_its_hub() {
        let f = with_headline(
            "According to the ministry, the figures for 2023 are lower than those cited:\n\n• Trade with Latvia increased by 20 percent (from $2 million to $2.4 million);\n• Trade turnover with Italy rose by 15 percent (from $40 million to $46 million).",
            "Kazakhstan Refutes Reports Of A Surge In Imports From Europe",
            "2024-03-01",
        );
        let pairs: Vec<_> = f
            .iter()
            .filter(|f| !f.states_base)
            .map(|f| (f.country_a.as_deref(), f.country_b.as_deref()))
            .collect();
        assert_eq!(
            pairs,
            [(Some("KAZ"), Some("LVA")), (Some("KAZ"), Some("ITA"))],
            "{f:#?}"
        );
    }

    #[test]
    fn mutual_trade_is_bilateral_even_as_a_share_of_foreign_trade() {
        let f = with_headline(
            "Last year, mutual turnover neared 9 billion US dollars which constitutes 12% of Uzbekistan's foreign trade.",
            "China And Uzbekistan Sign New Trade Deals",
            "2024-03-01",
        );
        assert!(!f.is_empty());
        assert_eq!(
            (f[0].country_a.as_deref(), f[0].country_b.as_deref()),
            (Some("UZB"), Some("CHN")),
            "{f:#?}"
        );
        // After a comma the two still trade with each other, not with the world.
        let f = with_headline(
            "Last year, mutual turnover neared 9 billion US dollars, which is 12% of Uzbekistan's foreign trade.",
            "China And Uzbekistan Sign New Trade Deals",
            "2024-03-01",
        );
        let mut pair = [f[0].country_a.clone(), f[0].country_b.clone()];
        pair.sort();
        assert_eq!(pair, [Some("CHN".to_string()), Some("UZB".to_string())]);
    }
}

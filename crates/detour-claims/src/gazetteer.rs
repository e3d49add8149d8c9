//! Countries and blocs as trade news names them: names, aliases, adjectives, capitals,
//! bloc names and their member-state phrases, and near-misses (typos) of country names.

use std::collections::HashMap;
use std::sync::OnceLock;

use detour_core::country::{AreaKind, Countries};
use regex::Regex;

const ALIASES_CSV: &str = include_str!("../../../data/reference/country_aliases.csv");

/// How a party was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionKind {
    Name,
    Adjective,
    /// "Moscow", "Minsk": the capital standing for the country.
    Capital,
    Group,
}

/// Adjectives and demonyms (trade news writes "Russian–Kazakh trade", "Kyrgyz imports").
const ADJECTIVES: &[(&str, &str)] = &[
    ("Russian", "RUS"),
    ("Kazakh", "KAZ"),
    ("Kazakhstani", "KAZ"),
    ("Kyrgyz", "KGZ"),
    ("Kirghiz", "KGZ"),
    ("Kyrgyzstani", "KGZ"),
    ("Uzbek", "UZB"),
    ("Uzbekistani", "UZB"),
    ("Belarusian", "BLR"),
    ("Belarussian", "BLR"),
    ("Belorussian", "BLR"),
    ("Byelorussian", "BLR"),
    ("Armenian", "ARM"),
    ("Georgian", "GEO"),
    ("Azerbaijani", "AZE"),
    ("Azeri", "AZE"),
    ("Tajik", "TJK"),
    ("Tajikistani", "TJK"),
    ("Turkmen", "TKM"),
    ("Moldovan", "MDA"),
    ("Ukrainian", "UKR"),
    ("Chinese", "CHN"),
    ("Turkish", "TUR"),
    ("German", "DEU"),
    ("French", "FRA"),
    ("Italian", "ITA"),
    ("Indian", "IND"),
    ("Iranian", "IRN"),
    ("American", "USA"),
    ("British", "GBR"),
    ("Japanese", "JPN"),
    ("South Korean", "KOR"),
    ("Polish", "POL"),
    ("Dutch", "NLD"),
    ("Finnish", "FIN"),
    ("Latvian", "LVA"),
    ("Lithuanian", "LTU"),
    ("Estonian", "EST"),
    ("Emirati", "ARE"),
    ("Mongolian", "MNG"),
    ("European", "EU27"),
];

/// Transliterations of Russian country names met in English texts.
const TRANSLITERATIONS: &[(&str, &str)] = &[
    ("Rossiya", "RUS"),
    ("Rossiia", "RUS"),
    ("Belorussiya", "BLR"),
    ("Belorussia", "BLR"),
    ("Kirgiziya", "KGZ"),
    ("Kirgizstan", "KGZ"),
    ("Kyrgyzia", "KGZ"),
    ("Kazakstan", "KAZ"),
    ("Tadzhikistan", "TJK"),
    ("Tadjikistan", "TJK"),
    ("Turkmeniya", "TKM"),
    ("Turkmenia", "TKM"),
    ("Moldaviya", "MDA"),
    ("Gruziya", "GEO"),
    ("Armeniya", "ARM"),
    ("Azerbaidzhan", "AZE"),
    ("Uzbekiston", "UZB"),
    ("Qazaqstan", "KAZ"),
];

/// Capitals and seats of government used for their country ("Moscow and Minsk").
const CAPITALS: &[(&str, &str)] = &[
    ("Moscow", "RUS"),
    ("Minsk", "BLR"),
    ("Astana", "KAZ"),
    ("Nur-Sultan", "KAZ"),
    ("Bishkek", "KGZ"),
    ("Tashkent", "UZB"),
    ("Yerevan", "ARM"),
    ("Tbilisi", "GEO"),
    ("Baku", "AZE"),
    ("Dushanbe", "TJK"),
    ("Ashgabat", "TKM"),
    ("Chisinau", "MDA"),
    ("Beijing", "CHN"),
    ("Ankara", "TUR"),
    ("Berlin", "DEU"),
    ("Brussels", "EU27"),
    ("Washington", "USA"),
    ("Kyiv", "UKR"),
    ("Kiev", "UKR"),
    ("Tehran", "IRN"),
    ("New Delhi", "IND"),
    // Not capitals, but named for the country the same way ("Dubai's external trade").
    ("Dubai", "ARE"),
    ("Abu Dhabi", "ARE"),
];

/// Bloc names; "CIS member states", "EAEU countries" and the like are matched by the suffix rule.
const GROUPS: &[(&str, &str)] = &[
    ("Commonwealth of Independent States", "CIS"),
    ("the Commonwealth", "CIS"),
    ("CIS", "CIS"),
    ("Eurasian Economic Union", "EAEU"),
    ("Eurasian Union", "EAEU"),
    ("EAEU", "EAEU"),
    ("EAEU", "EAEU"),
    ("EEU", "EAEU"),
    ("EAES", "EAEU"),
    ("Central Asian", "CA5"),
    ("Central Asia", "CA5"),
    ("South Caucasus", "SOUTH_CAUCASUS"),
    ("European Union", "EU27"),
    ("EU27", "EU27"),
    ("EU-27", "EU27"),
    ("EU", "EU27"),
    ("E.U.", "EU27"),
    ("the bloc", "EU27"),
    ("the union", "EU27"),
    ("the Emirates", "ARE"),
    ("Group of Seven", "G7"),
    ("G7", "G7"),
    ("Collective Security Treaty Organization", "CSTO"),
    ("CSTO", "CSTO"),
];

/// Single-word country names that are ordinary English words in lower case: matched only capitalised.
const CASE_SENSITIVE_NAMES: &[&str] = &[
    "Chad", "Jordan", "Turkey", "Guinea", "Niger", "China", "Georgia", "Cuba", "Oman", "Mali",
    "Peru", "Togo", "Monaco", "Panama", "Malta", "Jersey", "Iran",
];

pub struct Gazetteer {
    pub re: Regex,
    /// Phrase (lower case) -> (code, kind).
    pub map: HashMap<String, (String, MentionKind)>,
    /// Single-word country names (lower case) for typo matching.
    pub single_words: Vec<(String, String)>,
}

pub fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(build)
}

fn build() -> Gazetteer {
    let mut map: HashMap<String, (String, MentionKind)> = HashMap::new();
    let mut phrases: Vec<(String, bool)> = Vec::new(); // (phrase, case-insensitive)
    let mut add = |phrase: &str, code: &str, kind: MentionKind, ci: bool| {
        let key = phrase.to_lowercase();
        if map.contains_key(&key) {
            return;
        }
        map.insert(key, (code.to_string(), kind));
        phrases.push((phrase.to_string(), ci));
    };
    for &(p, c) in GROUPS {
        // Acronyms must be written in capitals ("cis" is not the CIS).
        let acronym = p.chars().all(|ch| !ch.is_lowercase());
        add(p, c, MentionKind::Group, !acronym);
    }
    for &(p, c) in ADJECTIVES {
        add(p, c, MentionKind::Adjective, false);
    }
    for &(p, c) in TRANSLITERATIONS {
        add(p, c, MentionKind::Name, true);
    }
    for &(p, c) in CAPITALS {
        add(p, c, MentionKind::Capital, false);
    }
    let countries = Countries::global();
    let plain = |n: &str| {
        n.chars()
            .all(|ch| ch.is_alphabetic() || ch == ' ' || ch == '-' || ch == '\'' || ch == '.')
            && n.chars().next().is_some_and(char::is_uppercase)
    };
    let mut single_words = Vec::new();
    for rec in csv::Reader::from_reader(ALIASES_CSV.as_bytes())
        .records()
        .flatten()
    {
        let (Some(alias), Some(code)) = (rec.get(0), rec.get(1)) else {
            continue;
        };
        if alias.is_ascii() && plain(alias) && alias.len() > 3 {
            add(
                alias,
                code,
                MentionKind::Name,
                !CASE_SENSITIVE_NAMES.contains(&alias),
            );
        } else if alias.is_ascii() && plain(alias) {
            add(alias, code, MentionKind::Name, false);
        }
    }
    for area in countries.all() {
        if area.kind != AreaKind::Country || !area.name.is_ascii() || !plain(&area.name) {
            continue;
        }
        let n = area.name.as_str();
        add(
            n,
            &area.code,
            MentionKind::Name,
            !CASE_SENSITIVE_NAMES.contains(&n),
        );
        if !n.contains(' ') && n.len() >= 6 {
            single_words.push((n.to_lowercase(), area.code.clone()));
        }
    }
    // Longest first so that "South Korean" wins over "Korean", "Central Asian" over "Central Asia".
    phrases.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let alts: Vec<String> = phrases
        .iter()
        .map(|(p, ci)| {
            let e = regex::escape(p).replace("\\ ", r"\s+").replace(' ', r"\s+");
            if *ci { format!("(?i:{e})") } else { e }
        })
        .collect();
    let re = Regex::new(&format!(r"\b(?:{})\b", alts.join("|"))).expect("valid gazetteer regex");
    Gazetteer {
        re,
        map,
        single_words,
    }
}

/// A party named in a text.
#[derive(Debug, Clone)]
pub struct PartyMention {
    pub start: usize,
    pub end: usize,
    pub code: String,
    pub kind: MentionKind,
}

/// Every country or bloc named in `s` (byte offsets into `s`).
pub fn find_parties(s: &str) -> Vec<PartyMention> {
    let g = gazetteer();
    let mut out: Vec<PartyMention> = Vec::new();
    for m in g.re.find_iter(s) {
        let key = m
            .as_str()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if let Some((code, kind)) = g.map.get(&key) {
            // "the Arab world", "the Western world": a region, not the world.
            if code == "WLD" {
                let b = s[..m.start()].trim_end().to_lowercase();
                if [
                    "arab",
                    "muslim",
                    "islamic",
                    "western",
                    "developing",
                    "english-speaking",
                ]
                .iter()
                .any(|w| b.ends_with(w))
                {
                    continue;
                }
            }
            out.push(PartyMention {
                start: m.start(),
                end: m.end(),
                code: code.clone(),
                kind: *kind,
            });
        }
    }
    // Near-misses of long single-word names: "Kyrgystan", "Uzbeksitan".
    let words = regex_words();
    for w in words.find_iter(s) {
        if out.iter().any(|p| p.start <= w.start() && w.end() <= p.end) {
            continue;
        }
        let lw = w.as_str().to_lowercase();
        if lw.len() < 7 || !w.as_str().starts_with(char::is_uppercase) {
            continue;
        }
        // "David Cameron": a capitalised word after a first name is a surname, not a misspelt
        // country (but "… and Kyrgystan" still is one).
        let prev_word = s[..w.start()].split_whitespace().next_back().unwrap_or("");
        if prev_word.len() > 1
            && prev_word.chars().all(char::is_alphabetic)
            && prev_word.starts_with(char::is_uppercase)
            && !["The", "In", "And", "For", "To", "With", "From", "Between"].contains(&prev_word)
        {
            continue;
        }
        if let Some(code) = near_miss(&g.single_words, lw) {
            out.push(PartyMention {
                start: w.start(),
                end: w.end(),
                code,
                kind: MentionKind::Name,
            });
        }
    }
    out.sort_by_key(|p| p.start);
    out
}

/// The single-word name that a word misspells (one edit, two from nine letters), remembered per
/// word: a long text repeats its words.
fn near_miss(names: &[(String, String)], lw: String) -> Option<String> {
    thread_local! {
        static SEEN: std::cell::RefCell<HashMap<String, Option<String>>> = Default::default();
    }
    if let Some(hit) = SEEN.with_borrow(|m| m.get(&lw).cloned()) {
        return hit;
    }
    let limit = if lw.len() >= 9 { 2 } else { 1 };
    let code = names
        .iter()
        .find(|(n, _)| n.len().abs_diff(lw.len()) <= limit && edit_distance(n, &lw) <= limit)
        .map(|(_, code)| code.clone());
    SEEN.with_borrow_mut(|m| {
        // Bounded: an adversarial text of distinct words must not grow it without end.
        if m.len() > 100_000 {
            m.clear();
        }
        m.insert(lw, code.clone())
    });
    code
}

fn regex_words() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\b[A-Za-z]+\b").expect("valid regex"))
}

/// Optimal string alignment distance (Levenshtein with adjacent transpositions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Heads of state and government who speak of these countries' trade, by surname (with the
/// spellings news uses): the country a speaker stands for ("Erdogan said … between the two
/// countries").
const LEADERS: &[(&str, &str)] = &[
    ("Putin", "RUS"),
    ("Medvedev", "RUS"),
    ("Mishustin", "RUS"),
    ("Lavrov", "RUS"),
    ("Erdogan", "TUR"),
    ("Erdoğan", "TUR"),
    ("Tokayev", "KAZ"),
    ("Nazarbayev", "KAZ"),
    ("Lukashenko", "BLR"),
    ("Mirziyoyev", "UZB"),
    ("Pashinyan", "ARM"),
    ("Japarov", "KGZ"),
    ("Zhaparov", "KGZ"),
    ("Jeenbekov", "KGZ"),
    ("Rahmon", "TJK"),
    ("Aliyev", "AZE"),
    ("Berdimuhamedov", "TKM"),
    ("Xi Jinping", "CHN"),
    ("Modi", "IND"),
    ("Scholz", "DEU"),
    ("Merkel", "DEU"),
    ("Macron", "FRA"),
];

/// The country whose leader an attribution names ("Präsident Recep Tayyip Erdogan" → TUR).
pub fn leader_country(name: &str) -> Option<&'static str> {
    LEADERS.iter().find_map(|(n, code)| {
        name.match_indices(n)
            .any(|(i, _)| {
                let before = name[..i].chars().next_back();
                let after = name[i + n.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
            .then_some(*code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &str) -> Vec<String> {
        find_parties(s).into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn names_adjectives_capitals_groups_typos() {
        assert_eq!(codes("trade between Russia and Kazakhstan"), ["RUS", "KAZ"]);
        assert_eq!(codes("Russian-Kazakh trade"), ["RUS", "KAZ"]);
        assert_eq!(codes("Moscow and Minsk"), ["RUS", "BLR"]);
        assert_eq!(codes("CIS member states and the EAEU"), ["CIS", "EAEU"]);
        assert_eq!(codes("the Kyrgyz Republic and Kyrgystan"), ["KGZ", "KGZ"]);
        assert_eq!(codes("Central Asian countries"), ["CA5"]);
        assert_eq!(
            codes("the cis of it; turkey sandwiches"),
            Vec::<String>::new()
        );
        assert_eq!(codes("EU exports to Uzbekistan"), ["EU27", "UZB"]);
        assert_eq!(
            codes("Rossiya and Tadzhikistan, Qazaqstan"),
            ["RUS", "TJK", "KAZ"]
        );
    }
}

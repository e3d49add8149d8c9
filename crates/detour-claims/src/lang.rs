//! German and Russian texts: the language of a text, and each sentence read in the reader's
//! English terms.
//!
//! The claim reader's patterns are English. A German or Russian sentence is first rewritten word
//! by word into the English forms those patterns know — numbers with a decimal comma ("1,5" →
//! "1.5"), scale and currency words ("Mrd." / "млрд" → "billion", "долларов" → "dollars"), months
//! in every case ("января" → "January"), country names in every case ("Казахстаном" →
//! "Kazakhstan"), flows ("Ausfuhren", "товарооборот"), change verbs, periods ("im Vorjahr",
//! "по итогам 2022 года"), qualifiers and speech verbs. The rewrite is a gloss for the reader,
//! not a translation: word order stays, so the reader also looks for a change verb anywhere in
//! the clause when a rate stands alone ("um 37,4 Prozent … zurück"). Claims keep the original
//! sentence.

use std::sync::OnceLock;

use regex::Regex;

/// A language the reader handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
    Ru,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Ru => "ru",
        }
    }
}

const EN_WORDS: &[&str] = &[
    "the", "of", "and", "in", "to", "a", "is", "was", "with", "for", "that", "by", "on", "from",
    "its", "has", "it", "as", "at", "an", "are", "were", "said", "between", "this",
];
const DE_WORDS: &[&str] = &[
    "der",
    "die",
    "das",
    "und",
    "nach",
    "von",
    "mit",
    "im",
    "ist",
    "wurde",
    "wurden",
    "auf",
    "den",
    "dem",
    "des",
    "für",
    "sich",
    "zu",
    "ein",
    "eine",
    "einem",
    "einen",
    "um",
    "bis",
    "zum",
    "zur",
    "sind",
    "war",
    "waren",
    "hat",
    "wie",
    "aus",
    "gegenüber",
    "noch",
    "nur",
    "auch",
    "zwischen",
];

const OTHER_WORDS: &[(&str, &[&str])] = &[
    (
        "French",
        &[
            "le", "la", "les", "des", "du", "et", "est", "une", "pour", "dans", "avec", "sur",
            "par", "au", "aux", "qui", "selon", "été", "entre",
        ],
    ),
    (
        "Italian",
        &[
            "il", "gli", "della", "delle", "dei", "nel", "nella", "con", "per", "che", "è", "una",
            "tra", "sono", "degli", "ha", "di",
        ],
    ),
    (
        "Spanish",
        &[
            "el", "los", "las", "del", "y", "es", "una", "para", "con", "por", "según", "fue",
            "entre",
        ],
    ),
    (
        "Polish",
        &[
            "w", "z", "na", "do", "się", "że", "jest", "od", "oraz", "przez", "dla", "roku",
        ],
    ),
];

/// The language of a text: English, German or Russian; `Err` describes any other.
pub fn detect(text: &str) -> Result<Lang, String> {
    let (mut latin, mut cyrillic, mut other) = (0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
            latin += 1;
        } else if ('\u{0400}'..='\u{04FF}').contains(&c) {
            cyrillic += 1;
        } else {
            other += 1;
        }
    }
    let letters = latin + cyrillic + other;
    if letters == 0 {
        return Err("no text (no letters)".into());
    }
    if latin * 2 < letters {
        if cyrillic >= other {
            // Russian, not Ukrainian, Belarusian, Kazakh or Kyrgyz in Cyrillic: their own letters.
            let foreign = text
                .chars()
                .filter(|c| "іїєґўәғқңөұүһІЇЄҐЎӘҒҚҢӨҰҮҺ".contains(*c))
                .count();
            if foreign * 50 > cyrillic {
                return Err("a Cyrillic language other than Russian".into());
            }
            return Ok(Lang::Ru);
        }
        return Err("a language in a non-Latin script".into());
    }
    // One pass over the words, each looked up once: list 0 English, 1 German, 2… the others.
    static LISTS: std::sync::OnceLock<std::collections::HashMap<&'static str, Vec<usize>>> =
        std::sync::OnceLock::new();
    let lists = LISTS.get_or_init(|| {
        let mut m: std::collections::HashMap<&'static str, Vec<usize>> = Default::default();
        let all = [EN_WORDS, DE_WORDS]
            .into_iter()
            .chain(OTHER_WORDS.iter().map(|(_, l)| *l));
        for (k, list) in all.enumerate() {
            for w in list {
                m.entry(*w).or_default().push(k);
            }
        }
        m
    });
    let mut counts = vec![0usize; 2 + OTHER_WORDS.len()];
    let mut n_words = 0usize;
    let mut lower = String::new();
    for w in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        n_words += 1;
        lower.clear();
        lower.extend(w.chars().flat_map(char::to_lowercase));
        if let Some(ks) = lists.get(lower.as_str()) {
            for &k in ks {
                counts[k] += 1;
            }
        }
    }
    let (en, de) = (counts[0], counts[1]);
    if de > en && de * 12 >= n_words {
        return Ok(Lang::De);
    }
    // Other Latin-script languages, by their own commonest words.
    for (i, (name, _)) in OTHER_WORDS.iter().enumerate() {
        let n = counts[2 + i];
        if n >= 3 && n > en {
            return Err(format!("{name}, not English, German or Russian"));
        }
    }
    if n_words >= 12 && en * 25 < n_words {
        return Err("a language other than English, German or Russian".into());
    }
    Ok(Lang::En)
}

fn rules(src: &[(&str, &str)]) -> Vec<(Regex, String)> {
    src.iter()
        .map(|(p, r)| {
            (
                Regex::new(&format!("(?i){p}")).expect("valid gloss pattern"),
                r.to_string(),
            )
        })
        .collect()
}

/// German → the reader's English, in order (earlier rules see the original words).
const DE: &[(&str, &str)] = &[
    // Numbers: thousands dots, then decimal commas.
    (r"(\d)\.(\d{3})\b", "$1$2"),
    (r"(\d),(\d)", "$1.$2"),
    (r",\s+(?:während|wobei)\s+", ", while "),
    // "Kirgisistan war … Handelspartner": the verb (the noun is "Krieg"), not the English war.
    (r"\bwar\b", "was"),
    (r"\bwaren\b", "were"),
    (r"\bzwei\b", "two"),
    (r"\bdrei\b", "three"),
    (r"\bvier\b", "four"),
    (r"\bfünf\b", "five"),
    (r"\bsechs\b", "six"),
    (r"\bzehn\b", "ten"),
    (r"\beine?\s+(Milliarde|Million)\b", "one $1"),
    (r"\bBillionen\b|\bBillion\b", "trillion"),
    (r"\bMilliarden\b|\bMilliarde\b|\bMrd\b\.?", "billion"),
    (r"\bMillionen\b|\bMillion\b|\bMio\b\.?", "million"),
    (r"\bTausend\b|\bTsd\b\.?", "thousand"),
    (r"\bUS-Dollar\b|\bDollar\b", "dollars"),
    (r"\bEuro\b", "euros"),
    (r"\bRubel\b", "roubles"),
    (r"\b(billion|million|trillion|thousand)\s*\$", "$1 dollars"),
    (r"\b(billion|million|trillion|thousand)\s*€", "$1 euros"),
    (r"\bProzent\b", "percent"),
    (r"(\d)\s+%", "$1%"),
    // Periods.
    (r"\bJanuar\b", "January"),
    (r"\bFebruar\b", "February"),
    (r"\bMärz\b", "March"),
    (r"\bMai\b", "May"),
    (r"\bJuni\b", "June"),
    (r"\bJuli\b", "July"),
    (r"\bOktober\b", "October"),
    (r"\bDezember\b", "December"),
    (
        r"\bvon\s+(January|February|March|April|May|June|July|August|September|October|November|December)\s+bis\s+(?:einschließlich\s+)?",
        "from $1 to ",
    ),
    (
        r"\bim\s+(?:gleichen|selben)\s+Zeitraum\b",
        "in the same period",
    ),
    (
        r"\b(?:verglichen mit|gegenüber|im Vergleich zu(?:m)?)\s+(?:dem\s+)?(?:demselben|dem gleichen|dem selben)\s+Zeitraum(?:\s+des\s+Vorjahres)?",
        "compared with the same period of",
    ),
    (
        r"\b(?:gegenüber|verglichen mit|im Vergleich zum)\s+(?:dem\s+)?Vorjahresmonat\b|\bim Vorjahresvergleich\b|\bim Jahresvergleich\b|\bbinnen Jahresfrist\b|\bgegenüber dem Vorjahr\b|\bim Vergleich zum Vorjahr\b",
        "year-on-year",
    ),
    (
        r"\bim Monatsvergleich\b|\bgegenüber dem Vormonat\b|\bim Vergleich zum Vormonat\b",
        "month-on-month",
    ),
    (
        r"\b(?:gegenüber|verglichen mit|im Vergleich zu)\s+((?:19|20)\d\d)\b",
        "compared with $1",
    ),
    (r"\bim\s+Jahr(?:e)?\s+((?:19|20)\d\d)\b", "in $1"),
    (r"\bfür\s+((?:19|20)\d\d)\b", "in $1"),
    (
        r"\bim vergangenen Jahr\b|\bim Vorjahr\b|\bletzten Jahres\b|\bvergangenen Jahres\b|\bdes Vorjahres\b",
        "last year",
    ),
    (
        r"\bdieses Jahres\b|\bdes laufenden Jahres\b|\bin diesem Jahr\b|\bim laufenden Jahr\b",
        "this year",
    ),
    (
        r"\bim Jahresverlauf\b|\bim Laufe des Jahres\b",
        "over the year",
    ),
    (
        r"\bzum Jahresende\b|\bam Jahresende\b|\bEnde des Jahres\b",
        "at the end of the year",
    ),
    (
        r"\b(?:im|in der)\s+ersten\s+(?:Halbjahr|Jahreshälfte)\b",
        "in the first half",
    ),
    (
        r"\b(?:im|in der)\s+zweiten\s+(?:Halbjahr|Jahreshälfte)\b",
        "in the second half",
    ),
    (r"\bim\s+ersten\s+Quartal\b", "in the first quarter"),
    (
        r"\b(?:am Ende des\s+|im\s+)?Geschäftsjahr(?:es|s)?\s+((?:19|20)\d\d)\b",
        "in $1",
    ),
    (r"\bim\s+zweiten\s+Quartal\b", "in the second quarter"),
    (r"\bim\s+dritten\s+Quartal\b", "in the third quarter"),
    (r"\bim\s+vierten\s+Quartal\b", "in the fourth quarter"),
    (r"\bin den ersten (\w+) Monaten\b", "in the first $1 months"),
    (
        r"\bim\s+(January|February|March|April|May|June|July|August|September|October|November|December)\b",
        "in $1",
    ),
    // Flows.
    (
        r"\bHandelsbilanzüberschuss\b|\bHandelsüberschuss\b|\bÜberschuss\b",
        "trade surplus",
    ),
    (
        r"\bHandelsbilanzdefizit\b|\bHandelsdefizit\b|\bDefizit\b",
        "trade deficit",
    ),
    (
        r"\b(?:Gesamthandel|Handelsumsatz|Handelsvolumen|Warenumsatz|Warenaustausch|Außenhandelsumsatz|Außenhandel|Warenverkehr\w*|Handel)\b",
        "trade",
    ),
    (
        r"\b(?:Exporterlöse|Exportvolumen|Exporten|Exporte|Ausfuhren|Export|Ausfuhr|Lieferungen)\b",
        "exports",
    ),
    (
        r"\b(?:exportierten|exportierte|exportiert|exportieren)\b",
        "exported",
    ),
    (
        r"\b(?:Importen|Importe|Einfuhren|Import|Einfuhr)\b",
        "imports",
    ),
    (
        r"\b(?:importierten|importierte|importiert|importieren)\b",
        "imported",
    ),
    // Change.
    (
        r"\bein Plus von\b|\bein Anstieg um\b|\bein Zuwachs von\b",
        "an increase of",
    ),
    (r"\bein Minus von\b|\bein Rückgang um\b", "a decline of"),
    (
        r"\b(?:stiegen|stieg|gestiegen|wuchsen|wuchs|gewachsen|zugenommen|nahmen|nahm|erhöhten|erhöhte|erhöht|legten|legte|zugelegt)\b",
        "rose",
    ),
    (
        r"\b(?:sanken|sank|gesunken|fielen|fiel|gefallen|gingen|ging|zurückgegangen|zurückging|zurückgingen|eingebrochen|brachen|brach|schrumpften|schrumpfte|geschrumpft|stürzten|stürzte|verringerte|verringerten|sinken)\b",
        "fell",
    ),
    (r"\b(?:Anstieg|Zuwachs|Plus|Wachstum)\b", "increase"),
    (r"\b(?:Rückgang|Minus|Einbruch)\b", "decline"),
    (r"\bum ein Drittel\b", "by a third"),
    (r"\bum ein Viertel\b", "by a quarter"),
    (r"\bum die Hälfte\b", "by half"),
    (r"\bum\b", "by"),
    (r"\bdas Doppelte\b|\bverdoppelt\b", "doubled"),
    (
        r"\b(\d+(?:\.\d+)?)-mal\b|\b(\d+(?:\.\d+)?)\s+mal\b",
        "$1$2 times",
    ),
    // Qualifiers and the value's preposition.
    (r"\bmehr als\b|\büber\b", "more than"),
    (r"\bknapp\b|\bfast\b|\bbeinahe\b", "almost"),
    (
        r"\brund\b|\betwa\b|\bcirca\b|\bca\.\s|\bauf dem Niveau von\b",
        "about ",
    ),
    (r"\bim Wert von\b", "worth"),
    (r"\bauf\b", "to"),
    // Forecasts, records.
    (
        r"\b(?:soll|sollen|dürfte|dürften|werde|werden|wird)\b",
        "will",
    ),
    (r"\b(?:erwartet|prognostiziert|Prognose)\b", "expected"),
    (
        r"\bRekordwert\b|\bRekordniveau\b|\bRekord\b|\bnoch nie dagewesene\w*",
        "record",
    ),
    // Parties.
    (r"\bRussische\w*\s+Föderation\b|\bRusslands?\b", "Russia"),
    (r"\bKasachstans?\b", "Kazakhstan"),
    (
        r"\bKirgisistans?\b|\bKirgistans?\b|\bKirgisiens?\b",
        "Kyrgyzstan",
    ),
    (r"\bUsbekistans?\b", "Uzbekistan"),
    (r"\bArmeniens?\b", "Armenia"),
    (r"\bGeorgiens?\b", "Georgia"),
    (r"\bWeißrusslands?\b|\bBelarus'?\b", "Belarus"),
    (r"\bAserbaidschans?\b", "Azerbaijan"),
    (r"\bTadschikistans?\b", "Tajikistan"),
    (r"\bTurkmenistans?\b", "Turkmenistan"),
    (r"\bChinas\b", "China"),
    (r"\bTürkei\b", "Turkey"),
    (r"\bIndiens?\b", "India"),
    (r"\bDeutschlands?\b|\bBundesrepublik\b", "Germany"),
    (r"\bFrankreichs?\b", "France"),
    (r"\bItaliens?\b", "Italy"),
    (r"\bPolens?\b", "Poland"),
    (
        r"\bVereinigten Staaten\b|\bVereinigte Staaten\b",
        "United States",
    ),
    (
        r"\bVereinigten Königreichs\b|\bVereinigte Königreich\b|\bGroßbritanniens?\b",
        "United Kingdom",
    ),
    (r"\bEuropäische\w*\s+Union\b", "European Union"),
    (r"\bGUS-Ländern\b|\bGUS-Staaten\b|\bGUS\b", "CIS"),
    (
        r"\bbeiden Ländern\b|\bbeiden Staaten\b",
        "the two countries",
    ),
    (r"\bdeutsche\w*\b", "German"),
    (r"\brussische\w*\b", "Russian"),
    (r"\bchinesische\w*\b", "Chinese"),
    (r"\bkasachische\w*\b", "Kazakh"),
    (r"\bkirgisische\w*\b", "Kyrgyz"),
    (r"\beuropäische\w*\b", "European"),
    (r"\bzwischen\b", "between"),
    (r"\bnach\b", "to"),
    (r"\bin die\b", "to the"),
    (r"\baus dem\b|\baus der\b|\baus\b", "from"),
    (r"\bmit\b", "with"),
    (r"\bund\b", "and"),
    // Who says so.
    (
        r"\bdes Statistischen Bundesamtes\b|\bdas Statistische Bundesamt\b|\bdas Statistikamt\b|\bStatistische Bundesamt\b",
        "Statistisches Bundesamt",
    ),
    (r"\b(?:teilte|teilten)\s+(.{0,80}?)\s+mit\b", "said $1"),
    (
        r"\b(?:mitteilte|mitteilt|sagte|sagten|erklärte|erklärten|berichtete|berichteten|betonte|meldete|meldeten)\b",
        "said",
    ),
    (r"\blaut\b|\bnach Angaben\b|\bzufolge\b", "according to"),
    (
        r"\bdiese Zahl\b|\bdieser Wert\b|\bdiese Summe\b|\bdas Volumen\b",
        "this figure",
    ),
    (r"\bdamals\b", "then"),
    // A bare year in German word order: "2017 wuchs …", "fielen 2022 um …".
    (r"^((?:19|20)\d\d)\b", "in $1"),
    (
        r"\bbetrugen\b|\bbetrug\b|\bbeliefen sich\b|\bbelief sich\b",
        "amounted",
    ),
    (r"\berreichten\b|\berreichte\b", "reached"),
    // After the verbs are glossed: a bare year after one ("beliefen sich 2023 auf …").
    (
        r"\b(fell|rose|exported|imported|amounted|reached)\s+((?:19|20)\d\d)\b",
        "$1 in $2",
    ),
];

/// Russian → the reader's English.
const RU: &[(&str, &str)] = &[
    (r"(\d),(\d)", "$1.$2"),
    (r"(\d)\s+%", "$1%"),
    (r",\s+а\s+", ", while "),
    (r"\bдвадцать\b", "twenty"),
    (r"\bтридцать\b", "thirty"),
    (r"\bдесять\b", "ten"),
    (r"\bпять\b", "five"),
    (r"\bтри\b", "three"),
    (r"\bдва\b", "two"),
    (r"\bмлрд\b\.?|\bмиллиард\w*", "billion"),
    (r"\bмлн\b\.?|\bмиллион\w*", "million"),
    (r"\bтрлн\b\.?|\bтриллион\w*", "trillion"),
    (r"\bтыс\b\.?|\bтысяч\w*", "thousand"),
    (r"\bдоллар\w*(?:\s+США)?", "dollars"),
    (r"\bевро\b", "euros"),
    (r"\bрубл\w*", "roubles"),
    (r"\bюан\w*", "yuan"),
    (r"\bпроцент\w*", "percent"),
    // Periods.
    (r"\bянвар\w*", "January"),
    (r"\bфеврал\w*", "February"),
    (r"\bмарт\w*", "March"),
    (r"\bапрел\w*", "April"),
    (r"\bма[йяе]\b", "May"),
    (r"\bиюн\w*", "June"),
    (r"\bиюл\w*", "July"),
    (r"\bавгуст\w*", "August"),
    (r"\bсентябр\w*", "September"),
    (r"\bоктябр\w*", "October"),
    (r"\bноябр\w*", "November"),
    (r"\bдекабр\w*", "December"),
    (
        r"\b(?:в|за)\s+(January|February|March|April|May|June|July|August|September|October|November|December)\s*[-–—]\s*(January|February|March|April|May|June|July|August|September|October|November|December)\b",
        "in $1-$2",
    ),
    (
        r"\bс\s+(January|February|March|April|May|June|July|August|September|October|November|December)\s+по\s+",
        "from $1 to ",
    ),
    (
        r"\bпо сравнению с аналогичным периодом (?:прошлого|предыдущего) года\b|\bв годовом исчислении\b|\bв годовом выражении\b|\bгод к году\b",
        "year-on-year",
    ),
    (
        r"\bпо сравнению с\s+((?:19|20)\d\d)\s+год\w*",
        "compared with $1",
    ),
    (
        r"\bпоказател\w+\s+((?:19|20)\d\d)\s+год\w*",
        "compared with $1",
    ),
    (
        r"\b(?:в|за|по итогам|на конец|в течение)\s+((?:19|20)\d\d)\s*(?:год\w*|г\.)",
        "in $1",
    ),
    (r"\b((?:19|20)\d\d)\s+год\w*", "in $1"),
    (
        r"\b(?:в прошлом году|за весь прошлый год|весь прошлый год|за прошлый год|по итогам прошлого года|прошлого года|в минувшем году|за минувший год)\b",
        "last year",
    ),
    (
        r"\b(?:в этом году|в текущем году|текущего года|этого года|с начала года)\b",
        "this year",
    ),
    (
        r"\b(?:в|за)\s+перв\w+\s+(?:полугоди\w*|половин\w*)",
        "in the first half",
    ),
    (r"\b(?:в|за)\s+перв\w+\s+квартал\w*", "in the first quarter"),
    (
        r"\b(?:во|в|за)\s+втор\w+\s+квартал\w*",
        "in the second quarter",
    ),
    (
        r"\b(?:в|за)\s+треть\w+\s+квартал\w*",
        "in the third quarter",
    ),
    (
        r"\b(?:в|за)\s+четв[её]рт\w+\s+квартал\w*",
        "in the fourth quarter",
    ),
    (
        r"\b(?:во|в|за)\s+втор\w+\s+(?:полугоди\w*|половин\w*)",
        "in the second half",
    ),
    (
        r"\b(?:в|за|по итогам)\s+(?:перв\w+\s+)?(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven)\s+месяц\w*",
        "in the first $1 months",
    ),
    (
        r"\b(?:в|за)\s+(January|February|March|April|May|June|July|August|September|October|November|December)\b",
        "in $1",
    ),
    // Flows.
    (r"\bпрофицит\w*|\bположительн\w+ сальдо\b", "trade surplus"),
    (r"\bдефицит\w*", "trade deficit"),
    (
        r"\b(?:взаимн\w+|двусторонн\w+|общ\w+)\s+товарооборот\w*|\bтоварооборот\w*|\bторгов\w+\s+оборот\w*|\bвзаимн\w+\s+торговл\w*|\bобъем\w*\s+торговл\w*|\bторговл\w*",
        "trade turnover",
    ),
    (r"\bэкспорт\w*|\bпоставк\w*|\bвывоз\w*", "exports"),
    (r"\bимпорт\w*|\bввоз\w*", "imports"),
    // Change.
    (
        r"\b(?:вырос\w*|увеличил\w*|увеличит\w*|возрос\w*|прибавил\w*|подскочил\w*)",
        "rose",
    ),
    (
        r"\b(?:снизил\w*|сократил\w*|упал\w*|уменьшил\w*|потерял\w*|опустил\w*)",
        "fell",
    ),
    (r"\b(?:рост\w*|прирост\w*|увеличени\w*)", "increase"),
    (
        r"\b(?:снижени\w*|сокращени\w*|падени\w*|уменьшени\w*)",
        "decline",
    ),
    (r"\bвдвое\b|\bв два раза\b", "twice as much"),
    (r"\bв\s+(\d+(?:\.\d+)?)\s+раз\w*", "$1 times"),
    (r"\bна\s+(\d)", "by $1"),
    // Qualifiers.
    (
        r"\bболее чем\b|\bболее\b|\bсвыше\b|\bбольше\b|\bс лишним\b",
        "more than",
    ),
    (r"\bпревысил\w*|\bпревышает\b|\bпревысит\b", "exceeded"),
    (
        r"\bпочти\b|\bоколо\b|\bпорядка\b|\bпримерно\b|\bприблизительно\b",
        "about",
    ),
    (
        r"\bсоставил\w*|\bсоставляет\b|\bсоставлял\w*",
        "amounted to",
    ),
    (r"\bдостиг\w*|\bвыш\w+ на\b", "reached"),
    (r"\bдо\b", "to"),
    // Forecasts, records.
    (
        r"\bможет\b|\bмогут\b|\bсможет\b|\bдоведут\b|\bдовести\b|\bпланиру\w*|\bожида\w*|\bпрогноз\w*|\bцел\w+ является\b",
        "expected to",
    ),
    (r"\bрекорд\w*", "record"),
    // Parties.
    (
        r"\bРоссийской Федераци\w*|\bРоссийская Федерация\b|\bРосси[яиюей]\b|\bРФ\b",
        "Russia",
    ),
    (r"\bКазахстан\w*", "Kazakhstan"),
    (
        r"\bКиргизи\w*|\bКыргызстан\w*|\bКиргизстан\w*|\bКыргызской Республик\w*",
        "Kyrgyzstan",
    ),
    (r"\bУзбекистан\w*", "Uzbekistan"),
    (r"\bАрмени\w*", "Armenia"),
    (r"\bГрузи\w*", "Georgia"),
    (r"\bБелорусси\w*|\bБеларус\w*", "Belarus"),
    (r"\bАзербайджан\w*", "Azerbaijan"),
    (r"\bТаджикистан\w*", "Tajikistan"),
    (r"\bТуркмени\w*", "Turkmenistan"),
    (r"\bКита\w*|\bКНР\b", "China"),
    (r"\bТурци\w*", "Turkey"),
    (r"\bИран\w*", "Iran"),
    (r"\bИнди\w*", "India"),
    (r"\bГермани\w*", "Germany"),
    (r"\bЕвросоюз\w*|\bЕвропейск\w+ союз\w*|\bЕС\b", "EU"),
    (r"\bЕАЭС\b|\bЕвразийск\w+ экономическ\w+ союз\w*", "EAEU"),
    (r"\bСНГ\b", "CIS"),
    (r"\bСША\b|\bСоединенн\w+ Штат\w*", "United States"),
    (r"\bОАЭ\b", "United Arab Emirates"),
    (
        r"\b(?:наш\w+|дв\w+|обеих)\s+стран\w*|\bдвух стран\b",
        "the two countries",
    ),
    (
        r"\bроссийско-(киргизск|кыргызск|казахстанск|узбекск|китайск|белорусск)\w*",
        "Russian-$1",
    ),
    (r"\bRussian-(?:киргизск|кыргызск)\b", "Russian-Kyrgyz"),
    (r"\bRussian-казахстанск\b", "Russian-Kazakh"),
    (r"\bRussian-узбекск\b", "Russian-Uzbek"),
    (r"\bRussian-китайск\b", "Russian-Chinese"),
    (r"\bRussian-белорусск\b", "Russian-Belarusian"),
    (r"\bроссийск\w*", "Russian"),
    (r"\bказахстанск\w*|\bказахск\w*", "Kazakh"),
    (r"\bкиргизск\w*|\bкыргызск\w*", "Kyrgyz"),
    (r"\bузбекск\w*", "Uzbek"),
    (r"\bбелорусск\w*", "Belarusian"),
    (r"\bкитайск\w*", "Chinese"),
    (r"\bмежду\b", "between"),
    (r"\bиз\b", "from"),
    (r"\bи\b", "and"),
    (r"\bс\b", "with"),
    // Who says so.
    (
        r"\bзаявил\w*|\bсообщил\w*|\bотметил\w*|\bсказал\w*|\bподчеркнул\w*|\bрассказал\w*|\bговорится\b",
        "said",
    ),
    (
        r"\bпо данным\b|\bсогласно\b|\bпо информации\b",
        "according to",
    ),
    (r"\bэтот показатель\b|\bданный показатель\b", "this figure"),
    (r"^\s*(?:\W\s*)?(?:он|она|оно)\b", "it"),
    (r"\b(?:он|она|оно)\s+(rose|fell|reached|amounted)", "it $1"),
    (r"\bнемецк\w*", "German"),
    (r"\bфранцузск\w*", "French"),
    (r"\bевропейск\w*", "European"),
    (r"\bодного\b|\bодин\b|\bодна\b", "one"),
    (r"\bна треть\b", "by a third"),
    (r"\bстранами\b", "the two countries"),
];

/// The sentence in the reader's English forms.
pub fn gloss(sentence: &str, lang: Lang) -> String {
    static DE_RULES: OnceLock<Vec<(Regex, String)>> = OnceLock::new();
    static RU_RULES: OnceLock<Vec<(Regex, String)>> = OnceLock::new();
    let rs = match lang {
        Lang::En => return sentence.to_string(),
        Lang::De => DE_RULES.get_or_init(|| rules(DE)),
        Lang::Ru => RU_RULES.get_or_init(|| rules(RU)),
    };
    let mut s = sentence.replace(['«', '»', '„', '“'], "\"");
    for (re, rep) in rs {
        if re.is_match(&s) {
            s = re.replace_all(&s, rep.as_str()).into_owned();
        }
    }
    s
}

/// Russian page addresses spell their headline in Latin letters
/// ("tovarooborot-mezhdu-rossiej-i-kirgiziej-uvelichilsja-na-14"); their country names, trade
/// words and period words, by stem, in the reader's English forms. Other words are left as they
/// are.
const TRANSLIT: &[(&str, &str)] = &[
    (r"rossi\w*|rf", "Russia"),
    (r"kaza[hkx]\w*", "Kazakhstan"),
    (r"k[yi]+rg[yi]+z\w*|kirgiz\w*", "Kyrgyzstan"),
    (r"uzbek\w*", "Uzbekistan"),
    (r"belarus\w*|belorus\w*", "Belarus"),
    (r"armeni\w*", "Armenia"),
    (r"kita[ijy]\w*|kitae\w*", "China"),
    (r"germani\w*", "Germany"),
    (r"gruzi\w*", "Georgia"),
    (r"azerba[ij]+dzhan\w*", "Azerbaijan"),
    (r"tadzhik\w*", "Tajikistan"),
    (r"tur[ct]s?i[ijy]\w*", "Turkey"),
    (r"iran\w*", "Iran"),
    (r"es", "EU"),
    (r"eaes", "EAEU"),
    (r"sng", "CIS"),
    (r"tovarooborot\w*", "trade turnover"),
    (r"torgov\w*", "trade"),
    (r"oborot\w*", "turnover"),
    (r"eksport\w*", "exports"),
    (r"import\w*", "imports"),
    (r"mezhdu|mezdu", "between"),
    (r"i", "and"),
    (r"s|so", "with"),
    (r"za|v", "in"),
    (r"go[dt]\w*", ""),
];

/// The English reading of a Russian headline spelt in Latin letters (see [`TRANSLIT`]).
pub fn gloss_transliterated(headline: &str) -> String {
    static RULES: OnceLock<Vec<(Regex, String)>> = OnceLock::new();
    let rs = RULES.get_or_init(|| {
        TRANSLIT
            .iter()
            .map(|(p, r)| {
                (
                    Regex::new(&format!(r"(?i)^(?:{p})$")).expect("valid transliteration rule"),
                    r.to_string(),
                )
            })
            .collect()
    });
    headline
        .split_whitespace()
        .map(|w| {
            rs.iter()
                .find(|(re, _)| re.is_match(w))
                .map_or(w.to_string(), |(_, r)| r.clone())
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_three_languages_and_refuses_others() {
        assert_eq!(
            detect("Trade between Russia and Kazakhstan rose 10% in 2023."),
            Ok(Lang::En)
        );
        assert_eq!(
            detect("Die Exporte nach Kasachstan sind im Jahr 2023 um zehn Prozent gestiegen."),
            Ok(Lang::De)
        );
        assert_eq!(
            detect("Товарооборот России и Казахстана вырос на 10% в 2023 году."),
            Ok(Lang::Ru)
        );
        assert!(detect("Le commerce entre la France et le Kazakhstan a augmenté de dix pour cent l'année dernière selon les douanes").is_err());
        assert!(detect("Қазақстан мен Ресей арасындағы тауар айналымы өсті").is_err());
        assert!(detect("1234 5678").is_err());
    }

    #[test]
    fn glosses_numbers_scales_months_and_parties() {
        assert_eq!(
            gloss("3,5 Milliarden Euro nach Russland im März", Lang::De),
            "3.5 billion euros to Russia in March"
        );
        assert_eq!(
            gloss(
                "товарооборот с Казахстаном за январь-май составил $3,4 млрд",
                Lang::Ru
            ),
            "trade turnover with Kazakhstan in January-May amounted to $3.4 billion"
        );
    }

    #[test]
    fn reads_transliterated_russian_headlines() {
        assert_eq!(
            gloss_transliterated(
                "Tovarooborot Mezhdu Rossiej I Kirgiziej Uvelichilsja Na 14 Za 2025 Goda"
            ),
            "trade turnover between Russia and Kyrgyzstan Uvelichilsja Na 14 in 2025"
        );
        assert_eq!(
            gloss_transliterated("Uzbekistan I Rossiia Uvelichat Torgovyi Oborot Do 10 Mlrd"),
            "Uzbekistan and Russia Uvelichat trade turnover Do 10 Mlrd"
        );
    }

    #[test]
    fn glosses_month_counts_in_words_and_business_years() {
        assert_eq!(
            gloss("товарооборот за первые три месяца текущего года", Lang::Ru),
            "trade turnover in the first three months this year"
        );
        assert_eq!(
            gloss("Am Ende des Geschäftsjahres 2024 belief sich", Lang::De),
            "in 2024 amounted"
        );
    }
}

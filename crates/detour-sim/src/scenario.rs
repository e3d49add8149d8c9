//! Scenario files: the subset of TOML that scenarios use — `key = value` lines, `[table]` and `[[array of
//! tables]]` headers, strings, numbers, booleans, arrays of those, `#` comments. (A full TOML crate would
//! change the features of serde that the query engine is built with and cost a rebuild of it; scenarios
//! need no more than this.)

use std::collections::BTreeMap;

use crate::error::{Result, fail};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Num(f64),
    Bool(bool),
    List(Vec<Value>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// A string or a list of strings, as a list.
    pub fn as_strings(&self) -> Option<Vec<String>> {
        match self {
            Value::Str(s) => Some(vec![s.clone()]),
            Value::List(l) => l.iter().map(|v| v.as_str().map(str::to_string)).collect(),
            _ => None,
        }
    }
}

/// One table: its keys, and the line each was set on (for error messages).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub values: BTreeMap<String, (Value, usize)>,
    pub line: usize,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key).map(|(v, _)| v)
    }
    pub fn line_of(&self, key: &str) -> usize {
        self.values.get(key).map(|(_, l)| *l).unwrap_or(self.line)
    }
}

/// A parsed document: the root table, named tables, and arrays of tables.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub root: Table,
    pub tables: BTreeMap<String, Table>,
    pub arrays: BTreeMap<String, Vec<Table>>,
}

fn strip_comment(line: &str) -> &str {
    let mut in_str = false;
    for (k, c) in line.char_indices() {
        match c {
            '"' => in_str = !in_str,
            '#' if !in_str => return &line[..k],
            _ => {}
        }
    }
    line
}

fn parse_value(text: &str, file: &str, line: usize) -> Result<Value> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix('"') {
        let Some(body) = rest.strip_suffix('"') else {
            fail!(file, line; "unclosed string {t}");
        };
        return Ok(Value::Str(body.replace("\\\"", "\"").replace("\\\\", "\\")));
    }
    if let Some(rest) = t.strip_prefix('[') {
        let Some(body) = rest.strip_suffix(']') else {
            fail!(file, line; "unclosed array {t} (arrays must fit on one line)");
        };
        let mut items = Vec::new();
        let mut cur = String::new();
        let mut in_str = false;
        for c in body.chars() {
            match c {
                '"' => {
                    in_str = !in_str;
                    cur.push(c)
                }
                ',' if !in_str => {
                    if !cur.trim().is_empty() {
                        items.push(parse_value(&cur, file, line)?);
                    }
                    cur.clear();
                }
                _ => cur.push(c),
            }
        }
        if !cur.trim().is_empty() {
            items.push(parse_value(&cur, file, line)?);
        }
        return Ok(Value::List(items));
    }
    match t {
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        _ => {}
    }
    match t.replace('_', "").parse::<f64>() {
        Ok(v) => Ok(Value::Num(v)),
        Err(_) => fail!(file, line; "'{t}' is not a string, number, boolean or array"),
    }
}

pub fn parse(text: &str, file: &str) -> Result<Doc> {
    let mut doc = Doc::default();
    enum Cur {
        Root,
        Table(String),
        Array(String),
    }
    let mut cur = Cur::Root;
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        let l = strip_comment(raw).trim();
        if l.is_empty() {
            continue;
        }
        if let Some(name) = l.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
            let name = name.trim().to_string();
            doc.arrays.entry(name.clone()).or_default().push(Table {
                line,
                ..Default::default()
            });
            cur = Cur::Array(name);
            continue;
        }
        if let Some(name) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            let name = name.trim().to_string();
            if doc.tables.contains_key(&name) {
                fail!(file, line; "table [{name}] defined twice");
            }
            doc.tables.insert(
                name.clone(),
                Table {
                    line,
                    ..Default::default()
                },
            );
            cur = Cur::Table(name);
            continue;
        }
        let Some((key, value)) = l.split_once('=') else {
            fail!(file, line; "expected 'key = value', '[table]' or '[[array]]', found '{l}'");
        };
        let key = key.trim().trim_matches('"').to_string();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            fail!(file, line; "bad key '{key}'");
        }
        let value = parse_value(value, file, line)?;
        let table = match &cur {
            Cur::Root => &mut doc.root,
            Cur::Table(n) => doc.tables.get_mut(n).expect("table exists"),
            Cur::Array(n) => doc
                .arrays
                .get_mut(n)
                .and_then(|v| v.last_mut())
                .expect("array table exists"),
        };
        if table.values.insert(key.clone(), (value, line)).is_some() {
            fail!(file, line; "key '{key}' set twice");
        }
    }
    Ok(doc)
}

/// The tables and keys a scenario may use (`[theta]` takes any sector code as its keys).
const KNOWN: &[(&str, &[&str])] = &[
    ("", &["name", "date"]),
    (
        "data",
        &[
            "file",
            "output",
            "expenditure",
            "flow",
            "note",
            "exporter",
            "importer",
            "year",
            "sector",
            "io",
            "rename",
            "negative_flows",
        ],
    ),
    (
        "model",
        &[
            "formula",
            "sigma",
            "reference",
            "stopping",
            "draws",
            "method",
            "theta",
            "imbalances",
            "year",
            "focus",
        ],
    ),
    ("estimate", &["formula", "subset", "vcov", "sql", "file"]),
    (
        "change",
        &[
            "variable",
            "value",
            "as_of",
            "add",
            "tariff",
            "coefficient",
            "times",
            "exporters",
            "importers",
            "both_directions",
            "domestic",
            "sectors",
        ],
    ),
    ("theta", &[]),
];

impl Doc {
    /// Refuse a table or key a scenario does not use (a misspelt `imbalance = "mult"` would
    /// otherwise be ignored silently), naming its line.
    pub fn check_keys(&self, file: &str) -> Result<()> {
        let known = |table: &str| KNOWN.iter().find(|(t, _)| *t == table).map(|(_, k)| *k);
        let check = |name: &str, t: &Table| -> Result<()> {
            let Some(keys) = known(name) else {
                fail!(file, t.line; "unknown table [{name}] (a scenario has [data], [estimate], [model], [theta] and [[change]])");
            };
            if name == "theta" {
                return Ok(());
            }
            for (key, (_, line)) in &t.values {
                if !keys.contains(&key.as_str()) {
                    let place = match name {
                        "" => "at the top".to_string(),
                        "change" => "in [[change]]".to_string(),
                        n => format!("in [{n}]"),
                    };
                    fail!(file, line; "unknown key '{key}' {place} (known: {})", keys.join(", "));
                }
            }
            Ok(())
        };
        check("", &self.root)?;
        for (name, t) in &self.tables {
            if name == "change" {
                fail!(file, t.line; "[change] is an array: write [[change]]");
            }
            check(name, t)?;
        }
        for (name, ts) in &self.arrays {
            if name != "change" {
                let line = ts.first().map_or(0, |t| t.line);
                fail!(file, line; "unknown array [[{name}]] (a scenario has [[change]])");
            }
            for t in ts {
                check(name, t)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_subset() {
        let d = parse(
            "name = \"x # not a comment\"  # comment\n[model]\nsigma = 7\nstop = true\n[[change]]\nexporters = [\"EU27\", \"USA\"]\nadd = -1.5\n[[change]]\nvariable = \"B\"\n",
            "s.toml",
        )
        .unwrap();
        assert_eq!(
            d.root.get("name").unwrap().as_str(),
            Some("x # not a comment")
        );
        assert_eq!(d.tables["model"].get("sigma"), Some(&Value::Num(7.0)));
        assert_eq!(d.arrays["change"].len(), 2);
        assert_eq!(
            d.arrays["change"][0]
                .get("exporters")
                .unwrap()
                .as_strings()
                .unwrap(),
            vec!["EU27", "USA"]
        );
        assert_eq!(d.arrays["change"][1].line_of("variable"), 9);
        let e = parse("[model]\nsigma 7\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.toml:2: expected 'key = value'"), "{e}");
        assert!(parse("a = [1, 2\n", "s.toml").is_err());
    }

    #[test]
    fn unknown_keys_and_tables_are_named() {
        let ok = parse(
            "name = \"x\"\n[model]\nimbalances = \"mult\"\n[theta]\nc13 = 6\n[[change]]\nadd = 1\n",
            "s.toml",
        )
        .unwrap();
        ok.check_keys("s.toml").unwrap();
        let e = parse("[model]\nimbalance = \"mult\"\n", "s.toml")
            .unwrap()
            .check_keys("s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s.toml:2: unknown key 'imbalance' in [model]"),
            "{e}"
        );
        let e = parse("[modle]\ntheta = 4\n", "s.toml")
            .unwrap()
            .check_keys("s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.toml:1: unknown table [modle]"), "{e}");
        let e = parse("[[change]]\nadd = 1\nexporter = [\"RUS\"]\n", "s.toml")
            .unwrap()
            .check_keys("s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s.toml:3: unknown key 'exporter' in [[change]]"),
            "{e}"
        );
        assert!(
            parse("[change]\nadd = 1\n", "s.toml")
                .unwrap()
                .check_keys("s.toml")
                .is_err()
        );
    }
}

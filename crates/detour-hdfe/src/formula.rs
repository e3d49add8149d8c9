//! fixest-style model formulas and row filters, parsed (evaluation is the caller's: it owns the data).
//!
//! ```text
//! trade ~ rta + log(dist) + cntg | exporter^year + importer^year + pair_id
//! ```
//! Left of `~` the outcome; right of it regressors joined by `+` (a name, or `log`/`ln`/`log1p`/`exp`/`sqrt` of a
//! name, or `factor(name)` for dummies of its levels but the first; `0` or `-1` removes the intercept of a model without fixed effects); after `|` fixed effects joined by
//! `+`, each a name or an interaction `a^b^…`.
//!
//! Filters: `year in (1986, 1990)`, `exporter != importer`, `trade > 0 & year >= 2000`, `not (...)`, with `&`/`and`,
//! `|`/`or`, parentheses, numbers and quoted strings.

use std::fmt;

/// A transformation applied to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Log,
    Log1p,
    Exp,
    Sqrt,
    /// `factor(col)` / `i(col)`: one dummy per level but the first (in sorted order).
    Factor,
}

impl Func {
    pub fn apply(self, v: f64) -> f64 {
        match self {
            Func::Log => v.ln(),
            Func::Log1p => v.ln_1p(),
            Func::Exp => v.exp(),
            Func::Sqrt => v.sqrt(),
            Func::Factor => v,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Func::Log => "log",
            Func::Log1p => "log1p",
            Func::Exp => "exp",
            Func::Sqrt => "sqrt",
            Func::Factor => "factor",
        }
    }
}

/// A regressor or the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub func: Option<Func>,
    pub column: String,
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.func {
            Some(func) => write!(f, "{}({})", func.name(), self.column),
            None => write!(f, "{}", self.column),
        }
    }
}

/// A parsed formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    pub outcome: Term,
    pub regressors: Vec<Term>,
    /// False when the formula says `0` or `-1`.
    pub intercept: bool,
    /// Each fixed-effect dimension as the columns it interacts (one column for a plain effect).
    pub fixed_effects: Vec<Vec<String>>,
}

/// A formula or filter that does not parse; `at` is the character offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at character {at} of '{text}'")]
pub struct ParseError {
    pub what: String,
    pub at: usize,
    pub text: String,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

fn err(what: impl Into<String>, at: usize, text: &str) -> ParseError {
    ParseError {
        what: what.into(),
        at,
        text: text.to_string(),
    }
}

fn parse_term(s: &str, base: usize, text: &str) -> Result<Term, ParseError> {
    let t = s.trim();
    let lead = base + (s.len() - s.trim_start().len());
    if t.is_empty() {
        return Err(err("empty term", lead, text));
    }
    if let Some(open) = t.find('(') {
        if !t.ends_with(')') {
            return Err(err("unclosed '('", lead + open, text));
        }
        let fname = t[..open].trim();
        let func = match fname {
            "log" | "ln" => Func::Log,
            "log1p" => Func::Log1p,
            "exp" => Func::Exp,
            "sqrt" => Func::Sqrt,
            "factor" | "i" | "C" => Func::Factor,
            other => {
                return Err(err(
                    format!("unknown function '{other}' (log, ln, log1p, exp, sqrt, factor)"),
                    lead,
                    text,
                ));
            }
        };
        let inner = t[open + 1..t.len() - 1].trim();
        if inner.is_empty() || !inner.chars().all(is_ident) {
            return Err(err(
                format!("'{inner}' is not a column name"),
                lead + open + 1,
                text,
            ));
        }
        return Ok(Term {
            func: Some(func),
            column: inner.to_string(),
        });
    }
    if let Some(bad) = t.chars().position(|c| !is_ident(c)) {
        return Err(err(
            format!("unexpected '{}'", t.chars().nth(bad).unwrap_or(' ')),
            lead + bad,
            text,
        ));
    }
    Ok(Term {
        func: None,
        column: t.to_string(),
    })
}

/// Split on `sep` outside parentheses, with the byte offset of each piece.
fn split_top(s: &str, sep: char) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push((start, &s[start..i]));
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push((start, &s[start..]));
    out
}

impl Formula {
    pub fn parse(text: &str) -> Result<Formula, ParseError> {
        let Some(tilde) = text.find('~') else {
            return Err(err("missing '~' between outcome and regressors", 0, text));
        };
        let outcome = parse_term(&text[..tilde], 0, text)?;
        let rest = &text[tilde + 1..];
        let base = tilde + 1;
        let (rhs, fe_part) = match rest.find('|') {
            Some(bar) => (&rest[..bar], Some((base + bar + 1, &rest[bar + 1..]))),
            None => (rest, None),
        };
        let mut regressors = Vec::new();
        let mut intercept = true;
        // "-1" removes the intercept: treat "a - 1" as "a + 0"
        let rhs_norm = rhs.replace("- 1", "+ 0").replace("-1", "+0");
        for (off, piece) in split_top(&rhs_norm, '+') {
            let p = piece.trim();
            if p == "0" {
                intercept = false;
                continue;
            }
            if p == "1" {
                continue;
            }
            if p.is_empty() && rhs.trim().is_empty() {
                continue;
            }
            regressors.push(parse_term(piece, base + off, text)?);
        }
        let mut fixed_effects = Vec::new();
        if let Some((fbase, fe)) = fe_part {
            if fe.contains('|') {
                return Err(err(
                    "only one '|' is allowed (instrumental variables are not supported)",
                    fbase,
                    text,
                ));
            }
            for (off, piece) in split_top(fe, '+') {
                let mut dims = Vec::new();
                for (o2, name) in split_top(piece, '^') {
                    let n = name.trim();
                    if n.is_empty() || !n.chars().all(is_ident) {
                        return Err(err(
                            format!("'{n}' is not a fixed-effect column"),
                            fbase + off + o2,
                            text,
                        ));
                    }
                    dims.push(n.to_string());
                }
                fixed_effects.push(dims);
            }
        }
        if regressors.is_empty() && fixed_effects.is_empty() && !intercept {
            return Err(err("the model has nothing to estimate", base, text));
        }
        Ok(Formula {
            outcome,
            regressors,
            intercept,
            fixed_effects,
        })
    }
}

/// A literal or a column in a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Column(String),
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A row filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Cmp(Operand, CmpOp, Operand),
    In(Operand, Vec<Operand>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Op(CmpOp),
    And,
    Or,
    Not,
    In,
    LParen,
    RParen,
    Comma,
}

fn lex(text: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (at, c) = chars[k];
        let next = chars.get(k + 1).map(|x| x.1);
        match c {
            ' ' | '\t' => k += 1,
            '(' => {
                out.push((at, Tok::LParen));
                k += 1
            }
            ')' => {
                out.push((at, Tok::RParen));
                k += 1
            }
            ',' => {
                out.push((at, Tok::Comma));
                k += 1
            }
            '&' => {
                out.push((at, Tok::And));
                k += if next == Some('&') { 2 } else { 1 }
            }
            '|' => {
                out.push((at, Tok::Or));
                k += if next == Some('|') { 2 } else { 1 }
            }
            '=' => {
                out.push((at, Tok::Op(CmpOp::Eq)));
                k += if next == Some('=') { 2 } else { 1 }
            }
            '!' if next == Some('=') => {
                out.push((at, Tok::Op(CmpOp::Ne)));
                k += 2
            }
            '!' => {
                out.push((at, Tok::Not));
                k += 1
            }
            '<' | '>' => {
                let eq = next == Some('=');
                let op = match (c, eq) {
                    ('<', true) => CmpOp::Le,
                    ('<', false) => CmpOp::Lt,
                    ('>', true) => CmpOp::Ge,
                    _ => CmpOp::Gt,
                };
                out.push((at, Tok::Op(op)));
                k += if eq { 2 } else { 1 }
            }
            '"' | '\'' => {
                let mut s = String::new();
                k += 1;
                while k < chars.len() && chars[k].1 != c {
                    s.push(chars[k].1);
                    k += 1;
                }
                if k == chars.len() {
                    return Err(err("unclosed quote", at, text));
                }
                k += 1;
                out.push((at, Tok::Str(s)));
            }
            c if c.is_ascii_digit()
                || (c == '-' && next.is_some_and(|d| d.is_ascii_digit() || d == '.'))
                || c == '.' =>
            {
                let start = k;
                k += 1;
                while k < chars.len()
                    && (chars[k].1.is_ascii_digit() || matches!(chars[k].1, '.' | 'e' | 'E'))
                {
                    k += 1;
                }
                let s: String = chars[start..k].iter().map(|x| x.1).collect();
                let v: f64 = s
                    .parse()
                    .map_err(|_| err(format!("bad number '{s}'"), at, text))?;
                out.push((at, Tok::Num(v)));
            }
            c if is_ident(c) => {
                let start = k;
                while k < chars.len() && is_ident(chars[k].1) {
                    k += 1;
                }
                let s: String = chars[start..k].iter().map(|x| x.1).collect();
                let tok = match s.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    _ => Tok::Ident(s),
                };
                out.push((at, tok));
            }
            other => return Err(err(format!("unexpected '{other}'"), at, text)),
        }
    }
    Ok(out)
}

struct P<'a> {
    toks: Vec<(usize, Tok)>,
    k: usize,
    text: &'a str,
}

impl P<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.k).map(|t| &t.1)
    }
    fn at(&self) -> usize {
        self.toks
            .get(self.k)
            .map(|t| t.0)
            .unwrap_or(self.text.len())
    }
    fn or(&mut self) -> Result<Filter, ParseError> {
        let mut l = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.k += 1;
            l = Filter::Or(Box::new(l), Box::new(self.and()?));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Filter, ParseError> {
        let mut l = self.unary()?;
        while self.peek() == Some(&Tok::And) {
            self.k += 1;
            l = Filter::And(Box::new(l), Box::new(self.unary()?));
        }
        Ok(l)
    }
    fn unary(&mut self) -> Result<Filter, ParseError> {
        match self.peek() {
            Some(Tok::Not) => {
                self.k += 1;
                Ok(Filter::Not(Box::new(self.unary()?)))
            }
            Some(Tok::LParen) => {
                self.k += 1;
                let f = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(err("expected ')'", self.at(), self.text));
                }
                self.k += 1;
                Ok(f)
            }
            _ => self.cmp(),
        }
    }
    fn operand(&mut self) -> Result<Operand, ParseError> {
        let at = self.at();
        let t = self.toks.get(self.k).map(|t| t.1.clone());
        self.k += 1;
        match t {
            Some(Tok::Ident(s)) => Ok(Operand::Column(s)),
            Some(Tok::Num(v)) => Ok(Operand::Number(v)),
            Some(Tok::Str(s)) => Ok(Operand::Text(s)),
            _ => Err(err(
                "expected a column, number or quoted text",
                at,
                self.text,
            )),
        }
    }
    fn cmp(&mut self) -> Result<Filter, ParseError> {
        let l = self.operand()?;
        let at = self.at();
        match self.peek().cloned() {
            Some(Tok::Op(op)) => {
                self.k += 1;
                Ok(Filter::Cmp(l, op, self.operand()?))
            }
            Some(Tok::In) | Some(Tok::Not) => {
                let negate = self.peek() == Some(&Tok::Not);
                self.k += 1;
                if negate {
                    if self.peek() != Some(&Tok::In) {
                        return Err(err("expected 'in' after 'not'", self.at(), self.text));
                    }
                    self.k += 1;
                }
                if self.peek() != Some(&Tok::LParen) {
                    return Err(err("expected '(' after 'in'", self.at(), self.text));
                }
                self.k += 1;
                let mut list = Vec::new();
                loop {
                    list.push(self.operand()?);
                    match self.peek() {
                        Some(Tok::Comma) => self.k += 1,
                        Some(Tok::RParen) => {
                            self.k += 1;
                            break;
                        }
                        _ => return Err(err("expected ',' or ')'", self.at(), self.text)),
                    }
                }
                let f = Filter::In(l, list);
                Ok(if negate { Filter::Not(Box::new(f)) } else { f })
            }
            _ => Err(err(
                "expected a comparison (==, !=, <, <=, >, >=, in)",
                at,
                self.text,
            )),
        }
    }
}

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, ParseError> {
        let toks = lex(text)?;
        let mut p = P { toks, k: 0, text };
        let f = p.or()?;
        if p.k != p.toks.len() {
            return Err(err("unexpected text after the condition", p.at(), text));
        }
        Ok(f)
    }

    /// Columns the filter reads.
    pub fn columns(&self) -> Vec<String> {
        let mut out = Vec::new();
        fn op(o: &Operand, out: &mut Vec<String>) {
            if let Operand::Column(c) = o
                && !out.contains(c)
            {
                out.push(c.clone());
            }
        }
        fn walk(f: &Filter, out: &mut Vec<String>) {
            match f {
                Filter::And(a, b) | Filter::Or(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Filter::Not(a) => walk(a, out),
                Filter::Cmp(a, _, b) => {
                    op(a, out);
                    op(b, out);
                }
                Filter::In(a, l) => {
                    op(a, out);
                    l.iter().for_each(|x| op(x, out));
                }
            }
        }
        walk(self, &mut out);
        out
    }

    /// Evaluate on one row; `value(column)` gives the row's text for a column.
    pub fn eval(&self, value: &dyn Fn(&str) -> Option<String>) -> bool {
        fn get(o: &Operand, value: &dyn Fn(&str) -> Option<String>) -> (Option<f64>, String) {
            match o {
                Operand::Number(v) => (Some(*v), v.to_string()),
                Operand::Text(s) => (s.trim().parse().ok(), s.clone()),
                Operand::Column(c) => {
                    let s = value(c).unwrap_or_default();
                    (s.trim().parse().ok(), s)
                }
            }
        }
        fn cmp(a: &(Option<f64>, String), b: &(Option<f64>, String)) -> std::cmp::Ordering {
            match (a.0, b.0) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                _ => a.1.cmp(&b.1),
            }
        }
        match self {
            Filter::And(a, b) => a.eval(value) && b.eval(value),
            Filter::Or(a, b) => a.eval(value) || b.eval(value),
            Filter::Not(a) => !a.eval(value),
            Filter::Cmp(a, op, b) => {
                let o = cmp(&get(a, value), &get(b, value));
                use std::cmp::Ordering::*;
                match op {
                    CmpOp::Eq => o == Equal,
                    CmpOp::Ne => o != Equal,
                    CmpOp::Lt => o == Less,
                    CmpOp::Le => o != Greater,
                    CmpOp::Gt => o == Greater,
                    CmpOp::Ge => o != Less,
                }
            }
            Filter::In(a, list) => {
                let l = get(a, value);
                list.iter()
                    .any(|x| cmp(&l, &get(x, value)) == std::cmp::Ordering::Equal)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gravity_formula() {
        let f = Formula::parse(
            "trade ~ rta + log(dist) + cntg | exporter^year + importer^year + pair_id",
        )
        .unwrap();
        assert_eq!(f.outcome.column, "trade");
        assert_eq!(f.regressors.len(), 3);
        assert_eq!(f.regressors[1].to_string(), "log(dist)");
        assert_eq!(
            f.fixed_effects,
            vec![
                vec!["exporter".to_string(), "year".into()],
                vec!["importer".into(), "year".into()],
                vec!["pair_id".into()]
            ]
        );
        assert!(!Formula::parse("y ~ x - 1").unwrap().intercept);
    }

    #[test]
    fn formula_errors_point_at_the_problem() {
        let e = Formula::parse("trade rta").unwrap_err();
        assert!(e.what.contains("missing '~'"));
        let e = Formula::parse("y ~ foo(x)").unwrap_err();
        assert!(e.what.contains("unknown function 'foo'"), "{e}");
        let e = Formula::parse("y ~ x | a^").unwrap_err();
        assert!(e.what.contains("fixed-effect"), "{e}");
    }

    #[test]
    fn filters() {
        let f = Filter::parse("year in (1986, 1990) & exporter != importer").unwrap();
        let row = |c: &str| -> Option<String> {
            match c {
                "year" => Some("1990".into()),
                "exporter" => Some("ARG".into()),
                "importer" => Some("AUS".into()),
                _ => None,
            }
        };
        assert!(f.eval(&row));
        let g = Filter::parse("not (year >= 1990) or exporter == 'AUS'").unwrap();
        assert!(!g.eval(&row));
        assert_eq!(f.columns(), vec!["year", "exporter", "importer"]);
        assert!(Filter::parse("year in (1986").is_err());
        assert!(Filter::parse("year = = 3").is_err());
    }
}

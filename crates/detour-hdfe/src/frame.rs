//! A typed table of named columns — numbers or text, each cell possibly missing — that formulas are
//! evaluated on ([`crate::model`]). Readers live elsewhere (the store reads CSV, Parquet and SQL
//! results into a `Frame`; the Python package reads Arrow data); this module does no I/O.

/// One column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers; `None` is a missing cell (NA, null, an empty CSV field).
    Num(Vec<Option<f64>>),
    /// Text (identifiers, labels, or numbers not yet parsed); `None` is a missing cell.
    Text(Vec<Option<String>>),
    /// Text stored once per distinct value: `codes[i]` indexes `levels`, [`Column::MISSING`] is a
    /// missing cell. Readers use it for identifier columns (a million rows, a few thousand levels).
    Dict {
        codes: Vec<u32>,
        levels: Vec<String>,
    },
}

impl Column {
    /// The code of a missing cell in [`Column::Dict`].
    pub const MISSING: u32 = u32::MAX;

    pub fn len(&self) -> usize {
        match self {
            Column::Num(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::Dict { codes, .. } => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A cell seen through [`Frame::cell`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Num(f64),
    Text(&'a str),
    Missing,
}

impl Cell<'_> {
    /// The cell as text (numbers as Rust prints them: `1986`, `0.5`), for filters and labels.
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Num(v) => Some(v.to_string()),
            Cell::Text(s) => Some(s.to_string()),
            Cell::Missing => None,
        }
    }
}

/// Whether a text cell stands for a missing value: empty, `NA`, `.` (Stata) or `null`.
pub fn missing_text(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t == "NA" || t == "." || t.eq_ignore_ascii_case("null")
}

/// Named columns of equal length. `label` names the data in messages (a file's path, "store
/// query", "data"); `first_line` is the line of the first row in that source (2 for a CSV file
/// with a header), so that a bad cell is reported as `LABEL:LINE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub label: String,
    pub first_line: usize,
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Frame {
    pub fn new(label: impl Into<String>) -> Frame {
        Frame {
            label: label.into(),
            first_line: 1,
            names: Vec::new(),
            columns: Vec::new(),
        }
    }

    /// Add (or replace) a column. Every column must have the same length.
    pub fn with_column(mut self, name: impl Into<String>, col: Column) -> Result<Frame, String> {
        self.push(name, col)?;
        Ok(self)
    }

    /// Add (or replace) a column in place.
    pub fn push(&mut self, name: impl Into<String>, col: Column) -> Result<(), String> {
        let name = name.into();
        if let Some(first) = self.columns.first()
            && first.len() != col.len()
        {
            return Err(format!(
                "{}: column '{name}' has {} values, the others {}",
                self.label,
                col.len(),
                first.len()
            ));
        }
        match self.names.iter().position(|n| *n == name) {
            Some(i) => self.columns[i] = col,
            None => {
                self.names.push(name);
                self.columns.push(col);
            }
        }
        Ok(())
    }

    pub fn nrows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.columns[i])
    }

    /// The cell of column `name` at row `i` (0-based).
    pub fn cell(&self, name: &str, i: usize) -> Cell<'_> {
        match self.column(name) {
            Some(Column::Num(v)) => v[i].map_or(Cell::Missing, Cell::Num),
            Some(Column::Text(v)) => match v[i].as_deref() {
                Some(s) if !missing_text(s) => Cell::Text(s),
                _ => Cell::Missing,
            },
            Some(Column::Dict { codes, levels }) => match codes[i] {
                Column::MISSING => Cell::Missing,
                c => match levels[c as usize].as_str() {
                    s if missing_text(s) => Cell::Missing,
                    s => Cell::Text(s),
                },
            },
            None => Cell::Missing,
        }
    }

    /// The source line of row `i`.
    pub fn line(&self, i: usize) -> usize {
        self.first_line + i
    }
}

/// Builds a [`Column::Dict`] value by value.
#[derive(Debug, Default)]
pub struct DictBuilder {
    codes: Vec<u32>,
    levels: Vec<String>,
    index: std::collections::HashMap<String, u32>,
}

impl DictBuilder {
    /// Add a cell (`None`, or text that [`missing_text`] calls missing: a missing cell).
    pub fn push(&mut self, s: Option<&str>) {
        let code = match s.map(str::trim) {
            None => Column::MISSING,
            Some(t) if missing_text(t) => Column::MISSING,
            Some(t) => match self.index.get(t) {
                Some(&c) => c,
                None => {
                    let c = self.levels.len() as u32;
                    self.levels.push(t.to_string());
                    self.index.insert(t.to_string(), c);
                    c
                }
            },
        };
        self.codes.push(code);
    }

    pub fn finish(self) -> Column {
        Column::Dict {
            codes: self.codes,
            levels: self.levels,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dict_columns() {
        let mut b = DictBuilder::default();
        for s in [Some("KAZ"), None, Some(" KAZ "), Some("NA"), Some("KGZ")] {
            b.push(s);
        }
        let f = Frame::new("t").with_column("c", b.finish()).unwrap();
        assert_eq!(f.cell("c", 0), Cell::Text("KAZ"));
        assert_eq!(f.cell("c", 1), Cell::Missing);
        assert_eq!(f.cell("c", 2), Cell::Text("KAZ"));
        assert_eq!(f.cell("c", 3), Cell::Missing);
        match f.column("c").unwrap() {
            Column::Dict { levels, .. } => assert_eq!(levels.len(), 2),
            _ => unreachable!(),
        }
    }

    #[test]
    fn columns_must_agree_in_length() {
        let f = Frame::new("t")
            .with_column("a", Column::Num(vec![Some(1.0), None]))
            .unwrap();
        let e = f
            .clone()
            .with_column("b", Column::Text(vec![Some("x".into())]))
            .unwrap_err();
        assert!(e.contains("column 'b' has 1 values, the others 2"), "{e}");
        assert_eq!(f.cell("a", 1), Cell::Missing);
        assert_eq!(f.cell("a", 0).text().as_deref(), Some("1"));
    }

    #[test]
    fn missing_text_cells() {
        let f = Frame::new("t")
            .with_column(
                "s",
                Column::Text(vec![
                    Some("NA".into()),
                    Some(" . ".into()),
                    Some("KAZ".into()),
                ]),
            )
            .unwrap();
        assert_eq!(f.cell("s", 0), Cell::Missing);
        assert_eq!(f.cell("s", 1), Cell::Missing);
        assert_eq!(f.cell("s", 2), Cell::Text("KAZ"));
    }
}

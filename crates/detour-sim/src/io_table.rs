//! The input–output structure a multi-sector scenario reads (`[data] io` and `output`): each country's
//! intermediate inputs by using and source sector (`country, using_sector, input_sector, value`) and its
//! gross output and value added by sector (`country, sector, gross_output, value_added_and_margins`),
//! turned into the shares of `detour_ge::InputOutput`.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Result, SimError, err, fail};
use detour_hdfe::frame::Cell;

fn text(f: &detour_hdfe::Frame, col: &str, r: usize, file: &Path) -> Result<String> {
    match f.cell(col, r) {
        Cell::Text(s) => Ok(s.to_string()),
        Cell::Num(v) => Ok(v.to_string()),
        Cell::Missing => fail!(file.display(), f.line(r); "'{col}' is missing"),
    }
}

fn number(f: &detour_hdfe::Frame, col: &str, r: usize, file: &Path) -> Result<f64> {
    match f.cell(col, r) {
        Cell::Num(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => fail!(file.display(), f.line(r); "'{col}' must be a number ≥ 0"),
    }
}

/// (value-added shares `n × s`, input shares `(i · s + u) · s + k`) for the world's countries and sectors.
pub(crate) fn read(
    countries: &[String],
    sectors: &[String],
    io_file: &Path,
    output_file: &Path,
    rename: &dyn Fn(String) -> String,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let (n, s) = (countries.len(), sectors.len());
    let ci: HashMap<&str, usize> = countries
        .iter()
        .enumerate()
        .map(|(k, c)| (c.as_str(), k))
        .collect();
    let si: HashMap<&str, usize> = sectors
        .iter()
        .enumerate()
        .map(|(k, c)| (c.as_str(), k))
        .collect();
    let locate = |file: &Path, line: usize, c: &str, sec: &str| -> Result<(usize, usize)> {
        let i = *ci
            .get(c)
            .ok_or_else(|| err!(file.display(), line; "economy '{c}' is not in the flows"))?;
        let k = *si
            .get(sec)
            .ok_or_else(|| err!(file.display(), line; "sector '{sec}' is not in the flows"))?;
        Ok((i, k))
    };
    let out = detour_store::frame::read_csv(
        output_file,
        &["gross_output".into(), "value_added_and_margins".into()],
        &["country".into(), "sector".into()],
    )
    .map_err(SimError::store("reading the output table"))?;
    let mut gross = vec![f64::NAN; n * s];
    let mut va = vec![0.0; n * s];
    for r in 0..out.nrows() {
        let c = rename(text(&out, "country", r, output_file)?);
        let sec = text(&out, "sector", r, output_file)?;
        let (i, k) = locate(output_file, out.line(r), &c, &sec)?;
        gross[i * s + k] = number(&out, "gross_output", r, output_file)?;
        va[i * s + k] = number(&out, "value_added_and_margins", r, output_file)?;
    }
    if let Some(q) = gross.iter().position(|v| v.is_nan()) {
        fail!(
            output_file.display();
            "no gross output for {} in sector {}",
            countries[q / s],
            sectors[q % s]
        );
    }
    let io = detour_store::frame::read_csv(
        io_file,
        &["value".into()],
        &[
            "country".into(),
            "using_sector".into(),
            "input_sector".into(),
        ],
    )
    .map_err(SimError::store("reading the input-output table"))?;
    let mut inputs = vec![0.0; n * s * s];
    for r in 0..io.nrows() {
        let c = rename(text(&io, "country", r, io_file)?);
        let using = text(&io, "using_sector", r, io_file)?;
        let source = text(&io, "input_sector", r, io_file)?;
        let (i, k) = locate(io_file, io.line(r), &c, &using)?;
        let u = *si.get(source.as_str()).ok_or_else(
            || err!(io_file.display(), io.line(r); "sector '{source}' is not in the flows"),
        )?;
        inputs[(i * s + u) * s + k] += number(&io, "value", r, io_file)?;
    }
    let mut share = vec![1.0; n * s];
    for i in 0..n {
        for k in 0..s {
            let g = gross[i * s + k];
            if g <= 0.0 {
                for u in 0..s {
                    inputs[(i * s + u) * s + k] = 0.0;
                }
                continue;
            }
            let used: f64 = (0..s).map(|u| inputs[(i * s + u) * s + k]).sum();
            // value added as the residual, so that the shares add up to one exactly
            let v = va[i * s + k];
            if (v + used - g).abs() > 1e-6 * g + 1.0 {
                fail!(
                    output_file.display();
                    "{} sector {}: value added {v} and inputs {used} do not add up to gross output {g}",
                    countries[i],
                    sectors[k]
                );
            }
            share[i * s + k] = 1.0 - used / g;
            for u in 0..s {
                inputs[(i * s + u) * s + k] /= g;
            }
        }
    }
    Ok((share, inputs))
}

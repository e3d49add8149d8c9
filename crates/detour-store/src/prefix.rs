//! Leading characters of a string column, fast: `substr(code, 1, n)` and `left(code, n)`.
//!
//! Trade queries group HS-6 codes by chapter or heading (`substr(commodity, 1, 2)`) all the
//! time. The engine's general `substr` works out character offsets row by row and builds a new
//! string array; detour's store reads strings as Arrow string views, where a code of up to 12
//! bytes sits inside its 16-byte view. [`PrefixRule`] rewrites a prefix `substr`/`left` with a
//! literal non-negative length into [`prefix_udf`], which cuts such views in place: one integer
//! operation per row when the leading characters are ASCII, the exact character count
//! otherwise. Other argument types and forms go to the engine's own `left`.

use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringViewArray};
use datafusion::arrow::buffer::ScalarBuffer;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{
    ColumnarValue, Expr, LogicalPlan, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    TypeSignature, Volatility,
};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

/// The UDF behind the rewrite (`detour_prefix(string, n)`: the first `n` characters).
pub fn prefix_udf() -> Arc<ScalarUDF> {
    static U: OnceLock<Arc<ScalarUDF>> = OnceLock::new();
    U.get_or_init(|| Arc::new(ScalarUDF::new_from_impl(PrefixFunc::new())))
        .clone()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct PrefixFunc {
    signature: Signature,
}

impl PrefixFunc {
    fn new() -> Self {
        let sig = |t: DataType| TypeSignature::Exact(vec![t, DataType::Int64]);
        PrefixFunc {
            signature: Signature::one_of(
                vec![
                    sig(DataType::Utf8View),
                    sig(DataType::Utf8),
                    sig(DataType::LargeUtf8),
                ],
                Volatility::Immutable,
            ),
        }
    }
}

impl ScalarUDFImpl for PrefixFunc {
    fn name(&self) -> &str {
        "detour_prefix"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if let (ColumnarValue::Array(strings), ColumnarValue::Scalar(ScalarValue::Int64(Some(n)))) =
            (&args.args[0], &args.args[1])
            && *n >= 0
            && strings.data_type() == &DataType::Utf8View
        {
            let n = usize::try_from(*n).unwrap_or(usize::MAX);
            return Ok(ColumnarValue::Array(prefix_views(
                strings.as_string_view(),
                n,
            )));
        }
        datafusion::functions::unicode::left().invoke_with_args(args)
    }
}

/// Byte length of the first `n` characters of `s`.
fn prefix_len(s: &[u8], n: usize) -> usize {
    if n >= s.len() {
        return s.len();
    }
    if s[..n].is_ascii() {
        return n;
    }
    // Count character starts (bytes that are not UTF-8 continuation bytes).
    let mut seen = 0;
    for (i, &b) in s.iter().enumerate() {
        if b & 0xC0 != 0x80 {
            if seen == n {
                return i;
            }
            seen += 1;
        }
    }
    s.len()
}

/// The first `n` characters of every value, as views into the same data buffers.
fn prefix_views(array: &StringViewArray, n: usize) -> ArrayRef {
    let views = array.views();
    let nulls = array.nulls().filter(|m| m.null_count() > 0);
    // For inline values longer than `n` (n < 12): the data bits of the first `n` bytes, and
    // their high bits (all zero when those bytes are ASCII, i.e. `n` characters).
    let (data_mask, high_bits) = if n < 12 {
        let m = (1u128 << (8 * n)) - 1;
        (m, m & 0x8080_8080_8080_8080_8080_8080u128)
    } else {
        (0, 0)
    };
    let mut out = Vec::with_capacity(views.len());
    for (i, &view) in views.iter().enumerate() {
        if nulls.is_some_and(|m| m.is_null(i)) {
            out.push(0u128);
            continue;
        }
        let len = view as u32 as usize;
        if len <= n {
            // The whole value.
            out.push(view);
        } else if len <= 12 {
            // Inline: [len: u32][bytes: 12, zero-padded].
            let data = view >> 32;
            if data & high_bits == 0 {
                out.push(((data & data_mask) << 32) | n as u128);
            } else {
                let bytes = view.to_le_bytes();
                let keep = prefix_len(&bytes[4..4 + len], n);
                let mask = if keep == 0 {
                    0
                } else {
                    u128::MAX >> (128 - 8 * keep)
                };
                out.push(((data & mask) << 32) | keep as u128);
            }
        } else {
            let value = array.value(i).as_bytes();
            let keep = prefix_len(value, n);
            if keep <= 12 {
                let mut bytes = [0u8; 16];
                bytes[..4].copy_from_slice(&(keep as u32).to_le_bytes());
                bytes[4..4 + keep].copy_from_slice(&value[..keep]);
                out.push(u128::from_le_bytes(bytes));
            } else {
                // Same buffer, offset and 4-byte prefix; a shorter length.
                out.push((view & !(u32::MAX as u128)) | keep as u128);
            }
        }
    }
    // Every view is either inline with its bytes cut at a character boundary, or the input's
    // own view (buffer, offset, prefix) with a shorter length ending at a character boundary.
    let array = StringViewArray::try_new(
        ScalarBuffer::from(out),
        array.data_buffers().to_vec(),
        array.nulls().cloned(),
    )
    .expect("prefixes of valid string views are valid views");
    Arc::new(array)
}

/// Rewrites `substr(s, 1, n)` / `substring(s, 1, n)` and `left(s, n)`, with `n` a literal
/// non-negative integer, into [`prefix_udf`]. Other calls are left alone (`substr` with a
/// negative length is an error the engine reports; `left` with one keeps all but the last).
#[derive(Debug, Default)]
pub struct PrefixRule;

fn literal_len(e: &Expr) -> Option<i64> {
    match e {
        Expr::Literal(ScalarValue::Int64(Some(v)), _) if *v >= 0 => Some(*v),
        _ => None,
    }
}

fn rewrite_expr(e: Expr) -> Result<Transformed<Expr>> {
    let Expr::ScalarFunction(f) = &e else {
        return Ok(Transformed::no(e));
    };
    let name = f.func.name();
    let (string, len) = match (name, f.args.as_slice()) {
        ("substr" | "substring", [s, start, len])
            if matches!(start, Expr::Literal(ScalarValue::Int64(Some(1)), _))
                && literal_len(len).is_some() =>
        {
            (s.clone(), len.clone())
        }
        ("left", [s, len]) if literal_len(len).is_some() => (s.clone(), len.clone()),
        _ => return Ok(Transformed::no(e)),
    };
    Ok(Transformed::yes(Expr::ScalarFunction(
        ScalarFunction::new_udf(prefix_udf(), vec![string, len]),
    )))
}

impl OptimizerRule for PrefixRule {
    fn name(&self) -> &str {
        "detour_prefix_substr"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let names = NamePreserver::new(&plan);
        plan.map_expressions(|e| {
            let saved = names.save(&e);
            let t = e.transform_up(rewrite_expr)?;
            if t.transformed {
                Ok(Transformed::yes(saved.restore(t.data)))
            } else {
                Ok(t)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_cut_at_character_boundaries() {
        let long = "8542310000 integrated circuits";
        let input = StringViewArray::from(vec![
            Some("854231"),
            None,
            Some("TOTAL"),
            Some("8"),
            Some(""),
            Some("Кыргызстан"),
            Some(long),
            Some("ДДДДДДДДДД"),
        ]);
        for n in [0usize, 1, 2, 4, 6, 13, 20, 100] {
            let out = prefix_views(&input, n);
            let out = out.as_string_view();
            for i in 0..input.len() {
                if input.is_null(i) {
                    assert!(out.is_null(i));
                    continue;
                }
                let expect: String = input.value(i).chars().take(n).collect();
                assert_eq!(out.value(i), expect, "row {i}, n = {n}");
            }
            // The result is a valid array (the checks the safe constructor makes).
            StringViewArray::try_new(
                out.views().clone(),
                out.data_buffers().to_vec(),
                out.nulls().cloned(),
            )
            .unwrap();
        }
    }

    #[test]
    fn queries_use_the_prefix_kernel_and_keep_their_answers() {
        use datafusion::arrow::datatypes::{Field, Schema};
        use datafusion::arrow::record_batch::RecordBatch;
        use datafusion::datasource::MemTable;
        use datafusion::prelude::SessionContext;

        let schema = Arc::new(Schema::new(vec![Field::new("c", DataType::Utf8View, true)]));
        let col = StringViewArray::from(vec![Some("854231"), Some("Кыргызстан"), None]);
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(col)]).unwrap();
        let sql = "SELECT substr(c, 1, 2) AS a, left(c, 3) AS b, substr(c, 2, 2) AS c2, \
                   substring(c FROM 1 FOR 4) AS d FROM t";
        let run = |rule: bool| {
            let ctx = SessionContext::new();
            if rule {
                ctx.add_optimizer_rule(Arc::new(PrefixRule));
            }
            let table = MemTable::try_new(schema.clone(), vec![vec![batch.clone()]]).unwrap();
            ctx.register_table("t", Arc::new(table)).unwrap();
            crate::runtime()
                .unwrap()
                .block_on(async {
                    let plan = ctx.sql(&format!("EXPLAIN {sql}")).await?.collect().await?;
                    let plan = datafusion::arrow::util::pretty::pretty_format_batches(&plan)?;
                    let rows = ctx.sql(sql).await?.collect().await?;
                    let rows = datafusion::arrow::util::pretty::pretty_format_batches(&rows)?;
                    Ok::<_, datafusion::error::DataFusionError>((
                        plan.to_string(),
                        rows.to_string(),
                    ))
                })
                .unwrap()
        };
        let (plan, with_rule) = run(true);
        let (plain_plan, without) = run(false);
        assert_eq!(with_rule, without);
        assert!(
            with_rule.contains("| 85 | 854 | 54 | 8542 |"),
            "{with_rule}"
        );
        assert!(
            with_rule.contains("| Кы | Кыр | ыр | Кырг |"),
            "{with_rule}"
        );
        // Three prefix calls rewritten; the substring from position 2 is not.
        assert_eq!(plan.matches("detour_prefix(").count() / 2, 3, "{plan}");
        assert!(plan.contains("substr(t.c, Int64(2), Int64(2))"), "{plan}");
        assert!(!plain_plan.contains("detour_prefix"));
    }
}

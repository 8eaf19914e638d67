//! A report's rows as text: the cells a terminal table and CSV show, and
//! CSV itself, so the command line and the API write the same file.

use serde_json::Value;

use crate::BillingError;

/// A cell as text: strings bare, fractional numbers to three decimals.
pub fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_f64() => format!("{:.3}", n.as_f64().unwrap_or(0.0)),
        other => other.to_string(),
    }
}

/// The rows as CSV with a header line of the columns' names.
pub fn csv(header: &[&str], rows: &[Vec<Value>]) -> Result<String, BillingError> {
    let failed = |e: &dyn std::fmt::Display| BillingError::Csv(e.to_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header).map_err(|e| failed(&e))?;
    for r in rows {
        out.write_record(r.iter().map(cell))
            .map_err(|e| failed(&e))?;
    }
    let bytes = out.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn cells_with_commas_and_quotes_are_quoted_and_gigabytes_keep_three_decimals() {
        let rows = vec![vec![json!("a, \"b\""), json!(1.5), json!(7)]];
        assert_eq!(
            csv(&["name", "gb", "n"], &rows).unwrap(),
            "name,gb,n\n\"a, \"\"b\"\"\",1.500,7\n"
        );
    }
}

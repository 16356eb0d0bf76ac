//! The rows of a shard's `--samples` part, checked one by one (SPEC §9): the part holds exactly
//! the shard's trials, in order, one row each, and every cell holds what that column can hold
//! (a draw within its distribution's support, a month within the window, a probability within
//! [0, 1]). The sampled trials' rows are compared with the engine's byte for byte besides
//! ([`super::witness`]); these checks cover every other row, at the cost of reading each cell
//! once, in the pass that computes the part's SHA-256.

use crate::cast::ParamId;
use crate::error::Error;
use crate::export::SampleFormat;
use crate::model::Estimator;
use crate::month::Month;
use crate::scenario::Scenario;
use std::ops::Range;
use std::path::Path;

/// What one column holds.
#[derive(Clone, Copy, Debug)]
enum Cell {
    /// The trial's index.
    Trial,
    /// A draw within [lo, hi].
    Draw { lo: f64, hi: f64 },
    /// A month index within the window, or nothing.
    Month,
    /// A probability within [0, 1].
    Probability,
}

/// A cell as read: from CSV text, or from a Parquet column.
pub use crate::export::parquet_file::Cell as Value;

/// The checks of one shard's samples rows.
#[derive(Clone, Debug)]
pub struct RowCheck {
    names: Vec<String>,
    cells: Vec<Cell>,
    start: Month,
    months: i64,
    range: Range<u64>,
}

impl RowCheck {
    /// The checks of the rows of `range` of `scenario` in `format`.
    pub fn new(scenario: &Scenario, format: &SampleFormat, range: Range<u64>) -> RowCheck {
        let names = format.columns().to_vec();
        let mut cells = vec![Cell::Trial];
        cells.extend(scenario.cast.ids().map(|id: ParamId| {
            let (lo, hi, _) = scenario.dist(id).support();
            Cell::Draw { lo, hi }
        }));
        cells.extend(std::iter::repeat_n(Cell::Month, format.exit_columns()));
        cells.push(match format.estimator {
            Estimator::Indicator => Cell::Month,
            Estimator::Conditional => Cell::Probability,
        });
        RowCheck {
            names,
            cells,
            start: scenario.simulation.start,
            months: scenario.simulation.months() as i64,
            range,
        }
    }

    /// The number of columns.
    pub fn columns(&self) -> usize {
        self.cells.len()
    }

    /// The rows the part must have.
    pub fn rows(&self) -> u64 {
        self.range.end - self.range.start
    }

    /// Checks CSV line `row` (from 0, with its line end): `Err((column, what is wrong))`.
    ///
    /// # Errors
    /// The first column whose cell is wrong, and what is wrong with it.
    pub fn csv_line(&self, row: u64, line: &[u8]) -> Result<(), (usize, String)> {
        let Some(line) = line.strip_suffix(b"\n") else {
            return Err((
                0,
                "the row does not end with a line end (the part is truncated)".into(),
            ));
        };
        let mut count = 0;
        for (column, cell) in line.split(|&b| b == b',').enumerate() {
            if column >= self.cells.len() {
                return Err((
                    self.cells.len() - 1,
                    format!("the row has more than {} cells", self.cells.len()),
                ));
            }
            self.value(row, column, Value::Text(Some(cell)))?;
            count += 1;
        }
        if count != self.cells.len() {
            return Err((
                count.saturating_sub(1),
                format!("the row has {count} cells, not {}", self.cells.len()),
            ));
        }
        Ok(())
    }

    /// Checks the cell of `row` (from 0) in `column`.
    ///
    /// # Errors
    /// The column and what is wrong.
    pub fn value(&self, row: u64, column: usize, value: Value<'_>) -> Result<(), (usize, String)> {
        let Some(cell) = self.cells.get(column) else {
            return Err((column, "the part has more columns than this run".into()));
        };
        let wrong = |what: String| Err((column, what));
        let shown = || match value {
            Value::Text(Some(t)) => format!("'{}'", String::from_utf8_lossy(t)),
            Value::Text(None) => "nothing".to_string(),
            Value::Integer(i) => format!("'{i}'"),
            Value::Real(x) => format!("'{}'", crate::export::float(x)),
        };
        match *cell {
            Cell::Trial => {
                let expected = self.range.start + row;
                if row >= self.rows() {
                    return wrong(format!(
                        "the part holds more rows than the shard's {} trials {}..{}",
                        self.rows(),
                        self.range.start,
                        self.range.end
                    ));
                }
                let same = match value {
                    Value::Integer(i) => u64::try_from(i).is_ok_and(|i| i == expected),
                    Value::Text(Some(t)) => decimal(t) == Some(expected),
                    _ => false,
                };
                if !same {
                    return wrong(format!(
                        "it holds trial {} where the shard's trials {}..{} put trial \
                         {expected}, in order, one row each",
                        shown(),
                        self.range.start,
                        self.range.end
                    ));
                }
            }
            Cell::Draw { lo, hi } => {
                let x = number(value);
                if !x.is_some_and(|x| x >= lo && x <= hi) {
                    return wrong(format!(
                        "it holds {}, not a draw of its distribution: a number within \
                         [{lo}, {hi}]",
                        shown()
                    ));
                }
            }
            Cell::Probability => {
                if !number(value).is_some_and(|x| (0.0..=1.0).contains(&x)) {
                    return wrong(format!(
                        "it holds {}, not a probability: a number within [0, 1]",
                        shown()
                    ));
                }
            }
            Cell::Month => {
                let ok = match value {
                    Value::Text(None) | Value::Text(Some(b"")) => true,
                    Value::Text(Some(t)) => std::str::from_utf8(t).ok().is_some_and(|t| {
                        Month::parse(t).is_ok_and(|m| {
                            let at = self.start.months_until(m);
                            t.len() == 7 && (0..=self.months).contains(&at)
                        })
                    }),
                    _ => false,
                };
                if !ok {
                    return wrong(format!(
                        "it holds {}, not a month YYYY-MM from {} to {} or nothing",
                        shown(),
                        self.start,
                        self.start.plus(self.months.max(0) as usize)
                    ));
                }
            }
        }
        Ok(())
    }

    /// The error for the part at `part`: `row` (from 0) wrong in `column`.
    pub fn error(&self, part: &Path, row: u64, (column, what): (usize, String)) -> Error {
        Error::Invalid(format!(
            "the samples part '{}' cannot be merged: row {} (trial {}), column {} '{}': {what}; \
             it was changed after the shard was written (and its SHA-256 recomputed): rerun the \
             shard",
            part.display(),
            row + 1,
            self.range.start + row,
            column + 1,
            self.names.get(column).map_or("", String::as_str)
        ))
    }

    /// The error for a part with `rows` rows, not the shard's.
    pub fn count_error(&self, part: &Path, rows: u64) -> Error {
        Error::Invalid(format!(
            "the samples part '{}' cannot be merged: it holds {rows} rows, where the shard's \
             trials {}..{} need {}, one each, in order; it was changed after the shard was \
             written (and its SHA-256 recomputed): rerun the shard",
            part.display(),
            self.range.start,
            self.range.end,
            self.rows()
        ))
    }
}

/// The number written in decimal digits `t`, without leading zeros (as a row writes a trial).
fn decimal(t: &[u8]) -> Option<u64> {
    if t.is_empty() || (t.len() > 1 && t[0] == b'0') {
        return None;
    }
    t.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit()
            .then(|| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
            .flatten()
    })
}

/// A cell's number: a Parquet double, or CSV text that parses as a finite number.
fn number(value: Value<'_>) -> Option<f64> {
    match value {
        Value::Real(x) => Some(x),
        Value::Text(Some(t)) => std::str::from_utf8(t).ok()?.parse::<f64>().ok(),
        _ => None,
    }
    .filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check() -> RowCheck {
        let scenario =
            crate::scenario::Catalog::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
                .load("baseline", &[])
                .expect("shipped scenario");
        let model = crate::model::Model::new(&scenario);
        let format = SampleFormat::new(&scenario, &model, Estimator::Conditional);
        RowCheck::new(&scenario, &format, 100..200)
    }

    #[test]
    fn cells_are_checked_against_their_column() {
        let c = check();
        assert!(c.value(0, 0, Value::Text(Some(b"100"))).is_ok());
        assert_eq!(
            c.value(1, 0, Value::Text(Some(b"100"))).map_err(|e| e.0),
            Err(0)
        );
        assert!(c.value(1, 0, Value::Integer(101)).is_ok());
        let last = c.columns() - 1;
        assert!(c.value(0, last, Value::Real(0.25)).is_ok());
        assert!(c.value(0, last, Value::Text(Some(b"1.5"))).is_err());
        assert!(c.value(0, last, Value::Text(Some(b"nan"))).is_err());
        assert!(c.csv_line(0, b"100\n").is_err());
    }
}

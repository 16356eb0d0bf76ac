//! Reading the CSV files that the charts draw: columns looked up by name, messages that name
//! the file, the line and the column, and the facts (trials, seed, deadline) a plot states.

use super::*;

/// The largest CSV file plot reads (a regular file, not through a link): a larger one is
/// refused with exit 2 before it is read.
pub const READ_LIMIT: u64 = 1 << 30;

/// A CSV file whose columns are looked up by name, for messages that name the file, the line
/// and the column.
#[derive(Clone, Debug)]
pub struct Table {
    path: PathBuf,
    header: Vec<String>,
    /// Each data row with its line number in the file.
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// Reads a CSV file with a header row and at least one data row.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::Invalid`] when it is not CSV or has
    /// no data rows.
    pub fn read(path: &Path) -> Result<Table> {
        let bytes = crate::export::guard::read_regular(
            &crate::export::layout::through_our_link(path),
            READ_LIMIT,
        )?;
        Table::parse(path, &bytes)
    }

    /// Parses CSV `bytes`; `path` is only used in messages.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the bytes are not CSV (e.g. rows of different lengths) or hold no
    /// data row.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Table> {
        let invalid =
            |e: csv::Error| Error::Invalid(format!("'{}' is not valid CSV: {e}", path.display()));
        let mut reader = csv::Reader::from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(invalid)?
            .iter()
            .map(printable)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(invalid)?;
            let line = record.position().map_or(0, csv::Position::line);
            rows.push((line, record.iter().map(printable).collect()));
        }
        if rows.is_empty() {
            let what = if header.is_empty() {
                "is empty"
            } else {
                "has a header but no data rows"
            };
            return Err(Error::Invalid(format!(
                "'{}' {what}; nothing to plot",
                path.display()
            )));
        }
        Ok(Table {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    /// The file this table was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names, in order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The line in the file of each data row.
    pub fn lines(&self) -> Vec<u64> {
        self.rows.iter().map(|(line, _)| *line).collect()
    }

    /// Whether the table has a column called `name`.
    pub fn has_column(&self, name: &str) -> bool {
        self.header.iter().any(|h| h == name)
    }

    pub(super) fn column(&self, name: &str) -> Result<usize> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            Error::Invalid(format!(
                "'{}' has no column '{name}' (its columns are {})",
                self.path.display(),
                self.header.join(",")
            ))
        })
    }

    /// Parses every row's `name` field with `parse`, which says what the field should be
    /// when it fails.
    pub(crate) fn values<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Vec<T>> {
        let i = self.column(name)?;
        self.rows
            .iter()
            .map(|(line, row)| {
                let text = row.get(i).map_or("", String::as_str);
                parse(text).map_err(|expected| {
                    Error::Invalid(format!(
                        "'{}' line {line}, column '{name}': '{text}' is not {expected}",
                        self.path.display()
                    ))
                })
            })
            .collect()
    }

    /// The `name` column as text.
    ///
    /// # Errors
    /// [`Error::Invalid`] when there is no such column.
    pub fn texts(&self, name: &str) -> Result<Vec<String>> {
        self.values(name, |text| Ok(text.to_string()))
    }

    /// The `name` column as finite numbers.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the file, the line and the column when there is no such column
    /// or a field is not a finite number.
    pub fn numbers(&self, name: &str) -> Result<Vec<f64>> {
        self.values(name, |text| number_in(text, f64::is_finite, NUMBER))
    }

    /// The `name` column as probabilities: numbers from 0 to 1 (treatysim writes nothing else
    /// there, so anything else is an edited or foreign file).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the file, the line and the column when there is no such column
    /// or a field is not a number from 0 to 1.
    pub fn probabilities(&self, name: &str) -> Result<Vec<f64>> {
        self.values(name, |text| number_in(text, is_probability, PROBABILITY))
    }

    /// The `name` column as probabilities (numbers from 0 to 1) or, where a field is empty,
    /// `None`.
    ///
    /// # Errors
    /// As [`Table::probabilities`], but for empty fields.
    pub fn optional_probabilities(&self, name: &str) -> Result<Vec<Option<f64>>> {
        self.values(name, |text| optional(text, is_probability, PROBABILITY))
    }

    /// The `name` column as finite numbers or, where a field is empty, `None`.
    ///
    /// # Errors
    /// As [`Table::numbers`], but for empty fields.
    pub fn optional_numbers(&self, name: &str) -> Result<Vec<Option<f64>>> {
        self.values(name, |text| optional(text, f64::is_finite, NUMBER))
    }

    /// The `name` column as months (`YYYY-MM`).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the file, the line and the column when there is no such column
    /// or a field is not a month.
    pub fn months(&self, name: &str) -> Result<Vec<Month>> {
        self.values(name, |text| {
            Month::parse(text.trim()).map_err(|_| "a month (YYYY-MM)".to_string())
        })
    }
}

/// What a number column accepts, for messages.
pub(super) const NUMBER: &str = "a number";
/// What a probability column accepts, for messages.
pub(super) const PROBABILITY: &str = "a number from 0 to 1 (a probability)";

pub(super) fn is_probability(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// A field as a number that `accept` takes, or `what` it should have been.
pub(super) fn number_in(
    text: &str,
    accept: fn(f64) -> bool,
    what: &str,
) -> std::result::Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| accept(*x))
        .ok_or_else(|| what.to_string())
}

/// [`number_in`], or `None` for an empty field.
pub(super) fn optional(
    text: &str,
    accept: fn(f64) -> bool,
    what: &str,
) -> std::result::Result<Option<f64>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    number_in(text, accept, &format!("{what} or empty")).map(Some)
}

/// A CSV field as text an SVG document can hold: control characters (which XML 1.0 forbids,
/// and a hand-edited file may contain) become U+FFFD. plotters escapes `<`, `>` and `&`.
pub(super) fn printable(field: &str) -> String {
    field
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// What a plot's numbers came from, as its CSV files record it: trials, seed, deadline and
/// estimator (SPEC §8: every plot states its trials, seed and deadline). Each is the text of
/// its column, or a range when the rows differ, or `None` when no file records it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// Number of trials.
    pub trials: Option<String>,
    /// Seed of the random streams.
    pub seed: Option<String>,
    /// The month before which the treaty must be signed.
    pub deadline: Option<String>,
    /// `conditional` or `indicator`.
    pub estimator: Option<String>,
}

impl Facts {
    /// The facts recorded in `table`'s `trials`, `seed`, `deadline` and `estimator` columns
    /// (those it has).
    pub fn from_table(table: &Table) -> Facts {
        Facts::of_rows(table, |_| true)
    }

    /// As [`Facts::from_table`], from the rows (counted from 0) that `keep` keeps.
    pub fn of_rows(table: &Table, keep: impl Fn(usize) -> bool) -> Facts {
        let column = |name: &str| {
            table.texts(name).ok().and_then(|values| {
                let kept: Vec<String> = values
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| keep(*i))
                    .map(|(_, v)| v)
                    .collect();
                summarise(&kept)
            })
        };
        Facts {
            trials: column("trials"),
            seed: column("seed"),
            deadline: column("deadline"),
            estimator: column("estimator"),
        }
    }

    /// These facts, with those missing taken from `other`.
    pub fn or(self, other: Facts) -> Facts {
        Facts {
            trials: self.trials.or(other.trials),
            seed: self.seed.or(other.seed),
            deadline: self.deadline.or(other.deadline),
            estimator: self.estimator.or(other.estimator),
        }
    }

    /// One line for under a title: `200000 trials · seed 42 · deadline 2021-09 · conditional`,
    /// saying which are not recorded.
    pub fn line(&self) -> String {
        self.parts(true).join(" · ")
    }

    /// As [`Facts::line`] without the deadline, for a row that names its deadline itself.
    pub fn run_line(&self) -> String {
        self.parts(false).join(" · ")
    }

    fn parts(&self, deadline: bool) -> Vec<String> {
        let mut parts = vec![
            self.trials
                .as_ref()
                .map_or("trials not recorded".into(), |t| format!("{t} trials")),
            self.seed
                .as_ref()
                .map_or("seed not recorded".into(), |s| format!("seed {s}")),
        ];
        if deadline {
            parts.push(
                self.deadline
                    .as_ref()
                    .map_or("deadline not recorded".into(), |d| format!("deadline {d}")),
            );
        }
        parts.extend(self.estimator.clone());
        parts
    }
}

/// The distinct values of a column, in one short text: the value when all rows agree, the
/// lowest to the highest when they are numbers (or months) that differ, else the first few.
pub(super) fn summarise(values: &[String]) -> Option<String> {
    let mut distinct: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    let shorten = |v: &str| -> String {
        if v.chars().count() > 24 {
            v.chars().take(23).chain(['…']).collect()
        } else {
            v.to_string()
        }
    };
    match distinct.as_slice() {
        [] => None,
        [only] => Some(shorten(only)),
        many => {
            let numbers: Option<Vec<f64>> = many.iter().map(|v| v.parse::<f64>().ok()).collect();
            Some(match numbers {
                Some(mut numbers) => {
                    numbers.sort_by(f64::total_cmp);
                    format!(
                        "{}–{}",
                        short_number(numbers[0]),
                        short_number(numbers[numbers.len() - 1])
                    )
                }
                // Months (YYYY-MM) sort as text.
                None if many.iter().all(|v| Month::parse(v).is_ok()) => {
                    format!("{}–{}", many[0], many[many.len() - 1])
                }
                None => format!("{}, {}…", shorten(many[0]), shorten(many[1])),
            })
        }
    }
}

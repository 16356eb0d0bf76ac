//! SVG plots of the CSV outputs (SPEC §8 "Plots"), drawn with plotters' SVG backend.
//!
//! Each plot has a reader, which turns a CSV file into the numbers it draws (errors name the
//! file, the line and the column), and a renderer, which turns them into an SVG document held
//! in a `String`. `treatysim plot` (`cmd/plot.rs`) decides which files to read and writes the
//! documents with [`crate::export::write_atomic`].
//!
//! Probabilities are drawn as percentages. plotters is built without a font feature, so it
//! reads no system fonts: it estimates text widths itself and writes text as SVG `<text>`
//! elements, which the viewer renders in its own sans-serif font.

use crate::error::{Error, Result};
use crate::month::Month;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;
use std::path::{Path, PathBuf};

mod calibration;
mod pool;
mod timelines;

pub use calibration::{Calibration, CalibrationBin, calibration_svg, point_radius};
pub use pool::{Pool, PoolRow, pool_svg};
pub use timelines::{Timelines, timelines_svg};

/// Width of every plot, in pixels.
const WIDTH: u32 = 960;
/// Colour of lines, points and the heat map's text on light cells.
const INK: RGBColor = RGBColor(33, 33, 33);
/// Colour of a probability curve and its points.
const LINE: RGBColor = RGBColor(31, 119, 180);
/// Colour of the tornado bars of parameters whose higher values raise the probability.
const RAISES: RGBColor = RGBColor(31, 119, 180);
/// Colour of the tornado bars of parameters whose higher values lower the probability.
const LOWERS: RGBColor = RGBColor(230, 126, 34);
/// Opacity of a 95% band.
const BAND_OPACITY: f64 = 0.25;
/// Opacity of grid lines.
const GRID_OPACITY: f64 = 0.12;

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

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

    /// Whether the table has a column called `name`.
    pub fn has_column(&self, name: &str) -> bool {
        self.header.iter().any(|h| h == name)
    }

    fn column(&self, name: &str) -> Result<usize> {
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
const NUMBER: &str = "a number";
/// What a probability column accepts, for messages.
const PROBABILITY: &str = "a number from 0 to 1 (a probability)";

fn is_probability(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// A field as a number that `accept` takes, or `what` it should have been.
fn number_in(text: &str, accept: fn(f64) -> bool, what: &str) -> std::result::Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| accept(*x))
        .ok_or_else(|| what.to_string())
}

/// [`number_in`], or `None` for an empty field.
fn optional(
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
fn printable(field: &str) -> String {
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
fn summarise(values: &[String]) -> Option<String> {
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

/// A curve with its 95% band; probabilities as fractions (0–1), sorted by `x`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Band {
    /// Positions along the x axis.
    pub x: Vec<f64>,
    /// The estimate at each position.
    pub probability: Vec<f64>,
    /// Lower end of the 95% interval.
    pub low: Vec<f64>,
    /// Upper end of the 95% interval.
    pub high: Vec<f64>,
}

impl Band {
    /// Builds a band from unsorted points `(x, probability, low, high)`, sorting them by `x`.
    pub fn from_points(mut points: Vec<(f64, f64, f64, f64)>) -> Band {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut band = Band::default();
        for (x, probability, low, high) in points {
            band.x.push(x);
            band.probability.push(probability);
            band.low.push(low);
            band.high.push(high);
        }
        band
    }

    /// The highest value drawn (estimate or upper bound).
    fn top(&self) -> f64 {
        self.high
            .iter()
            .chain(&self.probability)
            .fold(0.0, |a: f64, &b| a.max(b))
    }
}

/// `timeline.csv`: the cumulative probability by month with its 95% band, and the remaining
/// probability.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Scenario name, for the title.
    pub scenario: String,
    /// The earliest month; `band.x` counts months from it.
    pub start: Month,
    /// Cumulative probability (`cumulative_probability`, `ci95_low`, `ci95_high`) by month.
    pub band: Band,
    /// Remaining probability by month, P(signed in this month or later, before the deadline |
    /// not signed before it) (SPEC §6), at the same positions as `band`.
    pub remaining: Band,
    /// Whether `remaining` has a 95% band (read from the file's `remaining_ci95_low` and
    /// `remaining_ci95_high`); otherwise it was computed from the cumulative curve and its
    /// `low` and `high` equal its `probability`.
    pub remaining_interval: bool,
    /// Trials, seed, deadline and estimator (the deadline is the month after the last one
    /// until the scenario's `summary.csv` says otherwise).
    pub facts: Facts,
    /// The top of the y axis as a probability, when several timelines share one scale
    /// (`plot --common-scale`); otherwise the axis fits this timeline.
    pub y_top: Option<f64>,
}

impl Timeline {
    /// Reads `timeline.csv`: columns `month`, `cumulative_probability`, `ci95_low`,
    /// `ci95_high` and, when present, `remaining_probability`, `remaining_ci95_low`,
    /// `remaining_ci95_high` (others are ignored).
    ///
    /// # Errors
    /// When the file cannot be read or a column is missing or malformed.
    pub fn read(path: &Path, scenario: &str) -> Result<Timeline> {
        Timeline::from_table(&Table::read(path)?, scenario)
    }

    /// As [`Timeline::read`], from a table already read.
    ///
    /// # Errors
    /// When a column is missing or malformed.
    pub fn from_table(table: &Table, scenario: &str) -> Result<Timeline> {
        let months = table.months("month")?;
        let cumulative = table.probabilities("cumulative_probability")?;
        let low = table.probabilities("ci95_low")?;
        let high = table.probabilities("ci95_high")?;
        let remaining = if table.has_column("remaining_probability") {
            Some((
                table.optional_probabilities("remaining_probability")?,
                table.optional_probabilities("remaining_ci95_low")?,
                table.optional_probabilities("remaining_ci95_high")?,
            ))
        } else {
            None
        };
        let (Some(&start), Some(&last)) = (months.iter().min(), months.iter().max()) else {
            return Err(Error::Invalid(format!(
                "'{}' has no months",
                table.path().display()
            )));
        };
        let mut order: Vec<usize> = (0..months.len()).collect();
        order.sort_by_key(|&i| months[i]);
        let x = |i: usize| start.months_until(months[i]) as f64;
        let band = Band::from_points(
            order
                .iter()
                .map(|&i| (x(i), cumulative[i], low[i], high[i]))
                .collect(),
        );
        // Empty fields: nothing left to forecast (no row), or a pool's curve without a band.
        let remaining_interval = remaining
            .as_ref()
            .is_some_and(|(_, low, high)| low.iter().chain(high).any(Option::is_some));
        let remaining = match remaining {
            Some((p, low, high)) => Band::from_points(
                order
                    .iter()
                    .filter_map(|&i| {
                        let p = p[i]?;
                        Some((x(i), p, low[i].unwrap_or(p), high[i].unwrap_or(p)))
                    })
                    .collect(),
            ),
            None => {
                let p = remaining_from_cumulative(&band.probability);
                Band::from_points(band.x.iter().zip(p).map(|(&x, p)| (x, p, p, p)).collect())
            }
        };
        Ok(Timeline {
            scenario: scenario.to_string(),
            start,
            band,
            remaining,
            remaining_interval,
            facts: Facts {
                deadline: Some(last.plus(1).to_string()),
                ..Facts::default()
            },
            y_top: None,
        })
    }

    /// The highest value drawn, cumulative or remaining, with their bands.
    pub fn top(&self) -> f64 {
        self.band.top().max(self.remaining.top())
    }
}

/// The remaining probability from a cumulative curve F (sorted by month), for files written
/// before `timeline.csv` had it: [`crate::stats::remaining_curve`].
pub fn remaining_from_cumulative(cumulative: &[f64]) -> Vec<f64> {
    crate::stats::remaining_curve(cumulative)
}

/// One bar of a tornado chart.
#[derive(Clone, Debug, PartialEq)]
pub struct TornadoBar {
    /// The parameter's key, e.g. `japan.will`.
    pub parameter: String,
    /// Treaty probability with the parameter's draw in its lowest bin.
    pub low: f64,
    /// Treaty probability with the parameter's draw in its highest bin.
    pub high: f64,
    /// Its first- and total-order Sobol indices, when the file has them.
    pub indices: Option<(f64, f64)>,
}

/// `sensitivity.csv`, drawn as a tornado chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    /// Scenario name, for the title.
    pub scenario: String,
    /// The bars, in the file's order (largest total-order index first).
    pub bars: Vec<TornadoBar>,
    /// The first- and total-order indices of `chance`, the randomness inside a trial (a row
    /// without bins, so without a bar).
    pub chance: Option<(f64, f64)>,
    /// The overall treaty probability the bars are drawn around.
    pub overall: f64,
    /// Whether `overall` is the study's own probability (its `probability` column, or for an
    /// older file its scenario's `summary.csv`); otherwise it is the mean of the bars'
    /// midpoints.
    pub overall_from_summary: bool,
    /// Trials, seed and estimator of the study; the deadline from the scenario's
    /// `summary.csv`.
    pub facts: Facts,
}

impl Tornado {
    /// Reads `sensitivity.csv` (columns `parameter`, `probability_low`, `probability_high`, and
    /// when present `first_order`, `total_order` and `probability`) and, for a file without
    /// `probability`, the overall probability from `summary` when it exists.
    ///
    /// # Errors
    /// When a file cannot be read or a column is missing or malformed.
    pub fn read(path: &Path, summary: &Path, scenario: &str) -> Result<Tornado> {
        let table = Table::read(path)?;
        let summary = if summary.is_file() {
            Some(Table::read(summary)?)
        } else {
            None
        };
        let overall = if table.has_column("probability") {
            table.numbers("probability")?.first().copied()
        } else {
            match &summary {
                Some(summary) if summary.has_column("probability") => {
                    summary.probabilities("probability")?.first().copied()
                }
                _ => None,
            }
        };
        let mut tornado = Tornado::from_table(&table, overall, scenario)?;
        if let Some(summary) = &summary {
            tornado.facts = tornado.facts.or(Facts::from_table(summary));
        }
        Ok(tornado)
    }

    /// As [`Tornado::read`], from a table already read and the overall probability if known.
    ///
    /// # Errors
    /// When a column is missing or malformed.
    pub fn from_table(table: &Table, overall: Option<f64>, scenario: &str) -> Result<Tornado> {
        let parameters = table.texts("parameter")?;
        let low = table.optional_numbers("probability_low")?;
        let high = table.optional_numbers("probability_high")?;
        let indices: Vec<Option<(f64, f64)>> =
            if table.has_column("first_order") && table.has_column("total_order") {
                let first = table.numbers("first_order")?;
                let total = table.numbers("total_order")?;
                first.into_iter().zip(total).map(Some).collect()
            } else {
                vec![None; parameters.len()]
            };
        let mut bars = Vec::new();
        let mut chance = None;
        for (((parameter, low), high), indices) in
            parameters.into_iter().zip(low).zip(high).zip(indices)
        {
            match (low, high) {
                (Some(low), Some(high)) => bars.push(TornadoBar {
                    parameter,
                    low,
                    high,
                    indices,
                }),
                _ => chance = chance.or(indices),
            }
        }
        let midpoint =
            bars.iter().map(|b| (b.low + b.high) / 2.0).sum::<f64>() / bars.len().max(1) as f64;
        Ok(Tornado {
            scenario: scenario.to_string(),
            overall: overall.unwrap_or(midpoint),
            overall_from_summary: overall.is_some(),
            chance,
            bars,
            facts: Facts::from_table(table),
        })
    }
}

/// A sweep over one parameter: the probability as a curve with its band.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepLine {
    /// Scenario name, for the title.
    pub scenario: String,
    /// The swept parameter's key.
    pub key: String,
    /// Probability by parameter value.
    pub band: Band,
    /// Trials, seed and estimator of the sweep; the deadline from the scenario's
    /// `summary.csv`.
    pub facts: Facts,
    /// The scenario's own value or central 90% of the parameter, when known.
    pub own: Option<Own>,
    /// Why `own` is not known, for a note under the title.
    pub own_note: Option<String>,
}

/// The scenario's own setting of a swept parameter, marked on the sweep's plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Own {
    /// A constant: marked with a line.
    Value(f64),
    /// A distribution's central 90%, from its 5% to its 95% quantile: a shaded span.
    Span(f64, f64),
}

impl Own {
    /// The lowest and highest value marked.
    fn ends(self) -> (f64, f64) {
        match self {
            Own::Value(v) => (v, v),
            Own::Span(lo, hi) => (lo, hi),
        }
    }

    /// How the legend names it.
    fn describe(self) -> String {
        match self {
            Own::Value(v) => format!("the scenario's value, {}", short_number(v)),
            Own::Span(lo, hi) => format!(
                "the scenario's central 90%, {} to {}",
                short_number(lo),
                short_number(hi)
            ),
        }
    }
}

/// One cell of a two-parameter sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cell {
    /// The first parameter's value.
    pub x: f64,
    /// The second parameter's value.
    pub y: f64,
    /// The treaty probability there.
    pub probability: f64,
}

/// A sweep over two parameters, drawn as a heat map.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepGrid {
    /// Scenario name, for the title.
    pub scenario: String,
    /// The first parameter's key (x axis).
    pub x_key: String,
    /// The second parameter's key (y axis).
    pub y_key: String,
    /// One cell per row of the file.
    pub cells: Vec<Cell>,
    /// Trials, seed and estimator of the sweep; the deadline from the scenario's
    /// `summary.csv`.
    pub facts: Facts,
    /// The scenario's own setting of the first and the second parameter, when known.
    pub own: [Option<Own>; 2],
    /// Why `own` is not known, for a note under the title.
    pub own_note: Option<String>,
}

/// A `sweep-KEY.csv` or `sweep-KEY-KEY2.csv` file.
#[derive(Clone, Debug, PartialEq)]
pub enum Sweep {
    /// One parameter: a line.
    Line(SweepLine),
    /// Two parameters: a heat map.
    Grid(SweepGrid),
}

impl Sweep {
    /// Reads a sweep file. The parameter columns are those between `scenario` and
    /// `probability`: one makes a line (with `ci95_low` and `ci95_high`), two a heat map.
    ///
    /// # Errors
    /// When the file cannot be read, a column is missing or malformed, or there are not one or
    /// two parameter columns.
    pub fn read(path: &Path, scenario: &str) -> Result<Sweep> {
        Sweep::from_table(&Table::read(path)?, scenario)
    }

    /// As [`Sweep::read`], from a table already read.
    ///
    /// # Errors
    /// When a column is missing or malformed, or there are not one or two parameter columns.
    pub fn from_table(table: &Table, scenario: &str) -> Result<Sweep> {
        let keys = sweep_keys(table)?;
        let probability = table.probabilities("probability")?;
        match keys {
            [key] => {
                let x = table.numbers(key)?;
                let low = table.probabilities("ci95_low")?;
                let high = table.probabilities("ci95_high")?;
                let points = (0..x.len())
                    .map(|i| (x[i], probability[i], low[i], high[i]))
                    .collect();
                Ok(Sweep::Line(SweepLine {
                    scenario: scenario.to_string(),
                    key: key.clone(),
                    band: Band::from_points(points),
                    facts: Facts::from_table(table),
                    own: None,
                    own_note: None,
                }))
            }
            [x_key, y_key] => {
                let x = table.numbers(x_key)?;
                let y = table.numbers(y_key)?;
                let cells = (0..x.len())
                    .map(|i| Cell {
                        x: x[i],
                        y: y[i],
                        probability: probability[i],
                    })
                    .collect();
                Ok(Sweep::Grid(SweepGrid {
                    scenario: scenario.to_string(),
                    x_key: x_key.clone(),
                    y_key: y_key.clone(),
                    cells,
                    facts: Facts::from_table(table),
                    own: [None, None],
                    own_note: None,
                }))
            }
            _ => Err(Error::Invalid(format!(
                "'{}' has {} parameter columns between 'scenario' and 'trials' ({}); a sweep has one or two",
                table.path().display(),
                keys.len(),
                keys.join(",")
            ))),
        }
    }
}

/// The parameter columns of a sweep file: those between `scenario` and `trials` (the columns
/// `trials,seed,estimator` come before `probability`).
fn sweep_keys(table: &Table) -> Result<&[String]> {
    let first = table.column("scenario")?;
    let last = table.column("trials")?;
    Ok(table.header().get(first + 1..last).unwrap_or_default())
}

/// One row of `<out>/summary.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// Scenario name.
    pub scenario: String,
    /// Deadline month, as written.
    pub deadline: String,
    /// Trials, seed and estimator, as written (`None` when the file has no such column).
    pub facts: Facts,
    /// P(treaty before the deadline).
    pub probability: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
    /// The `--set` arguments it ran with, as the `overrides` column holds them (empty: none).
    pub overrides: String,
}

/// `<out>/summary.csv`: every scenario's probability with its interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The rows, the most probable first (ties by name).
    pub rows: Vec<SummaryRow>,
}

impl Summary {
    /// Reads `summary.csv` (columns `scenario`, `deadline`, `probability`, `ci95_low`,
    /// `ci95_high`, and `trials`, `seed`, `estimator` when present), sorted by probability.
    ///
    /// # Errors
    /// When the file cannot be read or a column is missing or malformed.
    pub fn read(path: &Path) -> Result<Summary> {
        Summary::from_table(&Table::read(path)?)
    }

    /// As [`Summary::read`], from a table already read.
    ///
    /// # Errors
    /// When a column is missing or malformed.
    pub fn from_table(table: &Table) -> Result<Summary> {
        let scenario = table.texts("scenario")?;
        let deadline = table.texts("deadline")?;
        let probability = table.probabilities("probability")?;
        let low = table.probabilities("ci95_low")?;
        let high = table.probabilities("ci95_high")?;
        let optional = |name: &str| {
            table.texts(name).map_or_else(
                |_| vec![None; scenario.len()],
                |v| v.into_iter().map(Some).collect(),
            )
        };
        let (trials, seed, estimator) =
            (optional("trials"), optional("seed"), optional("estimator"));
        let one = |value: &Option<String>| {
            value
                .as_ref()
                .and_then(|v| summarise(std::slice::from_ref(v)))
        };
        let overrides = if table.has_column("overrides") {
            table.texts("overrides")?
        } else {
            vec![String::new(); scenario.len()]
        };
        let mut rows: Vec<SummaryRow> = (0..scenario.len())
            .map(|i| SummaryRow {
                scenario: scenario[i].clone(),
                deadline: deadline[i].clone(),
                facts: Facts {
                    trials: one(&trials[i]),
                    seed: one(&seed[i]),
                    deadline: summarise(std::slice::from_ref(&deadline[i])),
                    estimator: one(&estimator[i]),
                },
                probability: probability[i],
                low: low[i],
                high: high[i],
                overrides: overrides[i].clone(),
            })
            .collect();
        rows.sort_by(|a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then_with(|| a.scenario.cmp(&b.scenario))
        });
        Ok(Summary { rows })
    }
}

// ---------------------------------------------------------------------------------------------
// Axes and labels
// ---------------------------------------------------------------------------------------------

/// A probability as a percentage with three significant digits: `5.51%`, `0.293%`, `55.1%`.
pub fn percent(probability: f64) -> String {
    let x = 100.0 * probability;
    if x == 0.0 {
        return "0%".into();
    }
    let decimals = (2.0 - x.abs().log10().floor()).clamp(0.0, 6.0) as usize;
    format!("{x:.decimals$}%")
}

/// A parameter value, short: at most four significant digits, trailing zeros removed
/// (`0.30000000000000004` → `0.3`).
pub fn short_number(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    if !(1e-4..1e9).contains(&value.abs()) {
        return format!("{value:.3e}");
    }
    let decimals = (3.0 - value.abs().log10().floor()).clamp(0.0, 10.0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A "nice" step (1, 2 or 5 × 10^k) of at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let scale = 10f64.powf(raw.log10().floor());
    let fraction = raw / scale;
    let nice = if fraction <= 1.0 + 1e-9 {
        1.0
    } else if fraction <= 2.0 + 1e-9 {
        2.0
    } else if fraction <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    nice * scale
}

/// Ticks at multiples of a nice step inside `range`, at most about `count` of them, and the
/// number of decimals their labels need. Any finite range works, up to ±f64::MAX (the span is
/// taken in pieces that cannot overflow); a range that is empty or not finite has no ticks.
fn nice_ticks(range: &Range<f64>, count: usize) -> (Vec<f64>, usize) {
    let count = count.max(1) as f64;
    if !(range.start.is_finite() && range.end.is_finite() && range.start < range.end) {
        return (Vec::new(), 0);
    }
    let step = nice_step(range.end / count - range.start / count);
    let (first, last) = (
        (range.start / step - 1e-9).ceil(),
        (range.end / step + 1e-9).floor(),
    );
    // Rounding may leave a tick or two more than `count`; never thousands.
    let gaps = last - first;
    if !(0.0..=4.0 * count).contains(&gaps) {
        return (Vec::new(), 0);
    }
    let ticks = (0..=gaps as usize)
        .map(|i| (first + i as f64) * step)
        .filter(|t| t.is_finite())
        .collect();
    let decimals = (-(step.log10() + 1e-9).floor()).clamp(0.0, 20.0) as usize;
    (ticks, decimals)
}

/// A percentage axis from 0 to a nice value above `top` (a percentage): the range, its ticks
/// and their decimals.
fn percent_axis(top: f64) -> (Range<f64>, Vec<f64>, usize) {
    let target = if top > 0.0 { top * 1.08 } else { 1.0 };
    let step = nice_step(target / 8.0);
    let end = ((target / step).ceil() * step).min(if top <= 100.0 { 100.0 } else { f64::INFINITY });
    let (ticks, decimals) = nice_ticks(&(0.0..end), 8);
    (0.0..end, ticks, decimals)
}

/// A percentage axis around the values in `values` (percentages), padded by `pad` of their
/// span on each side and kept inside 0–100%.
fn padded_percent_axis(
    values: impl Iterator<Item = f64>,
    pad: f64,
) -> (Range<f64>, Vec<f64>, usize) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let span = if hi > lo {
        hi - lo
    } else {
        (hi.abs() * 0.2).max(0.1)
    };
    let range = (lo - pad * span).max(0.0)..(hi + pad * span).min(100.0_f64.max(hi));
    let (ticks, decimals) = nice_ticks(&range, 8);
    (range, ticks, decimals)
}

/// Month ticks: every 1, 3, 6, 12… months from the start, at most ten.
fn month_ticks(last: f64) -> Vec<f64> {
    let months = last.max(0.0).round() as usize;
    let step = [1, 3, 6, 12, 24, 60, 120, 240, 600, 1200]
        .into_iter()
        .find(|step| months / step < 10)
        .unwrap_or(months.max(1));
    (0..=months).step_by(step).map(|m| m as f64).collect()
}

/// A linear axis with the tick positions given, labelled by the chart's label formatter.
struct Axis {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Axis {
    fn new(range: Range<f64>, ticks: Vec<f64>) -> Axis {
        Axis { range, ticks }
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        if span == 0.0 {
            return (limit.0 + limit.1) / 2;
        }
        let fraction = (value - self.range.start) / span;
        limit.0 + (f64::from(limit.1 - limit.0) * fraction).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// A pixel width for labels of `chars` characters at `size` (plotters' font size), with room to
/// spare: viewers' fonts are wider than plotters' estimate.
fn text_width(chars: usize, size: f64) -> u32 {
    (chars as f64 * size * 0.5).ceil() as u32
}

fn font(size: f64) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

fn desc_font() -> TextStyle<'static> {
    font(18.0)
}

fn label_font() -> TextStyle<'static> {
    font(16.0)
}

fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawError = DrawingAreaErrorKind<std::io::Error>;
type Drawn = std::result::Result<(), DrawError>;

/// Height of a plot's header: the title and, under it, the facts line.
const HEADER: u32 = 76;
/// Colour of the facts line.
const MUTED: RGBColor = RGBColor(85, 85, 85);
/// Colour of the remaining-probability curve and of pooled values.
const SECOND: RGBColor = RGBColor(230, 126, 34);
/// Colour of the span of a scenario's own central 90% on a sweep.
const OWN: RGBColor = RGBColor(120, 120, 120);
/// Colours of the runs on `timelines.svg` (matplotlib's tab10).
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Draws on a white `size` canvas and returns the SVG document.
fn render(what: &str, size: (u32, u32), draw: impl FnOnce(&Area<'_>) -> Drawn) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present())
            .map_err(|e| Error::Io {
                context: format!("could not draw {what}"),
                source: std::io::Error::other(e.to_string()),
            })?;
    }
    Ok(svg)
}

/// A font of `size` (plotters' size), smaller (down to `min`) when `text` would not fit in
/// `width` pixels.
fn fitted_font(text: &str, size: f64, min: f64, width: u32) -> TextStyle<'static> {
    let fits = f64::from(width.saturating_sub(40)) / (0.48 * text.chars().count().max(1) as f64);
    font(fits.clamp(min, size))
}

/// Draws `title` and under it `subtitle` (the facts: trials, seed, deadline) across the top
/// of `root`, and returns the area below.
fn header<'a>(
    root: &Area<'a>,
    title: &str,
    subtitle: &str,
) -> std::result::Result<Area<'a>, DrawError> {
    let (top, rest) = root.split_vertically(HEADER);
    let width = top.dim_in_pixel().0;
    let centre = (width / 2) as i32;
    let centred = |style: TextStyle<'static>| anchored(style, HPos::Center, VPos::Center);
    top.draw(&Text::new(
        title.to_string(),
        (centre, 26),
        centred(fitted_font(title, 24.0, 14.0, width)),
    ))?;
    top.draw(&Text::new(
        subtitle.to_string(),
        (centre, 58),
        centred(fitted_font(subtitle, 15.0, 10.0, width).color(&MUTED)),
    ))?;
    Ok(rest)
}

/// What a legend entry shows before its text.
#[derive(Clone, Copy, Debug)]
enum Key {
    /// A filled square, drawn as a short thick line so that it is counted with no series.
    Swatch(RGBAColor),
    /// A line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A vertical line.
    Rule(RGBColor),
    /// A white square outlined in ink.
    Box,
}

/// Height of one row of a legend, in pixels.
const LEGEND_ROW: u32 = 26;

/// The width of a legend entry, in pixels (plotters' estimate of viewers' fonts, with room).
fn legend_width(text: &str) -> i32 {
    34 + (text.chars().count() as f64 * 7.6) as i32
}

/// The legend's entries by row, filled left to right within `width` pixels.
fn legend_rows(entries: &[(Key, String)], width: u32) -> Vec<Vec<usize>> {
    const GAP: i32 = 30;
    let room = width as i32 - 40;
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, (_, text)) in entries.iter().enumerate() {
        let w = legend_width(text);
        match rows.last_mut() {
            Some(row) if used + GAP + w <= room => {
                row.push(i);
                used += GAP + w;
            }
            _ => {
                rows.push(vec![i]);
                used = w;
            }
        }
    }
    rows
}

/// The height a legend of `entries` needs in `width` pixels (0 for none).
fn legend_height(entries: &[(Key, String)], width: u32) -> u32 {
    match legend_rows(entries, width).len() {
        0 => 0,
        n => n as u32 * LEGEND_ROW + 14,
    }
}

/// A legend in pixel coordinates: rows of entries, each centred, each a key then a text.
fn draw_legend(area: &Area<'_>, entries: &[(Key, String)]) -> Drawn {
    const GAP: i32 = 30;
    let width = area.dim_in_pixel().0;
    for (r, row) in legend_rows(entries, width).iter().enumerate() {
        let total = row
            .iter()
            .map(|&i| legend_width(&entries[i].1))
            .sum::<i32>()
            + GAP * (row.len() as i32 - 1);
        let mut x = ((width as i32 - total) / 2).max(10);
        let y = 14 + r as i32 * LEGEND_ROW as i32;
        for &i in row {
            let (key, text) = &entries[i];
            let (left, right) = ((x, y), (x + 24, y));
            match *key {
                Key::Swatch(colour) => area.draw(&PathElement::new(
                    vec![(x + 5, y), (x + 19, y)],
                    colour.stroke_width(14),
                ))?,
                Key::Line(colour) => {
                    area.draw(&PathElement::new(vec![left, right], colour.stroke_width(3)))?
                }
                Key::Dashed(colour) => {
                    for k in 0..3 {
                        let a = x + 9 * k;
                        area.draw(&PathElement::new(
                            vec![(a, y), (a + 6, y)],
                            colour.stroke_width(2),
                        ))?;
                    }
                }
                Key::Rule(colour) => area.draw(&PathElement::new(
                    vec![(x + 12, y - 9), (x + 12, y + 9)],
                    colour.stroke_width(2),
                ))?,
                Key::Box => area.draw(&PathElement::new(
                    vec![
                        (x + 5, y - 6),
                        (x + 19, y - 6),
                        (x + 19, y + 6),
                        (x + 5, y + 6),
                        (x + 5, y - 6),
                    ],
                    INK.stroke_width(2),
                ))?,
            }
            area.draw(&Text::new(
                text.clone(),
                (x + 32, y),
                anchored(label_font(), HPos::Left, VPos::Center),
            ))?;
            x += legend_width(text) + GAP;
        }
    }
    Ok(())
}

/// Splits `area` into the chart above and a legend of `entries` below, and draws the legend.
fn with_legend<'a>(
    area: &Area<'a>,
    entries: &[(Key, String)],
) -> std::result::Result<Area<'a>, DrawError> {
    let (width, height) = area.dim_in_pixel();
    let legend = legend_height(entries, width).min(height / 2);
    let (chart, below) = area.split_vertically(height - legend);
    draw_legend(&below, entries)?;
    Ok(chart)
}

/// One curve of a line chart.
struct Curve<'a> {
    band: &'a Band,
    colour: RGBColor,
    /// Legend text of the line.
    label: String,
    /// Legend text of its 95% band; `None` draws no band.
    interval: Option<String>,
    /// Whether to mark each point (sweeps: the values run; a timeline of one month).
    markers: bool,
}

/// How to draw a line chart.
struct CurveSpec<'a> {
    title: String,
    subtitle: String,
    x_desc: &'a str,
    y_desc: &'a str,
    x_range: Range<f64>,
    x_ticks: Vec<f64>,
    x_label: &'a dyn Fn(&f64) -> String,
    /// The highest value to show, a percentage.
    y_top: f64,
    /// A label at the first curve's last point.
    end_label: Option<String>,
    /// The scenario's own value of the x axis' parameter (sweeps).
    own: Option<Own>,
}

/// Lines with their 95% bands as shaded polygons, on a percentage axis from 0; a legend below.
fn draw_curves(root: &Area<'_>, curves: &[Curve<'_>], spec: &CurveSpec<'_>) -> Drawn {
    let area = header(root, &spec.title, &spec.subtitle)?;
    let mut entries = Vec::new();
    for curve in curves {
        entries.push((Key::Line(curve.colour), curve.label.clone()));
        if let Some(text) = &curve.interval {
            entries.push((Key::Swatch(curve.colour.mix(BAND_OPACITY)), text.clone()));
        }
    }
    let own = spec.own.filter(|own| {
        let (lo, hi) = own.ends();
        hi >= spec.x_range.start && lo <= spec.x_range.end
    });
    match own {
        Some(own @ Own::Value(_)) => entries.push((Key::Dashed(INK), own.describe())),
        Some(own @ Own::Span(..)) => entries.push((Key::Swatch(OWN.mix(0.3)), own.describe())),
        None => {}
    }
    let area = with_legend(&area, &entries)?;
    let (y_range, y_ticks, decimals) = percent_axis(spec.y_top);
    let y_end = y_range.end;
    let y_label = |y: &f64| format!("{y:.decimals$}%");
    let mut chart = ChartBuilder::on(&area)
        .margin(20)
        .margin_top(10)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(
            Axis::new(spec.x_range.clone(), spec.x_ticks.clone()),
            Axis::new(y_range, y_ticks),
        )?;
    chart
        .configure_mesh()
        .x_desc(spec.x_desc)
        .y_desc(spec.y_desc)
        .x_label_formatter(spec.x_label)
        .y_label_formatter(&y_label)
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .bold_line_style(INK.mix(GRID_OPACITY))
        .draw()?;
    let clip = |x: f64| x.clamp(spec.x_range.start, spec.x_range.end);
    match own {
        Some(Own::Span(lo, hi)) => {
            let (lo, hi) = (clip(lo), clip(hi));
            chart.draw_series(std::iter::once(Polygon::new(
                vec![(lo, 0.0), (hi, 0.0), (hi, y_end), (lo, y_end)],
                OWN.mix(0.3).filled(),
            )))?;
        }
        Some(Own::Value(v)) => {
            chart.draw_series(DashedLineSeries::new(
                [(v, 0.0), (v, y_end)],
                8,
                5,
                INK.stroke_width(2),
            ))?;
        }
        None => {}
    }
    for curve in curves {
        let band = curve.band;
        if curve.interval.is_some() {
            let upper = band.x.iter().zip(&band.high).map(|(&x, &h)| (x, 100.0 * h));
            let lower = band
                .x
                .iter()
                .zip(&band.low)
                .rev()
                .map(|(&x, &l)| (x, 100.0 * l));
            chart.draw_series(std::iter::once(Polygon::new(
                upper.chain(lower).collect::<Vec<_>>(),
                curve.colour.mix(BAND_OPACITY).filled(),
            )))?;
        }
    }
    for curve in curves {
        let points: Vec<(f64, f64)> = curve
            .band
            .x
            .iter()
            .zip(&curve.band.probability)
            .map(|(&x, &p)| (x, 100.0 * p))
            .collect();
        chart.draw_series(LineSeries::new(
            points.clone(),
            curve.colour.stroke_width(2),
        ))?;
        if curve.markers {
            chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 4, curve.colour.filled())),
            )?;
        }
    }
    let last = curves
        .first()
        .and_then(|c| Some((*c.band.x.last()?, 100.0 * *c.band.probability.last()?)));
    if let (Some(text), Some(last)) = (&spec.end_label, last) {
        let style = anchored(label_font(), HPos::Right, VPos::Bottom);
        chart.draw_series(std::iter::once(
            EmptyElement::at(last) + Text::new(text.clone(), (-6, -10), style),
        ))?;
    }
    Ok(())
}

/// `timeline.svg`: the cumulative probability by month with its 95% band, and the remaining
/// probability (with its band when the file has one).
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn timeline_svg(timeline: &Timeline) -> Result<String> {
    let band = &timeline.band;
    let last = band.x.last().copied().unwrap_or(0.0);
    let x_range = if last > 0.0 { 0.0..last } else { -0.5..0.5 };
    let start = timeline.start;
    let month = |x: &f64| start.plus(x.round().max(0.0) as usize).to_string();
    let end_label = band
        .probability
        .last()
        .map(|&p| format!("{} by {}", percent(p), month(&last)));
    let mut subtitle = timeline.facts.line();
    if !timeline.remaining_interval {
        subtitle.push_str(" · remaining computed from the cumulative curve, without an interval");
    }
    let curves = [
        Curve {
            band,
            colour: LINE,
            label: "cumulative: P(signed by the end of the month)".into(),
            interval: Some("95% interval".into()),
            markers: band.x.len() == 1,
        },
        Curve {
            band: &timeline.remaining,
            colour: SECOND,
            label: "remaining: P(signed from the month on, before the deadline | not yet signed)"
                .into(),
            interval: timeline
                .remaining_interval
                .then(|| "95% interval (remaining)".into()),
            markers: band.x.len() == 1,
        },
    ];
    let spec = CurveSpec {
        title: format!(
            "{}: probability of a treaty, month by month",
            timeline.scenario
        ),
        subtitle,
        x_desc: "month",
        y_desc: "probability",
        x_range,
        x_ticks: month_ticks(last),
        x_label: &month,
        y_top: 100.0 * timeline.y_top.unwrap_or_else(|| timeline.top()),
        end_label,
        own: None,
    };
    render(
        &format!("the timeline of {}", timeline.scenario),
        (WIDTH, 600),
        |root| draw_curves(root, &curves, &spec),
    )
}

/// The facts line of a sweep, with a note on the scenario's own value when it is unknown or
/// off the chart.
fn sweep_subtitle(
    facts: &Facts,
    own: &[(Option<Own>, Range<f64>)],
    note: &Option<String>,
) -> String {
    let mut line = facts.line();
    if let Some(note) = note {
        line.push_str(" · ");
        line.push_str(note);
    }
    for (own, range) in own {
        if let Some(own) = own {
            let (lo, hi) = own.ends();
            if hi < range.start || lo > range.end {
                line.push_str(&format!(
                    " · {} lies outside the swept range",
                    own.describe()
                ));
            }
        }
    }
    line
}

/// `sweep-KEY.svg`: the probability against the swept parameter, with its 95% band, and the
/// scenario's own value (a dashed line) or central 90% (a shaded span) when known.
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn sweep_line_svg(sweep: &SweepLine) -> Result<String> {
    let x = &sweep.band.x;
    let (lo, hi) = (
        x.first().copied().unwrap_or(0.0),
        x.last().copied().unwrap_or(0.0),
    );
    // In halves, so that values near ±f64::MAX do not overflow to infinity.
    let pad = if hi > lo {
        0.06 * (hi / 2.0 - lo / 2.0)
    } else {
        0.5_f64.max(0.1 * lo.abs())
    };
    let x_range = (lo - pad).max(f64::MIN)..(hi + pad).min(f64::MAX);
    let (x_ticks, _) = nice_ticks(&x_range, 10);
    let curves = [Curve {
        band: &sweep.band,
        colour: LINE,
        label: "P(treaty before the deadline)".into(),
        interval: Some("95% interval".into()),
        markers: true,
    }];
    let spec = CurveSpec {
        title: format!("{}: P(treaty) as {} varies", sweep.scenario, sweep.key),
        subtitle: sweep_subtitle(
            &sweep.facts,
            &[(sweep.own, x_range.clone())],
            &sweep.own_note,
        ),
        x_desc: &sweep.key,
        y_desc: "P(treaty before the deadline)",
        x_range,
        x_ticks,
        x_label: &|v: &f64| short_number(*v),
        y_top: 100.0 * sweep.band.top(),
        end_label: None,
        own: sweep.own,
    };
    let what = format!("the sweep of {} over {}", sweep.scenario, sweep.key);
    render(&what, (WIDTH, 600), |root| {
        draw_curves(root, &curves, &spec)
    })
}

/// Row positions for a chart with one row per item, the first item at the top: item `i` sits
/// at y = n − 1 − i, on a range from −0.5 to n − 0.5 with a key point per row.
fn rows_axis(n: usize) -> (Range<f64>, Vec<f64>) {
    (-0.5..n as f64 - 0.5, (0..n).map(|i| i as f64).collect())
}

/// The item at row position `y` (see [`rows_axis`]).
fn row_item<T>(items: &[T], y: f64) -> Option<&T> {
    let from_bottom = y.round();
    if from_bottom < 0.0 {
        return None;
    }
    items
        .len()
        .checked_sub(1 + from_bottom as usize)
        .and_then(|i| items.get(i))
}

/// `sensitivity.svg`: a tornado chart, one horizontal bar per parameter from its
/// lowest-bin to its highest-bin probability, named with its first- and total-order Sobol
/// indices, around a line at the overall probability.
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn tornado_svg(tornado: &Tornado) -> Result<String> {
    let height = (250 + 40 * tornado.bars.len()).clamp(420, 4000) as u32;
    render(
        &format!("the tornado of {}", tornado.scenario),
        (WIDTH, height),
        |root| draw_tornado(root, tornado),
    )
}

/// Formats an axis value as a tick label.
type TickLabel<'a> = dyn Fn(&f64) -> String + 'a;

/// A chart with one row per item (the tornado, the summary): a probability axis across, the
/// items' names down the left (`longest` characters at most), no horizontal grid lines.
fn row_chart<'a, 'b>(
    area: &'a Area<'b>,
    x_desc: &str,
    (x_axis, y_axis): (Axis, Axis),
    longest: usize,
    (x_label, y_label): (&TickLabel<'_>, &TickLabel<'_>),
) -> std::result::Result<
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<Axis, Axis>>,
    DrawingAreaErrorKind<std::io::Error>,
> {
    let mut chart = ChartBuilder::on(area)
        .margin(20)
        .margin_top(10)
        .x_label_area_size(60)
        .y_label_area_size(text_width(longest, 16.0).saturating_add(20).min(WIDTH / 2))
        .build_cartesian_2d(x_axis, y_axis)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(x_desc)
        .x_label_formatter(x_label)
        .y_label_formatter(y_label)
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .bold_line_style(INK.mix(GRID_OPACITY))
        .draw()?;
    Ok(chart)
}

fn draw_tornado(root: &Area<'_>, tornado: &Tornado) -> Drawn {
    let bars = &tornado.bars;
    let overall_text = if tornado.overall_from_summary {
        format!("overall probability {}", percent(tornado.overall))
    } else {
        format!("midpoint {} (no summary.csv)", percent(tornado.overall))
    };
    let mut entries = vec![
        (
            Key::Swatch(RAISES.into()),
            "higher values raise P(treaty)".to_string(),
        ),
        (
            Key::Swatch(LOWERS.into()),
            "higher values lower P(treaty)".to_string(),
        ),
        (Key::Rule(INK), overall_text),
    ];
    if let Some((first, total)) = tornado.chance {
        // The randomness inside a trial has indices but no bins: a swatch of the page colour.
        entries.push((
            Key::Swatch(WHITE.into()),
            format!("chance  S {}  T {}", index_text(first), index_text(total)),
        ));
    }
    let title = format!("{}: what moves the treaty probability", tornado.scenario);
    let area = header(root, &title, &tornado.facts.line())?;
    let chart_area = with_legend(&area, &entries)?;
    let values = bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .chain([tornado.overall])
        .map(|p| 100.0 * p);
    let (x_range, x_ticks, decimals) = padded_percent_axis(values, 0.2);
    let (y_range, y_ticks) = rows_axis(bars.len());
    // Each row is named by its parameter and, when the file has them, its Sobol indices.
    let name = |b: &TornadoBar| match b.indices {
        Some((first, total)) => format!(
            "{}  S {}  T {}",
            b.parameter,
            index_text(first),
            index_text(total)
        ),
        None => b.parameter.clone(),
    };
    let longest = bars
        .iter()
        .map(|b| name(b).chars().count())
        .max()
        .unwrap_or(0);
    let x_label = |x: &f64| format!("{x:.decimals$}%");
    let y_label = |y: &f64| row_item(bars, *y).map(name).unwrap_or_default();
    let x_desc = if bars.iter().any(|b| b.indices.is_some()) {
        "treaty probability; S, T: first- and total-order Sobol indices"
    } else {
        "treaty probability"
    };
    // A label left of a bar needs about this much room before the axis starts.
    let label_room = 0.1 * (x_range.end - x_range.start);
    let axis_start = x_range.start;
    let mut chart = row_chart(
        &chart_area,
        x_desc,
        (Axis::new(x_range, x_ticks), Axis::new(y_range, y_ticks)),
        longest,
        (&x_label, &y_label),
    )?;
    for (i, bar) in bars.iter().enumerate() {
        let y = (bars.len() - 1 - i) as f64;
        let (low, high) = (100.0 * bar.low, 100.0 * bar.high);
        let colour = if high >= low { RAISES } else { LOWERS };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(low.min(high), y - 0.32), (low.max(high), y + 0.32)],
            colour.filled(),
        )))?;
        // Each end's value, outside the bar.
        let small = font(14.0);
        for (value, probability, outward) in
            [(low, bar.low, low < high), (high, bar.high, high <= low)]
        {
            // An outward label that would run into the parameter names goes inside the bar.
            let fits = !outward || value - axis_start >= label_room;
            let (h, dx) = match (outward, fits) {
                (true, true) => (HPos::Right, -5),
                (true, false) => (HPos::Left, 5),
                (false, _) => (HPos::Left, 5),
            };
            let colour: &'static RGBColor = if fits { &INK } else { &WHITE };
            let style = anchored(small.clone().color(colour), h, VPos::Center);
            chart.draw_series(std::iter::once(
                EmptyElement::at((value, y)) + Text::new(percent(probability), (dx, 0), style),
            ))?;
        }
    }
    let overall = 100.0 * tornado.overall;
    let top = bars.len() as f64 - 0.5;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(overall, -0.5), (overall, top)],
        INK.stroke_width(2),
    )))?;
    Ok(())
}

/// A Sobol index to two decimals, without the sign of an estimate that rounds to 0.
fn index_text(index: f64) -> String {
    format!("{:.2}", if index.abs() < 0.005 { 0.0 } else { index })
}

/// One row of a dot-and-whisker chart.
struct DotRow {
    /// The row's name, left of the axis.
    label: String,
    probability: f64,
    low: f64,
    high: f64,
    colour: RGBColor,
}

/// The height of a dot-and-whisker chart of `rows` rows.
fn dots_height(rows: usize) -> u32 {
    (220 + 44 * rows).clamp(360, 4000) as u32
}

/// A dot-and-whisker chart: one row per item, the first on top, each a point at its
/// probability with its 95% interval as whiskers and the numbers beside it; a legend below.
fn draw_dots(
    root: &Area<'_>,
    (title, subtitle): (&str, &str),
    x_desc: &str,
    rows: &[DotRow],
    entries: &[(Key, String)],
) -> Drawn {
    let area = header(root, title, subtitle)?;
    let area = with_legend(&area, entries)?;
    let top = rows
        .iter()
        .map(|r| r.high.max(r.probability))
        .fold(0.0, f64::max);
    let (x_range, x_ticks, decimals) = percent_axis(100.0 * top);
    let x_end = x_range.end;
    let (y_range, y_ticks) = rows_axis(rows.len());
    let longest = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    let x_label = |x: &f64| format!("{x:.decimals$}%");
    let y_label = |y: &f64| {
        row_item(rows, *y)
            .map(|r| r.label.clone())
            .unwrap_or_default()
    };
    let mut chart = row_chart(
        &area,
        x_desc,
        (Axis::new(x_range, x_ticks), Axis::new(y_range, y_ticks)),
        longest,
        (&x_label, &y_label),
    )?;
    for (i, row) in rows.iter().enumerate() {
        let y = (rows.len() - 1 - i) as f64;
        let (p, low, high) = (100.0 * row.probability, 100.0 * row.low, 100.0 * row.high);
        let whisker = INK.stroke_width(2);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(low, y), (high, y)],
            whisker,
        )))?;
        // End caps 12 pixels tall, whatever the row height.
        chart.draw_series([low, high].map(|x| {
            EmptyElement::at((x, y)) + PathElement::new(vec![(0, -6), (0, 6)], whisker)
        }))?;
        chart.draw_series(std::iter::once(Circle::new((p, y), 6, row.colour.filled())))?;
        let text = format!(
            "{} ({}–{})",
            percent(row.probability),
            percent(row.low),
            percent(row.high)
        );
        // Right of the point, or left of it in the right third, so that it stays in the chart.
        let (h, dx) = if p > x_end * 0.66 {
            (HPos::Right, -6)
        } else {
            (HPos::Left, 6)
        };
        let style = anchored(font(14.0), h, VPos::Bottom);
        chart.draw_series(std::iter::once(
            EmptyElement::at((p, y)) + Text::new(text, (dx, -10), style),
        ))?;
    }
    Ok(())
}

/// The rows of `summary.svg` and its facts line: each row is named with its deadline and,
/// when the runs differ in trials, seed or estimator, with those too.
fn summary_rows(summary: &Summary) -> (Vec<DotRow>, String) {
    let rows = &summary.rows;
    let same = |f: fn(&Facts) -> &Option<String>| {
        rows.windows(2).all(|w| f(&w[0].facts) == f(&w[1].facts))
    };
    let (same_runs, same_deadline) = (
        same(|f| &f.trials) && same(|f| &f.seed) && same(|f| &f.estimator),
        same(|f| &f.deadline),
    );
    let subtitle = match rows.first() {
        Some(first) if same_runs && same_deadline => format!("every run: {}", first.facts.line()),
        _ => "the runs differ in trials, seed, estimator or deadline: each row states its own"
            .to_string(),
    };
    let dots = rows
        .iter()
        .map(|row| {
            let mut label = format!("{} · before {}", row.scenario, row.deadline);
            if !same_runs {
                let rest = row.facts.run_line();
                label = format!("{label} · {rest}");
            }
            // The overrides themselves are in summary.csv's `overrides` column; a label that
            // held them would crowd the axis out of the picture.
            if !row.overrides.is_empty() {
                label = format!("{label} · with --set");
            }
            DotRow {
                label,
                probability: row.probability,
                low: row.low,
                high: row.high,
                colour: LINE,
            }
        })
        .collect();
    (dots, subtitle)
}

/// `summary.svg`: every run's probability as a point with its 95% interval as whiskers, one
/// row per run, the most probable on top, each named with its deadline.
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn summary_svg(summary: &Summary) -> Result<String> {
    let (rows, subtitle) = summary_rows(summary);
    let title = "P(treaty before the deadline) by run, most probable first, with 95% intervals";
    render("the summary", (WIDTH, dots_height(rows.len())), |root| {
        draw_dots(
            root,
            (title, &subtitle),
            "P(treaty before the row's deadline)",
            &rows,
            &[],
        )
    })
}

/// The distinct values of `values`, sorted.
fn distinct(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    values
}

/// Cell edges around sorted distinct `values`: midpoints between neighbours, and half a step
/// beyond each end (±0.5 for a single value).
fn cell_edges(values: &[f64]) -> Vec<f64> {
    match values {
        [] => vec![-0.5, 0.5],
        [only] => {
            let half = 0.5_f64.max(0.1 * only.abs());
            vec![(only - half).max(f64::MIN), (only + half).min(f64::MAX)]
        }
        // In halves, so that values near ±f64::MAX do not overflow to infinity.
        [first, second, ..] => {
            let mut edges = vec![(first - (second / 2.0 - first / 2.0)).max(f64::MIN)];
            edges.extend(values.windows(2).map(|w| w[0] / 2.0 + w[1] / 2.0));
            let n = values.len();
            let last = values[n - 1] + (values[n - 1] / 2.0 - values[n - 2] / 2.0);
            edges.push(last.min(f64::MAX));
            edges
        }
    }
}

/// At most about ten of `values`, evenly picked, as tick positions.
fn value_ticks(values: &[f64]) -> Vec<f64> {
    let step = values.len().div_ceil(10).max(1);
    values.iter().step_by(step).copied().collect()
}

/// `sweep-KEY-KEY2.svg`: a heat map of the probability over two parameters, one rectangle per
/// cell, with a smooth colour bar, and the scenario's own setting of each parameter along its
/// axis (a distribution's central 90%: a white bar; a constant: a white pointer).
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn heatmap_svg(grid: &SweepGrid) -> Result<String> {
    let what = format!(
        "the sweep of {} over {} and {}",
        grid.scenario, grid.x_key, grid.y_key
    );
    let svg = render(&what, (WIDTH, 700), |root| draw_heatmap(root, grid))?;
    Ok(smooth_colour_bar(&svg))
}

/// The fill of the colour bar's placeholder rectangle, replaced by a gradient once drawn.
const BAR_PLACEHOLDER: RGBColor = RGBColor(1, 2, 3);

/// Replaces the colour bar's placeholder fill with a vertical viridis gradient (plotters has
/// no gradients): SVG viewers interpolate it smoothly between its stops.
fn smooth_colour_bar(svg: &str) -> String {
    const STOPS: usize = 16;
    let placeholder = format!(
        "fill=\"#{:02X}{:02X}{:02X}\"",
        BAR_PLACEHOLDER.0, BAR_PLACEHOLDER.1, BAR_PLACEHOLDER.2
    );
    let Some(open_end) = svg
        .find("<svg")
        .and_then(|at| svg[at..].find('>').map(|end| at + end + 1))
    else {
        return svg.to_string();
    };
    let mut defs = String::from(
        "\n<defs><linearGradient id=\"colour-bar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">",
    );
    for k in 0..=STOPS {
        let t = k as f64 / STOPS as f64;
        let RGBColor(r, g, b) = ViridisRGB::get_color(t);
        defs.push_str(&format!(
            "<stop offset=\"{t}\" stop-color=\"#{r:02X}{g:02X}{b:02X}\"/>"
        ));
    }
    defs.push_str("</linearGradient></defs>");
    let (head, body) = svg.split_at(open_end);
    format!(
        "{head}{defs}{}",
        body.replace(&placeholder, "fill=\"url(#colour-bar)\"")
    )
}

fn draw_heatmap(root: &Area<'_>, grid: &SweepGrid) -> Drawn {
    let xs = distinct(grid.cells.iter().map(|c| c.x));
    let ys = distinct(grid.cells.iter().map(|c| c.y));
    let (x_edges, y_edges) = (cell_edges(&xs), cell_edges(&ys));
    let span = |edges: &[f64]| edges[0]..edges[edges.len() - 1];
    let (x_span, y_span) = (span(&x_edges), span(&y_edges));
    let min = grid
        .cells
        .iter()
        .map(|c| c.probability)
        .fold(f64::INFINITY, f64::min);
    let max = grid
        .cells
        .iter()
        .map(|c| c.probability)
        .fold(f64::NEG_INFINITY, f64::max);
    let shade = |p: f64| {
        if max > min {
            ((p - min) / (max - min)).clamp(0.0, 1.0)
        } else {
            0.5
        }
    };
    let title = format!(
        "{}: P(treaty) by {} and {} (min {}, max {})",
        grid.scenario,
        grid.x_key,
        grid.y_key,
        percent(min),
        percent(max)
    );
    let subtitle = sweep_subtitle(
        &grid.facts,
        &[(grid.own[0], x_span.clone()), (grid.own[1], y_span.clone())],
        &grid.own_note,
    );
    let area = header(root, &title, &subtitle)?;
    // Each key's own setting, as a bar (or, for a constant, a pointer) along its axis: inside
    // the chart's edge, clear of the cells' labels.
    let inside = |own: Option<Own>, range: &Range<f64>| {
        own.map(Own::ends)
            .filter(|&(lo, hi)| hi >= range.start && lo <= range.end)
            .map(|(lo, hi)| (lo.max(range.start), hi.min(range.end)))
    };
    let marks = [inside(grid.own[0], &x_span), inside(grid.own[1], &y_span)];
    let mut entries = Vec::new();
    for ((own, key), mark) in grid.own.iter().zip([&grid.x_key, &grid.y_key]).zip(marks) {
        if let (Some(own), Some(_)) = (own, mark) {
            entries.push((Key::Box, format!("{key}: {}", own.describe())));
        }
    }
    let area = with_legend(&area, &entries)?;
    let (main, legend) = area.split_horizontally(WIDTH - 130);
    let mut chart = ChartBuilder::on(&main)
        .margin(20)
        .margin_top(10)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(
            Axis::new(x_span.clone(), value_ticks(&xs)),
            Axis::new(y_span.clone(), value_ticks(&ys)),
        )?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(grid.x_key.as_str())
        .y_desc(grid.y_key.as_str())
        .x_label_formatter(&|v| short_number(*v))
        .y_label_formatter(&|v| short_number(*v))
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .draw()?;
    let labelled = xs.len() <= 12 && ys.len() <= 12;
    for cell in &grid.cells {
        let (Ok(i), Ok(j)) = (
            xs.binary_search_by(|v| v.total_cmp(&cell.x)),
            ys.binary_search_by(|v| v.total_cmp(&cell.y)),
        ) else {
            continue;
        };
        let t = shade(cell.probability);
        let rect = [(x_edges[i], y_edges[j]), (x_edges[i + 1], y_edges[j + 1])];
        chart.draw_series(std::iter::once(Rectangle::new(
            rect,
            ViridisRGB::get_color(t).filled(),
        )))?;
        if labelled {
            let colour = if t < 0.6 { &WHITE } else { &INK };
            let style = ("sans-serif", 14.0)
                .into_font()
                .color(colour)
                .pos(Pos::new(HPos::Center, VPos::Center));
            chart.draw_series(std::iter::once(Text::new(
                percent(cell.probability),
                (cell.x, cell.y),
                style,
            )))?;
        }
    }
    for (axis, mark) in marks.into_iter().enumerate() {
        let Some((lo, hi)) = mark else { continue };
        // In halves, so that spans near ±f64::MAX do not overflow.
        let across = |r: &Range<f64>, f: f64| r.start + f * (r.end / 2.0 - r.start / 2.0) * 2.0;
        let along = if axis == 0 { &x_span } else { &y_span };
        let edge = if axis == 0 { &y_span } else { &x_span };
        let (thin, wide) = (across(edge, 0.02), across(along, 0.012) - along.start);
        let shape: Vec<(f64, f64)> = if lo == hi {
            // A pointer at the value.
            vec![
                (lo - wide, edge.start),
                (lo + wide, edge.start),
                (lo, across(edge, 0.05)),
            ]
        } else {
            vec![(lo, edge.start), (hi, edge.start), (hi, thin), (lo, thin)]
        };
        let shape: Vec<(f64, f64)> = if axis == 0 {
            shape
        } else {
            shape.into_iter().map(|(a, b)| (b, a)).collect()
        };
        let mut outline = shape.clone();
        outline.extend(shape.first().copied());
        chart.draw_series(std::iter::once(Polygon::new(shape, WHITE.filled())))?;
        chart.draw_series(std::iter::once(PathElement::new(
            outline,
            INK.stroke_width(2),
        )))?;
    }
    draw_colour_bar(&legend, 100.0 * min, 100.0 * max)
}

/// A vertical colour bar from `min` to `max` (percentages): one rectangle filled with a
/// placeholder that [`smooth_colour_bar`] turns into a gradient.
fn draw_colour_bar(area: &Area<'_>, min: f64, max: f64) -> Drawn {
    let (lo, hi) = if max > min {
        (min, max)
    } else {
        (
            min - 0.5 * min.abs().max(0.01),
            max + 0.5 * max.abs().max(0.01),
        )
    };
    let (ticks, decimals) = nice_ticks(&(lo..hi), 10);
    let label = |y: &f64| format!("{y:.decimals$}%");
    let mut bar = ChartBuilder::on(area)
        .margin_top(10)
        .margin_bottom(80)
        .margin_left(10)
        .right_y_label_area_size(80)
        .build_cartesian_2d(0.0..1.0, Axis::new(lo..hi, ticks))?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc("P(treaty)")
        .y_label_formatter(&label)
        .label_style(font(14.0))
        .axis_desc_style(font(16.0))
        .draw()?;
    bar.draw_series(std::iter::once(Rectangle::new(
        [(0.0, lo), (1.0, hi)],
        BAR_PLACEHOLDER.filled(),
    )))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        Table::parse(Path::new("results/x/timeline.csv"), text.as_bytes()).unwrap()
    }

    #[test]
    fn reads_a_timeline_sorted_by_month() {
        let t = table(
            "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high\n\
             x,2020-02,0.1,0.3,0.2,0.4\n\
             x,2020-01,0.2,0.2,0.1,0.3\n",
        );
        let timeline = Timeline::from_table(&t, "x").unwrap();
        assert_eq!(timeline.start, Month::parse("2020-01").unwrap());
        assert_eq!(timeline.band.x, vec![0.0, 1.0]);
        assert_eq!(timeline.band.probability, vec![0.2, 0.3]);
        assert_eq!(timeline.band.high, vec![0.3, 0.4]);
    }

    #[test]
    fn a_missing_column_is_named_with_the_file() {
        let t = table("scenario,month,cumulative_probability,ci95_low\nx,2020-01,0.1,0.05\n");
        let message = Timeline::from_table(&t, "x").unwrap_err().to_string();
        assert!(message.contains("results/x/timeline.csv"), "{message}");
        assert!(message.contains("no column 'ci95_high'"), "{message}");
    }

    #[test]
    fn a_bad_number_is_named_with_its_line_and_column() {
        let t = table(
            "scenario,month,cumulative_probability,ci95_low,ci95_high\nx,2020-01,0.1,0.05,0.2\nx,2020-02,abc,0.1,0.3\n",
        );
        let e = Timeline::from_table(&t, "x").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let message = e.to_string();
        assert!(
            message.contains("line 3, column 'cumulative_probability': 'abc' is not a number"),
            "{message}"
        );
        let t =
            table("scenario,month,cumulative_probability,ci95_low,ci95_high\nx,Jan,0.1,0.05,0.2\n");
        let message = Timeline::from_table(&t, "x").unwrap_err().to_string();
        assert!(
            message.contains("column 'month': 'Jan' is not a month (YYYY-MM)"),
            "{message}"
        );
    }

    #[test]
    fn empty_and_ragged_files_are_invalid() {
        let path = Path::new("t.csv");
        assert!(
            Table::parse(path, b"")
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );
        assert!(
            Table::parse(path, b"a,b\n")
                .unwrap_err()
                .to_string()
                .contains("no data rows")
        );
        let e = Table::parse(path, b"a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn sweep_parameters_are_the_columns_between_scenario_and_trials() {
        let one = table(
            "scenario,party.japan.will,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\nx,0.5,100,1,conditional,0.1,0.01,0.08,0.12\nx,0.2,100,1,conditional,0.05,0.01,0.03,0.07\n",
        );
        let Sweep::Line(line) = Sweep::from_table(&one, "x").unwrap() else {
            panic!("not a line")
        };
        assert_eq!(line.key, "party.japan.will");
        assert_eq!(line.band.x, vec![0.2, 0.5]);
        let two = table(
            "scenario,party.japan.will,issue.security.leverage.us,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\nx,0.5,0.1,100,1,conditional,0.2,0,0.2,0.2\n",
        );
        let Sweep::Grid(grid) = Sweep::from_table(&two, "x").unwrap() else {
            panic!("not a grid")
        };
        assert_eq!(
            (grid.x_key.as_str(), grid.y_key.as_str()),
            ("party.japan.will", "issue.security.leverage.us")
        );
        assert_eq!(
            grid.cells,
            vec![Cell {
                x: 0.5,
                y: 0.1,
                probability: 0.2
            }]
        );
        let none = table(
            "scenario,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\nx,100,1,conditional,0.2,0,0.2,0.2\n",
        );
        assert!(
            Sweep::from_table(&none, "x")
                .unwrap_err()
                .to_string()
                .contains("one or two")
        );
    }

    #[test]
    fn tornado_overall_falls_back_to_the_midpoint() {
        let t = table(
            "scenario,parameter,correlation,first_order,total_order,probability_low,probability_high,swing\n\
             x,japan.will,0.3,0.1,0.2,0.02,0.1,0.08\nx,chance,,0.01,0.3,,,\n\
             x,us.leverage,-0.1,0.01,0.05,0.08,0.04,-0.04\n",
        );
        let tornado = Tornado::from_table(&t, None, "x").unwrap();
        assert!(!tornado.overall_from_summary);
        assert!((tornado.overall - 0.06).abs() < 1e-12);
        assert_eq!(tornado.bars.len(), 2);
        assert_eq!(tornado.chance, Some((0.01, 0.3)));
        assert_eq!(tornado.bars[1].indices, Some((0.01, 0.05)));
        assert_eq!(
            Tornado::from_table(&t, Some(0.055), "x").unwrap().overall,
            0.055
        );
    }

    #[test]
    fn labels() {
        assert_eq!(percent(0.055123), "5.51%");
        assert_eq!(percent(0.00293), "0.293%");
        assert_eq!(percent(0.551), "55.1%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(short_number(0.30000000000000004), "0.3");
        assert_eq!(short_number(1250.0), "1250");
        assert_eq!(short_number(-0.05), "-0.05");
        let (ticks, decimals) = nice_ticks(&(0.0..6.0), 8);
        assert_eq!((ticks.len(), decimals), (7, 0));
        assert_eq!(
            month_ticks(19.0),
            vec![0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0]
        );
        assert_eq!(cell_edges(&[0.0, 1.0, 3.0]), vec![-0.5, 0.5, 2.0, 4.0]);
        assert_eq!(row_item(&["a", "b", "c"], 2.0), Some(&"a"));
        assert_eq!(row_item(&["a", "b", "c"], 0.0), Some(&"c"));
        assert_eq!(row_item(&["a", "b", "c"], 3.0), None);
        assert_eq!(short_number(1e308), "1.000e308");
    }

    /// Issue #9: values near 1e308 made the tick code allocate a tick per step of 1 across
    /// the whole range (capacity overflow). Any finite range now has a handful of ticks.
    #[test]
    fn ticks_of_extreme_ranges_are_few_and_finite() {
        for range in [
            f64::MIN..f64::MAX,
            -1e308..1e308,
            1e308..1.7e308,
            0.0..f64::MAX,
            -5e-324..5e-324,
            1.0..1.0 + 1e-15,
        ] {
            let (ticks, decimals) = nice_ticks(&range, 10);
            assert!(ticks.len() <= 41, "{range:?}: {}", ticks.len());
            assert!(
                ticks
                    .iter()
                    .all(|t| t.is_finite() && range.contains(t) || *t == range.end)
            );
            assert!(decimals <= 20);
        }
        for range in [f64::NEG_INFINITY..0.0, 0.0..f64::NAN, 1.0..0.0] {
            assert_eq!(nice_ticks(&range, 10).0, Vec::<f64>::new(), "{range:?}");
        }
    }

    /// Sweeps over values near ±f64::MAX draw; probabilities outside [0, 1] are refused with
    /// the line and column.
    #[test]
    fn extreme_values_draw_and_impossible_probabilities_are_refused() {
        let sweep = |values: &[f64]| {
            let mut text =
                "scenario,k,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n"
                    .to_string();
            for v in values {
                text.push_str(&format!("x,{v:e},100,1,conditional,0.5,0.01,0.4,0.6\n"));
            }
            Sweep::from_table(&table(&text), "x").expect("a sweep")
        };
        for values in [
            &[-1e308, 1e308][..],
            &[f64::MIN, f64::MAX],
            &[f64::MAX],
            &[1.7e308, 1.75e308, 1.79e308],
        ] {
            match sweep(values) {
                Sweep::Line(line) => {
                    sweep_line_svg(&line).expect("drawn");
                }
                Sweep::Grid(_) => unreachable!(),
            }
        }
        let grid = "scenario,a,b,trials,probability\nx,-1e308,1e308,1,0.1\nx,1e308,-1e308,1,0.9\n\
                    x,1e308,1e308,1,0.5\nx,-1e308,-1e308,1,0.2\n";
        match Sweep::from_table(&table(grid), "x").expect("a sweep") {
            Sweep::Grid(grid) => {
                heatmap_svg(&grid).expect("drawn");
            }
            Sweep::Line(_) => unreachable!(),
        }
        let timeline = "scenario,month,probability_in_month,cumulative_probability,ci95_low,\
                        ci95_high\nx,2020-01,0.1,1e308,0.05,1e308\n";
        let err = Timeline::from_table(&table(timeline), "x").expect_err("1e308");
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string()
                .contains("line 2, column 'cumulative_probability'"),
            "{err}"
        );
        assert!(err.to_string().contains("from 0 to 1"), "{err}");
    }

    #[test]
    fn remaining_probability_from_the_cumulative_curve() {
        // r_t = (F_last − F_{t−1}) / (1 − F_{t−1}), F_{−1} = 0.
        let r = remaining_from_cumulative(&[0.1, 0.3, 0.5]);
        let expected = [0.5, 0.4 / 0.9, 0.2 / 0.7];
        for (r, e) in r.iter().zip(expected) {
            assert!((r - e).abs() < 1e-15, "{r} vs {e}");
        }
        // Everything signed by the first month: nothing remains after it.
        assert_eq!(remaining_from_cumulative(&[1.0, 1.0]), vec![1.0, 0.0]);
        assert!(remaining_from_cumulative(&[]).is_empty());
    }

    #[test]
    fn a_timeline_reads_its_remaining_curve_or_computes_it() {
        let old = table(
            "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high\n\
             x,2020-02,0.2,0.3,0.2,0.4\nx,2020-01,0.1,0.1,0.05,0.15\n",
        );
        let timeline = Timeline::from_table(&old, "x").unwrap();
        assert!(!timeline.remaining_interval);
        assert_eq!(
            timeline.remaining.probability,
            vec![0.3, (0.3 - 0.1) / (1.0 - 0.1)]
        );
        assert_eq!(timeline.remaining.low, timeline.remaining.probability);
        // Without summary.csv, the deadline is the month after the last.
        assert_eq!(timeline.facts.deadline.as_deref(), Some("2020-03"));
        let new = table(
            "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high,\
             remaining_probability,remaining_ci95_low,remaining_ci95_high\n\
             x,2020-02,0.2,0.3,0.2,0.4,0.22,0.2,0.25\nx,2020-01,0.1,0.1,0.05,0.15,0.3,0.28,0.33\n",
        );
        let timeline = Timeline::from_table(&new, "x").unwrap();
        assert!(timeline.remaining_interval);
        assert_eq!(timeline.remaining.x, vec![0.0, 1.0]);
        assert_eq!(timeline.remaining.probability, vec![0.3, 0.22]);
        assert_eq!(timeline.remaining.high, vec![0.33, 0.25]);
        assert!((timeline.top() - 0.4).abs() < 1e-15);
        let svg = timeline_svg(&timeline).unwrap();
        assert!(svg.contains("95% interval (remaining)"));
        let bad = table(
            "scenario,month,cumulative_probability,ci95_low,ci95_high,remaining_probability,\
             remaining_ci95_low,remaining_ci95_high\nx,2020-01,0.1,0.05,0.15,1e308,0,1\n",
        );
        let message = Timeline::from_table(&bad, "x").unwrap_err().to_string();
        assert!(
            message.contains("line 2, column 'remaining_probability'"),
            "{message}"
        );
    }

    #[test]
    fn facts_name_one_value_or_a_range() {
        let t = table(
            "scenario,trials,seed,estimator,deadline\nx,1000,7,conditional,2021-09\n\
             y,20000,7,conditional,2020-05\n",
        );
        let facts = Facts::from_table(&t);
        assert_eq!(facts.trials.as_deref(), Some("1000–20000"));
        assert_eq!(facts.seed.as_deref(), Some("7"));
        assert_eq!(facts.deadline.as_deref(), Some("2020-05–2021-09"));
        assert_eq!(
            facts.line(),
            "1000–20000 trials · seed 7 · deadline 2020-05–2021-09 · conditional"
        );
        assert_eq!(
            Facts::of_rows(&t, |i| i == 0).line(),
            "1000 trials · seed 7 · deadline 2021-09 · conditional"
        );
        assert_eq!(
            Facts::default().line(),
            "trials not recorded · seed not recorded · deadline not recorded"
        );
        let only_deadline = Facts {
            deadline: Some("2020-01".into()),
            ..Facts::default()
        };
        assert_eq!(Facts::default().or(only_deadline.clone()), only_deadline);
    }

    #[test]
    fn the_summary_is_sorted_by_probability_and_names_each_rows_deadline() {
        let t = table(
            "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high\n\
             a,conditional,1000,1,2020-01,2020-05,0.05,0.001,0.04,0.06\n\
             b,conditional,1000,1,2020-01,2021-05,0.2,0.001,0.19,0.21\n\
             c,conditional,1000,1,2020-01,2020-05,0.05,0.001,0.04,0.06\n",
        );
        let summary = Summary::from_table(&t).unwrap();
        let names: Vec<&str> = summary.rows.iter().map(|r| r.scenario.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"], "most probable first, ties by name");
        let (rows, subtitle) = summary_rows(&summary);
        assert_eq!(rows[0].label, "b · before 2021-05");
        assert!(subtitle.contains("differ"), "{subtitle}");
        let same = table(&t_text_same());
        let (rows, subtitle) = summary_rows(&Summary::from_table(&same).unwrap());
        assert_eq!(rows[0].label, "a · before 2020-05");
        assert_eq!(
            subtitle,
            "every run: 1000 trials · seed 1 · deadline 2020-05 · conditional"
        );
        // Runs of different trials say so on each row.
        let mixed = table(&t_text_same().replace("b,conditional,1000,", "b,conditional,5000,"));
        let (rows, _) = summary_rows(&Summary::from_table(&mixed).unwrap());
        let b = rows.iter().find(|r| r.label.starts_with("b ")).unwrap();
        assert_eq!(
            b.label,
            "b · before 2020-05 · 5000 trials · seed 1 · conditional"
        );
    }

    fn t_text_same() -> String {
        "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high\n\
         a,conditional,1000,1,2020-01,2020-05,0.3,0.001,0.29,0.31\n\
         b,conditional,1000,1,2020-01,2020-05,0.2,0.001,0.19,0.21\n"
            .to_string()
    }

    #[test]
    fn the_colour_bar_is_a_gradient() {
        let t = table(
            "scenario,a,b,trials,seed,estimator,probability\nx,1,1,9,3,indicator,0.1\n\
             x,2,1,9,3,indicator,0.3\nx,1,2,9,3,indicator,0.5\nx,2,2,9,3,indicator,0.9\n",
        );
        let Sweep::Grid(grid) = Sweep::from_table(&t, "x").unwrap() else {
            panic!("not a grid")
        };
        assert_eq!(grid.facts.trials.as_deref(), Some("9"));
        let svg = heatmap_svg(&grid).unwrap();
        assert_eq!(svg.matches("<linearGradient").count(), 1);
        assert_eq!(svg.matches("<stop ").count(), 17);
        assert_eq!(svg.matches("fill=\"url(#colour-bar)\"").count(), 1);
        assert!(!svg.contains("#010203"), "the placeholder is replaced");
        assert!(svg.contains("9 trials · seed 3 · deadline not recorded · indicator"));
    }

    #[test]
    fn names_are_escaped_and_control_characters_replaced() {
        let t = table(
            "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high\n\
             \"a<b&c\u{1}\",conditional,1000,1,2020-01,2020-05,0.3,0.001,0.29,0.31\n",
        );
        let summary = Summary::from_table(&t).unwrap();
        assert_eq!(summary.rows[0].scenario, "a<b&c\u{FFFD}");
        let svg = summary_svg(&summary).unwrap();
        assert!(svg.contains("a&lt;b&amp;c\u{FFFD}"), "{svg}");
        assert!(!svg.contains('\u{1}'));
    }

    #[test]
    fn a_pool_splits_members_from_pooled_values_and_shows_weights() {
        let t = table(
            "pool,method,member,weight,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n\
             p,member,a,2,100,1,conditional,0.1,0.01,0.08,0.12\n\
             p,member,b,1,100,1,conditional,0.4,0.01,0.38,0.42\n\
             p,member,c,1,100,1,conditional,0.2,0.01,0.18,0.22\n\
             p,linear,,,100,1,conditional,0.2,0.01,0.19,0.21\n\
             p,geometric-odds,,,100,1,conditional,0.18,0.01,0.17,0.19\n",
        );
        let pool = Pool::from_table(&t, "p").unwrap();
        let names = |rows: &[PoolRow]| rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&pool.members), ["a", "b", "c"]);
        assert_eq!(names(&pool.pooled), ["linear", "geometric-odds"]);
        assert_eq!(pool.shares(), Some(vec![0.5, 0.25, 0.25]));
        let svg = pool_svg(&pool).unwrap();
        assert!(svg.contains("a · weight 2 (50%)"));
        assert!(svg.contains("geometric-odds pool"));
        assert_eq!(svg.matches("<circle").count(), 5, "a point per row");
        // Weights whose sum overflows have no shares, and still draw.
        let huge = table(
            "pool,method,member,weight,probability,ci95_low,ci95_high\n\
             p,member,a,1e308,0.1,0,0.2\np,member,b,1.7e308,0.3,0.2,0.4\n",
        );
        let pool = Pool::from_table(&huge, "p").unwrap();
        assert_eq!(pool.shares(), None);
        assert!(pool_svg(&pool).unwrap().contains("weight 1.000e308"));
    }

    #[test]
    fn calibration_keeps_bins_with_runs_and_sizes_points_by_them() {
        let t = table(
            "bin_low,bin_high,runs,mean_forecast,observed_frequency\n\
             0,0.1,12,0.05,0.0833\n0.1,0.2,0,,\n0.2,0.3,3,0.25,0.3333\n",
        );
        let calibration = Calibration::from_table(&t).unwrap();
        assert_eq!(calibration.bins.len(), 2);
        assert_eq!(calibration.runs(), 15.0);
        assert!(point_radius(3.0, 12.0) < point_radius(12.0, 12.0));
        assert_eq!(point_radius(12.0, 12.0), 16);
        let svg = calibration_svg(&calibration).unwrap();
        assert!(svg.contains("12 runs") && svg.contains("3 runs"));
        assert_eq!(svg.matches("<circle").count(), 2);
        for (bad, column) in [
            ("0,0.1,-1,0.05,0.1", "runs"),
            ("0,0.1,2.5,0.05,0.1", "runs"),
            ("0,0.1,2,1e308,0.1", "mean_forecast"),
        ] {
            let t = table(&format!(
                "bin_low,bin_high,runs,mean_forecast,observed_frequency\n{bad}\n"
            ));
            let message = Calibration::from_table(&t).unwrap_err().to_string();
            assert!(message.contains(&format!("column '{column}'")), "{message}");
        }
        let huge =
            table("bin_low,bin_high,runs,mean_forecast,observed_frequency\n0,1,1e308,0.5,0.5\n");
        calibration_svg(&Calibration::from_table(&huge).unwrap()).expect("drawn");
    }

    #[test]
    fn timelines_share_one_month_axis() {
        let early = table(
            "scenario,month,cumulative_probability,ci95_low,ci95_high\n\
             x,2020-01,0.1,0.05,0.15\nx,2020-02,0.2,0.1,0.3\n",
        );
        let late = table(
            "scenario,month,cumulative_probability,ci95_low,ci95_high\n\
             y,2020-03,0.3,0.2,0.4\n",
        );
        let timelines = Timelines {
            runs: vec![
                Timeline::from_table(&early, "x").unwrap(),
                Timeline::from_table(&late, "y").unwrap(),
            ],
        };
        let curves = timelines.curves();
        assert_eq!(curves[0].x, vec![0.0, 1.0]);
        assert_eq!(curves[1].x, vec![2.0], "y starts two months after x");
        // Their deadlines (the month after each one's last) differ.
        assert!(timelines.facts_differ());
        let svg = timelines_svg(&timelines).unwrap();
        assert!(svg.contains("x (trials not recorded · seed not recorded · deadline 2020-03)"));
    }
}

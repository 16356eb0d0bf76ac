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
        let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
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
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(invalid)?;
            let line = record.position().map_or(0, csv::Position::line);
            rows.push((line, record.iter().map(str::to_string).collect()));
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
    fn values<T>(&self, name: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>> {
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
        self.values(name, |text| {
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| "a number".to_string())
        })
    }

    /// The `name` column as probabilities: numbers from 0 to 1 (treatysim writes nothing else
    /// there, so anything else is an edited or foreign file).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the file, the line and the column when there is no such column
    /// or a field is not a number from 0 to 1.
    pub fn probabilities(&self, name: &str) -> Result<Vec<f64>> {
        self.values(name, |text| {
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| (0.0..=1.0).contains(x))
                .ok_or_else(|| "a number from 0 to 1 (a probability)".to_string())
        })
    }

    /// The `name` column as finite numbers or, where a field is empty, `None`.
    ///
    /// # Errors
    /// As [`Table::numbers`], but for empty fields.
    pub fn optional_numbers(&self, name: &str) -> Result<Vec<Option<f64>>> {
        self.values(name, |text| {
            if text.trim().is_empty() {
                return Ok(None);
            }
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| "a number or empty".to_string())
        })
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

/// `timeline.csv`: the cumulative probability by month with its 95% band.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Scenario name, for the title.
    pub scenario: String,
    /// The earliest month; `band.x` counts months from it.
    pub start: Month,
    /// Cumulative probability (`cumulative_probability`, `ci95_low`, `ci95_high`) by month.
    pub band: Band,
}

impl Timeline {
    /// Reads `timeline.csv`: columns `month`, `cumulative_probability`, `ci95_low`,
    /// `ci95_high` (others are ignored).
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
        let Some(&start) = months.iter().min() else {
            return Err(Error::Invalid(format!(
                "'{}' has no months",
                table.path().display()
            )));
        };
        let points = (0..months.len())
            .map(|i| {
                (
                    start.months_until(months[i]) as f64,
                    cumulative[i],
                    low[i],
                    high[i],
                )
            })
            .collect();
        Ok(Timeline {
            scenario: scenario.to_string(),
            start,
            band: Band::from_points(points),
        })
    }
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
        let overall = if table.has_column("probability") {
            table.numbers("probability")?.first().copied()
        } else if summary.is_file() {
            let summary = Table::read(summary)?;
            if summary.has_column("probability") {
                summary.probabilities("probability")?.first().copied()
            } else {
                None
            }
        } else {
            None
        };
        Tornado::from_table(&table, overall, scenario)
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
    /// P(treaty before the deadline).
    pub probability: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
    /// What produced it: `N trials, seed S, ESTIMATOR` (empty for files without the columns).
    pub provenance: String,
    /// The `--set` arguments it ran with, as the `overrides` column holds them (empty: none).
    pub overrides: String,
}

/// `<out>/summary.csv`: every scenario's probability with its interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The rows, in the file's order (sorted by scenario).
    pub rows: Vec<SummaryRow>,
}

impl Summary {
    /// Reads `summary.csv` (columns `scenario`, `deadline`, `probability`, `ci95_low`,
    /// `ci95_high`).
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
        let optional = |name: &str| -> Result<Vec<String>> {
            if table.has_column(name) {
                table.texts(name)
            } else {
                Ok(vec![String::new(); scenario.len()])
            }
        };
        let (trials, seed, estimator) = (
            optional("trials")?,
            optional("seed")?,
            optional("estimator")?,
        );
        let overrides = optional("overrides")?;
        let rows = (0..scenario.len())
            .map(|i| SummaryRow {
                scenario: scenario[i].clone(),
                deadline: deadline[i].clone(),
                probability: probability[i],
                low: low[i],
                high: high[i],
                provenance: if trials[i].is_empty() {
                    String::new()
                } else {
                    format!("{} trials, seed {}, {}", trials[i], seed[i], estimator[i])
                },
                overrides: overrides[i].clone(),
            })
            .collect();
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

/// The title's style: `size` (plotters' size), smaller when a long title would not fit in
/// `width` pixels.
fn title_font(title: &str, size: f64, width: u32) -> TextStyle<'static> {
    let fits = f64::from(width.saturating_sub(40)) / (0.48 * title.chars().count().max(1) as f64);
    font(fits.clamp(14.0, size))
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
type Drawn = std::result::Result<(), DrawingAreaErrorKind<std::io::Error>>;

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

/// How to draw a [`Band`].
struct CurveSpec<'a> {
    title: String,
    x_desc: &'a str,
    y_desc: &'a str,
    x_range: Range<f64>,
    x_ticks: Vec<f64>,
    x_label: &'a dyn Fn(&f64) -> String,
    line_label: &'a str,
    /// Whether to mark each point (sweeps: the values run; a timeline of one month).
    markers: bool,
    /// A label at the last point.
    end_label: Option<String>,
}

/// A line with its 95% band as a shaded polygon, on a percentage axis from 0.
fn draw_curve(root: &Area<'_>, band: &Band, spec: &CurveSpec<'_>) -> Drawn {
    let (y_range, y_ticks, decimals) = percent_axis(100.0 * band.top());
    let y_label = |y: &f64| format!("{y:.decimals$}%");
    let mut chart = ChartBuilder::on(root)
        .caption(&spec.title, title_font(&spec.title, 26.0, WIDTH))
        .margin(20)
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
    let band_style = LINE.mix(BAND_OPACITY).filled();
    let upper = band.x.iter().zip(&band.high).map(|(&x, &h)| (x, 100.0 * h));
    let lower = band
        .x
        .iter()
        .zip(&band.low)
        .rev()
        .map(|(&x, &l)| (x, 100.0 * l));
    chart
        .draw_series(std::iter::once(Polygon::new(
            upper.chain(lower).collect::<Vec<_>>(),
            band_style,
        )))?
        .label("95% interval")
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], band_style));
    let points: Vec<(f64, f64)> = band
        .x
        .iter()
        .zip(&band.probability)
        .map(|(&x, &p)| (x, 100.0 * p))
        .collect();
    chart
        .draw_series(LineSeries::new(points.clone(), LINE.stroke_width(2)))?
        .label(spec.line_label)
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], LINE.stroke_width(2)));
    if spec.markers {
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, LINE.filled())))?;
    }
    if let (Some(text), Some(&last)) = (&spec.end_label, points.last()) {
        let style = anchored(label_font(), HPos::Right, VPos::Bottom);
        chart.draw_series(std::iter::once(
            EmptyElement::at(last) + Text::new(text.clone(), (-6, -10), style),
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(label_font())
        .background_style(WHITE.mix(0.85))
        .border_style(INK.mix(0.3))
        .draw()
}

/// `timeline.svg`: the cumulative probability by month, with its 95% band.
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
    let spec = CurveSpec {
        title: format!("{}: cumulative probability of a treaty", timeline.scenario),
        x_desc: "month",
        y_desc: "P(treaty signed by end of month) (%)",
        x_range,
        x_ticks: month_ticks(last),
        x_label: &month,
        line_label: "cumulative probability (%)",
        markers: band.x.len() == 1,
        end_label,
    };
    render(
        &format!("the timeline of {}", timeline.scenario),
        (WIDTH, 540),
        |root| draw_curve(root, band, &spec),
    )
}

/// `sweep-KEY.svg`: the probability against the swept parameter, with its 95% band.
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
    let spec = CurveSpec {
        title: format!("{}: P(treaty) as {} varies", sweep.scenario, sweep.key),
        x_desc: &sweep.key,
        y_desc: "P(treaty before deadline) (%)",
        x_range,
        x_ticks,
        x_label: &|v: &f64| short_number(*v),
        line_label: "probability (%)",
        markers: true,
        end_label: None,
    };
    let what = format!("the sweep of {} over {}", sweep.scenario, sweep.key);
    render(&what, (WIDTH, 540), |root| {
        draw_curve(root, &sweep.band, &spec)
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
    let height = (170 + 40 * tornado.bars.len()).clamp(360, 4000) as u32;
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
    title: &str,
    x_desc: &str,
    (x_axis, y_axis): (Axis, Axis),
    longest: usize,
    (x_label, y_label): (&TickLabel<'_>, &TickLabel<'_>),
) -> std::result::Result<
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<Axis, Axis>>,
    DrawingAreaErrorKind<std::io::Error>,
> {
    let mut chart = ChartBuilder::on(area)
        .caption(title, title_font(title, 26.0, WIDTH))
        .margin(20)
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
    let (chart_area, legend_area) = root.split_vertically(root.dim_in_pixel().1 - 44);
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
    let title = format!("{}: what moves the treaty probability", tornado.scenario);
    let x_desc = if bars.iter().any(|b| b.indices.is_some()) {
        "treaty probability (%); S, T: first- and total-order Sobol indices"
    } else {
        "treaty probability (%)"
    };
    // A label left of a bar needs about this much room before the axis starts.
    let label_room = 0.1 * (x_range.end - x_range.start);
    let axis_start = x_range.start;
    let mut chart = row_chart(
        &chart_area,
        &title,
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
    let overall_text = if tornado.overall_from_summary {
        format!("overall probability {}", percent(tornado.overall))
    } else {
        format!("midpoint {} (no summary.csv)", percent(tornado.overall))
    };
    let mut entries = vec![
        (Some(RAISES), "higher values raise P(treaty)".to_string()),
        (Some(LOWERS), "higher values lower P(treaty)".to_string()),
        (None, overall_text),
    ];
    if let Some((first, total)) = tornado.chance {
        // The randomness inside a trial has indices but no bins: a swatch of the page colour.
        entries.push((
            Some(WHITE),
            format!("chance  S {}  T {}", index_text(first), index_text(total)),
        ));
    }
    draw_legend_strip(&legend_area, &entries)
}

/// A Sobol index to two decimals, without the sign of an estimate that rounds to 0.
fn index_text(index: f64) -> String {
    format!("{:.2}", if index.abs() < 0.005 { 0.0 } else { index })
}

/// A centred row of legend entries in pixel coordinates: a colour swatch (a polygon, so that it
/// is not counted with the bars) or, for `None`, a vertical line; then the text.
fn draw_legend_strip(area: &Area<'_>, entries: &[(Option<RGBColor>, String)]) -> Drawn {
    const GAP: i32 = 30;
    let widths: Vec<i32> = entries
        .iter()
        .map(|(_, text)| 20 + (text.chars().count() as f64 * 7.4) as i32)
        .collect();
    let total = widths.iter().sum::<i32>() + GAP * (widths.len() as i32 - 1);
    let mut x = ((area.dim_in_pixel().0 as i32 - total) / 2).max(10);
    let y = 14;
    for ((colour, text), width) in entries.iter().zip(widths) {
        match colour {
            Some(colour) => {
                let square = vec![(x, y - 7), (x + 14, y - 7), (x + 14, y + 7), (x, y + 7)];
                area.draw(&Polygon::new(square, colour.filled()))?;
            }
            None => area.draw(&PathElement::new(
                vec![(x + 7, y - 9), (x + 7, y + 9)],
                INK.stroke_width(2),
            ))?,
        }
        area.draw(&Text::new(
            text.clone(),
            (x + 20, y),
            anchored(label_font(), HPos::Left, VPos::Center),
        ))?;
        x += width + GAP;
    }
    Ok(())
}

/// `summary.svg`: every scenario's probability as a point with its 95% interval as an error
/// bar, one row per scenario.
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn summary_svg(summary: &Summary) -> Result<String> {
    let height = (160 + 44 * summary.rows.len()).clamp(300, 4000) as u32;
    render("the summary", (WIDTH, height), |root| {
        draw_summary(root, summary)
    })
}

fn draw_summary(root: &Area<'_>, summary: &Summary) -> Drawn {
    let rows = &summary.rows;
    let top = rows
        .iter()
        .map(|r| r.high.max(r.probability))
        .fold(0.0, f64::max);
    let (x_range, x_ticks, decimals) = percent_axis(100.0 * top);
    let x_end = x_range.end;
    let (y_range, y_ticks) = rows_axis(rows.len());
    let longest = rows
        .iter()
        .map(|r| r.scenario.chars().count())
        .max()
        .unwrap_or(0);
    let deadline = match rows.first() {
        Some(first) if rows.iter().all(|r| r.deadline == first.deadline) => first.deadline.clone(),
        _ => "each scenario's deadline".into(),
    };
    let x_label = |x: &f64| format!("{x:.decimals$}%");
    let y_label = |y: &f64| {
        row_item(rows, *y)
            .map(|r| r.scenario.clone())
            .unwrap_or_default()
    };
    // Runs of different trials, seeds or estimators are told apart row by row; when they all
    // agree, the title says it once.
    let shared = match rows.first() {
        Some(first) if rows.iter().all(|r| r.provenance == first.provenance) => {
            Some(first.provenance.clone())
        }
        _ => None,
    };
    let title = match &shared {
        Some(p) if !p.is_empty() => {
            format!("P(treaty before {deadline}) by scenario, with 95% intervals ({p})")
        }
        _ => format!("P(treaty before {deadline}) by scenario, with 95% intervals"),
    };
    let mut chart = row_chart(
        root,
        &title,
        "P(treaty before deadline) (%)",
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
        chart.draw_series(std::iter::once(Circle::new((p, y), 6, LINE.filled())))?;
        let mut text = format!(
            "{} ({}–{})",
            percent(row.probability),
            percent(row.low),
            percent(row.high)
        );
        if shared.is_none() && !row.provenance.is_empty() {
            text.push_str(&format!(", {}", row.provenance));
        }
        if !row.overrides.is_empty() {
            let mut set: String = row.overrides.chars().take(48).collect();
            if set.len() < row.overrides.len() {
                set.push('…');
            }
            text.push_str(&format!(", --set {set}"));
        }
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
/// cell, with a colour bar.
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn heatmap_svg(grid: &SweepGrid) -> Result<String> {
    let what = format!(
        "the sweep of {} over {} and {}",
        grid.scenario, grid.x_key, grid.y_key
    );
    render(&what, (WIDTH, 640), |root| draw_heatmap(root, grid))
}

fn draw_heatmap(root: &Area<'_>, grid: &SweepGrid) -> Drawn {
    let xs = distinct(grid.cells.iter().map(|c| c.x));
    let ys = distinct(grid.cells.iter().map(|c| c.y));
    let (x_edges, y_edges) = (cell_edges(&xs), cell_edges(&ys));
    let span = |edges: &[f64]| edges[0]..edges[edges.len() - 1];
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
    let (main, legend) = root.split_horizontally(WIDTH - 130);
    let title = format!(
        "{}: P(treaty) by {} and {} (min {}, max {})",
        grid.scenario,
        grid.x_key,
        grid.y_key,
        percent(min),
        percent(max)
    );
    let mut chart = ChartBuilder::on(&main)
        .caption(&title, title_font(&title, 22.0, main.dim_in_pixel().0))
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(
            Axis::new(span(&x_edges), value_ticks(&xs)),
            Axis::new(span(&y_edges), value_ticks(&ys)),
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
    draw_colour_bar(&legend, 100.0 * min, 100.0 * max)
}

/// A vertical colour bar from `min` to `max` (percentages), made of polygons so that only the
/// heat map's cells are rectangles.
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
        .margin_top(47)
        .margin_bottom(80)
        .margin_left(10)
        .right_y_label_area_size(80)
        .build_cartesian_2d(0.0..1.0, Axis::new(lo..hi, ticks))?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc("probability (%)")
        .y_label_formatter(&label)
        .label_style(font(14.0))
        .axis_desc_style(font(16.0))
        .draw()?;
    const STEPS: usize = 64;
    bar.draw_series((0..STEPS).map(|k| {
        let (a, b) = (
            lo + (hi - lo) * k as f64 / STEPS as f64,
            lo + (hi - lo) * (k + 1) as f64 / STEPS as f64,
        );
        let t = (k as f64 + 0.5) / STEPS as f64;
        Polygon::new(
            vec![(0.0, a), (1.0, a), (1.0, b), (0.0, b)],
            ViridisRGB::get_color(t).filled(),
        )
    }))?;
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
}

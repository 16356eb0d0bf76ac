//! `<out>/NAME/sweep-KEY.svg`: a sweep over one parameter, and the sweep files' reader.

use super::*;

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
    pub(super) fn ends(self) -> (f64, f64) {
        match self {
            Own::Value(v) => (v, v),
            Own::Span(lo, hi) => (lo, hi),
        }
    }

    /// How the legend names it.
    pub(super) fn describe(self) -> String {
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
pub(super) fn sweep_keys(table: &Table) -> Result<&[String]> {
    let first = table.column("scenario")?;
    let last = table.column("trials")?;
    Ok(table.header().get(first + 1..last).unwrap_or_default())
}

/// The facts line of a sweep, with a note on the scenario's own value when it is unknown or
/// off the chart.
pub(super) fn sweep_subtitle(
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

/// Most values of a one-parameter sweep drawn each with a point.
pub const MARKED_POINTS: usize = 60;

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
        dash: Dash::Solid,
        label: "P(treaty before the deadline)".into(),
        interval: Some("95% interval".into()),
        // A point for each value run, while they stand apart: past about one every 13
        // pixels of the plot area they merge into a thick line hiding the curve and its band.
        markers: sweep.band.x.len() <= MARKED_POINTS,
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

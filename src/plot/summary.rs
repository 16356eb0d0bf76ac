//! `<out>/summary.svg`: every run's probability with its interval.

use super::*;

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

/// The rows of `summary.svg` and its facts line: each row is named with its deadline and,
/// when the runs differ in trials, seed or estimator, with those too.
pub(super) fn summary_rows(summary: &Summary) -> (Vec<DotRow>, String) {
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
                interval: true,
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
    let width = dots_width(&rows);
    render("the summary", (width, dots_height(rows.len())), |root| {
        draw_dots(
            root,
            (title, &subtitle),
            "P(treaty before the row's deadline)",
            &rows,
            &[],
        )
    })
}

//! `<out>/NAME/timeline.svg`: the cumulative and the remaining probability by month.

use super::*;

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
    // A window of one month: the remaining probability is the cumulative one, so the two
    // points (and their whiskers) would be drawn one over the other; they stand side by side,
    // a twentieth of the axis either side of the month.
    let dodged = |band: &Band, dx: f64| Band {
        x: band.x.iter().map(|x| x + dx).collect(),
        ..band.clone()
    };
    let single = band.x.len() == 1;
    let (cumulative, remaining) = if single {
        (dodged(band, -0.05), dodged(&timeline.remaining, 0.05))
    } else {
        (band.clone(), timeline.remaining.clone())
    };
    let curves = [
        Curve {
            band: &cumulative,
            colour: LINE,
            dash: Dash::Solid,
            label: "cumulative: P(signed by the end of the month)".into(),
            interval: Some("95% interval".into()),
            markers: single,
        },
        Curve {
            band: &remaining,
            colour: SECOND,
            dash: Dash::Solid,
            label: "remaining: P(signed from the month on, before the deadline | not yet signed)"
                .into(),
            interval: timeline
                .remaining_interval
                .then(|| "95% interval (remaining)".into()),
            markers: single,
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

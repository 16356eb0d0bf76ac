//! `<out>/timelines.svg`: every named run's cumulative curve on one set of axes.

use super::*;

/// The runs' timelines drawn together.
#[derive(Clone, Debug, PartialEq)]
pub struct Timelines {
    /// One timeline per run, in the order drawn (and listed in the legend).
    pub runs: Vec<Timeline>,
}

impl Timelines {
    /// The earliest start of the runs, from which the x axis counts months.
    pub fn start(&self) -> Option<Month> {
        self.runs.iter().map(|t| t.start).min()
    }

    /// Each run's cumulative curve with x counted from [`Timelines::start`].
    pub fn curves(&self) -> Vec<Band> {
        let Some(start) = self.start() else {
            return Vec::new();
        };
        self.runs
            .iter()
            .map(|t| {
                let shift = start.months_until(t.start) as f64;
                Band {
                    x: t.band.x.iter().map(|x| x + shift).collect(),
                    ..t.band.clone()
                }
            })
            .collect()
    }

    /// Whether the runs differ in trials, seed, deadline or estimator.
    pub fn facts_differ(&self) -> bool {
        self.runs.windows(2).any(|w| w[0].facts != w[1].facts)
    }
}

/// `timelines.svg`: each run's cumulative probability by month, on shared axes, told apart by
/// the palette's ten colours and then by the line's pattern (dashed, dotted), titled with the
/// number of runs it draws; the legend names each run with its trials, seed and deadline when they
/// differ between runs (else the line under the title states them once).
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn timelines_svg(timelines: &Timelines) -> Result<String> {
    let curves = timelines.curves();
    let Some(start) = timelines.start() else {
        return Err(Error::Invalid("no timelines to draw".into()));
    };
    let last = curves
        .iter()
        .filter_map(|c| c.x.last().copied())
        .fold(0.0, f64::max);
    let x_range = if last > 0.0 { 0.0..last } else { -0.5..0.5 };
    let month = |x: &f64| start.plus(x.round().max(0.0) as usize).to_string();
    let differ = timelines.facts_differ();
    let subtitle = match timelines.runs.first() {
        Some(first) if !differ => format!("every run: {}", first.facts.line()),
        _ => "the runs differ in trials, seed, estimator or deadline: each legend entry states its own".into(),
    };
    let drawn: Vec<Curve<'_>> = curves
        .iter()
        .zip(&timelines.runs)
        .enumerate()
        .map(|(i, (band, run))| Curve {
            band,
            colour: Dash::nth(i).0,
            dash: Dash::nth(i).1,
            label: if differ {
                format!("{} ({})", run.scenario, run.facts.line())
            } else {
                run.scenario.clone()
            },
            interval: None,
            markers: band.x.len() == 1,
        })
        .collect();
    // Only the lines are drawn, so the axis fits them, not their bands.
    let top = curves
        .iter()
        .flat_map(|c| c.probability.iter().copied())
        .fold(0.0, f64::max);
    let spec = CurveSpec {
        // What it draws: the runs plotted (every run, or those named to `plot`).
        title: match timelines.runs.as_slice() {
            [only] => format!("Cumulative probability of a treaty: {}", only.scenario),
            runs => format!("Cumulative probability of a treaty: {} runs", runs.len()),
        },
        subtitle,
        x_desc: "month",
        y_desc: "P(treaty signed by the end of the month)",
        x_range,
        x_ticks: month_ticks(last),
        x_label: &month,
        y_top: 100.0 * top,
        end_label: None,
        own: None,
    };
    let entries: Vec<(Key, String)> = drawn
        .iter()
        .map(|c| (c.dash.key(c.colour), c.label.clone()))
        .collect();
    // Wide enough for the longest entry (a 100-byte name with its facts), so that none runs
    // past the right edge; tall enough for the legend, up to 1,500 pixels of it.
    let width = entries
        .iter()
        .map(|(_, text)| legend_width(text) + 60)
        .fold(WIDTH as i32, i32::max) as u32;
    let legend = legend_height(&entries, width).min(1500);
    render("the timelines", (width, 540 + legend), |root| {
        draw_curves(root, &drawn, &spec)
    })
}

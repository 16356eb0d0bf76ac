//! `<out>/NAME/sensitivity.svg`: the tornado chart of a sensitivity study.

use super::*;

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

/// `sensitivity.svg`: a tornado chart, one horizontal bar per parameter from its
/// lowest-bin to its highest-bin probability, named with its first- and total-order Sobol
/// indices, around a line at the overall probability.
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn tornado_svg(tornado: &Tornado) -> Result<String> {
    let height = (270 + 40 * tornado.bars.len()).clamp(440, 4000) as u32;
    let longest = tornado
        .bars
        .iter()
        .map(|b| bar_name(b).chars().count())
        .max()
        .unwrap_or(0);
    render(
        &format!("the tornado of {}", tornado.scenario),
        (rows_width(longest), height),
        |root| draw_tornado(root, tornado),
    )
}

pub(super) fn draw_tornado(root: &Area<'_>, tornado: &Tornado) -> Drawn {
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
        (
            Key::Box,
            "a bar: P(treaty) with the parameter's draw in its lowest bin (low) to its highest \
             (high)"
                .to_string(),
        ),
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
    let name = bar_name;
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
    // The first bar of each direction names its ends: for a bar of a parameter whose higher
    // values lower the probability, the high bin is on the left.
    let first_raising = bars.iter().position(|b| b.high >= b.low);
    let first_lowering = bars.iter().position(|b| b.high < b.low);
    for (i, bar) in bars.iter().enumerate() {
        let y = (bars.len() - 1 - i) as f64;
        let (low, high) = (100.0 * bar.low, 100.0 * bar.high);
        let colour = if high >= low { RAISES } else { LOWERS };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(low.min(high), y - 0.32), (low.max(high), y + 0.32)],
            colour.filled(),
        )))?;
    }
    let overall = 100.0 * tornado.overall;
    let top = bars.len() as f64 - 0.5;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(overall, -0.5), (overall, top)],
        INK.stroke_width(2),
    )))?;
    for (i, bar) in bars.iter().enumerate() {
        let named = Some(i) == first_raising || Some(i) == first_lowering;
        let y = (bars.len() - 1 - i) as f64;
        let (low, high) = (100.0 * bar.low, 100.0 * bar.high);
        // Each end's value, outside the bar; the top bar's say which end is which bin.
        let small = font(14.0);
        for (value, probability, outward, end) in [
            (low, bar.low, low < high, "low"),
            (high, bar.high, high <= low, "high"),
        ] {
            let on_left = (value < low.max(high)) || (low == high && end == "low");
            let text = match (named, on_left) {
                (true, true) => format!("{end} {}", percent(probability)),
                (true, false) => format!("{} {end}", percent(probability)),
                (false, _) => percent(probability),
            };
            // An outward label that would run into the parameter names goes inside the bar.
            let room = if named { 2.0 * label_room } else { label_room };
            let fits = !outward || value - axis_start >= room;
            let (h, dx) = match (outward, fits) {
                (true, true) => (HPos::Right, -5),
                (true, false) => (HPos::Left, 5),
                (false, _) => (HPos::Left, 5),
            };
            let colour: &'static RGBColor = if fits { &INK } else { &WHITE };
            let style = anchored(small.clone().color(colour), h, VPos::Center);
            let at = || EmptyElement::at((value, y));
            if fits {
                // A label beside its bar stands on the page's colour, so that the line at the
                // overall probability (drawn before it) does not run through its digits.
                let width = text_width(text.chars().count(), 14.0) as i32;
                let (from, to) = match h {
                    HPos::Right => (dx - width, dx),
                    _ => (dx, dx + width),
                };
                chart.draw_series(std::iter::once(
                    at() + Rectangle::new([(from, -8), (to, 8)], WHITE.filled()),
                ))?;
            }
            chart.draw_series(std::iter::once(at() + Text::new(text, (dx, 0), style)))?;
        }
    }
    Ok(())
}

/// A bar's row name: its parameter and, when the file has them, its Sobol indices.
fn bar_name(b: &TornadoBar) -> String {
    match b.indices {
        Some((first, total)) => format!(
            "{}  S {}  T {}",
            b.parameter,
            index_text(first),
            index_text(total)
        ),
        None => b.parameter.clone(),
    }
}

/// A Sobol index to two decimals, without the sign of an estimate that rounds to 0.
pub(super) fn index_text(index: f64) -> String {
    format!("{:.2}", if index.abs() < 0.005 { 0.0 } else { index })
}

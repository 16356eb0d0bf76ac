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
    // Pixels, for what fits where: a label is 14-point text, 5 pixels from its bar's end.
    let axis_px = chart.backend_coord(&(axis_start, 0.0)).0;
    let overall_px = chart.backend_coord(&(overall, 0.0)).0;
    let plot_right = chart.plotting_area().get_pixel_range().0.end;
    let width = |text: &str| text_width(text.chars().count(), 14.0) as i32;
    for (i, bar) in bars.iter().enumerate() {
        let named = Some(i) == first_raising || Some(i) == first_lowering;
        let y = (bars.len() - 1 - i) as f64;
        let (low, high) = (100.0 * bar.low, 100.0 * bar.high);
        // Each end's value, outside the bar; the top bar's say which end is which bin. The
        // left end is the low bin's unless higher values lower P.
        let text = |probability: f64, end: &str, on_left: bool| match (named, on_left) {
            (true, true) => format!("{end} {}", percent(probability)),
            (true, false) => format!("{} {end}", percent(probability)),
            (false, _) => percent(probability),
        };
        let ((left, left_p, left_end), (right, right_p, right_end)) = if low < high {
            ((low, bar.low, "low"), (high, bar.high, "high"))
        } else if high < low {
            ((high, bar.high, "high"), (low, bar.low, "low"))
        } else {
            ((low, bar.low, "low"), (high, bar.high, "high"))
        };
        let left_text = text(left_p, left_end, true);
        let mut right_text = text(right_p, right_end, false);
        // The left label goes left of the bar when it clears the parameter names; else inside
        // the bar, in white, where it fits clear of the line at the overall probability
        // (from the bar's left end, or from the line); else, with a dash, before the right
        // label, if that stays in the plot (white text would run out of a narrow bar unseen);
        // else inside from the left end after all.
        let (left_px, right_px) = (
            chart.backend_coord(&(left, y)).0,
            chart.backend_coord(&(right, y)).0,
        );
        let w = width(&left_text) + 10;
        let outside = left_px - axis_px >= w;
        let fits_from = |from: i32| right_px - from >= w;
        let clear_from = |from: i32| !(from..=from + w).contains(&overall_px);
        let merged = format!("{left_text}–{right_text}");
        let merged_fits = right_px + width(&merged) + 10 <= plot_right;
        let small = font(14.0);
        let mut labels = Vec::new();
        if outside {
            labels.push((left, left_text, HPos::Right, -5, false));
        } else if fits_from(left_px) && clear_from(left_px) {
            labels.push((left, left_text, HPos::Left, 5, true));
        } else if (left_px..right_px).contains(&overall_px) && fits_from(overall_px) {
            labels.push((overall, left_text, HPos::Left, 5, true));
        } else if merged_fits || !fits_from(left_px) {
            right_text = merged;
        } else {
            labels.push((left, left_text, HPos::Left, 5, true));
        }
        labels.push((right, right_text, HPos::Left, 5, false));
        // Each label: where, what, its anchor and offset, and whether it is inside its bar
        // (white on the bar's colour) or beside it (ink on the page's).
        for (value, text, h, dx, inside) in labels {
            let colour = if inside { &WHITE } else { &INK };
            let style = anchored(small.clone().color(colour), h, VPos::Center);
            let at = || EmptyElement::at((value, y));
            if !inside {
                // A label beside its bar stands on the page's colour, so that the line at the
                // overall probability (drawn before it) does not run through its digits.
                let w = width(&text);
                let (from, to) = match h {
                    HPos::Right => (dx - w, dx),
                    _ => (dx, dx + w),
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

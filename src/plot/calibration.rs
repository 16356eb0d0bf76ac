//! `<out>/calibration.svg`: the reliability diagram of the scored runs.

use super::*;

/// One bin of `calibration.csv`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CalibrationBin {
    /// The lowest forecast in the bin.
    pub low: f64,
    /// The highest forecast in the bin.
    pub high: f64,
    /// How many scored runs fell in the bin.
    pub runs: f64,
    /// Their mean forecast.
    pub mean_forecast: f64,
    /// The fraction of them whose treaty was signed.
    pub observed: f64,
}

/// `calibration.csv`: forecasts binned against how often they came true.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// The bins with at least one run, in the file's order.
    pub bins: Vec<CalibrationBin>,
    /// Trials, seed and deadline of the scored runs (ranges when they differ).
    pub facts: Facts,
}

impl Calibration {
    /// Reads `calibration.csv`: columns `bin_low`, `bin_high`, `runs`, `mean_forecast`,
    /// `observed_frequency`. Bins without runs (or with empty fields) are left out.
    ///
    /// # Errors
    /// When the file cannot be read or a column is missing or malformed (`runs` must be a
    /// count, the others probabilities or, for an empty bin, empty).
    pub fn read(path: &Path) -> Result<Calibration> {
        Calibration::from_table(&Table::read(path)?)
    }

    /// As [`Calibration::read`], from a table already read.
    ///
    /// # Errors
    /// When a column is missing or malformed.
    pub fn from_table(table: &Table) -> Result<Calibration> {
        let path = table.path().display();
        let foreign = |why: String| {
            Error::Invalid(format!(
                "'{path}' is not a treatysim calibration table: {why}; rerun `treatysim score` \
                 to write it again"
            ))
        };
        if table
            .header()
            .iter()
            .ne(crate::analysis::score::CALIBRATION_HEADER)
        {
            return Err(foreign(format!(
                "its columns are {}, not {}",
                table.header().join(","),
                crate::analysis::score::CALIBRATION_HEADER.join(",")
            )));
        }
        let low = table.probabilities("bin_low")?;
        let high = table.probabilities("bin_high")?;
        let n = crate::analysis::score::CALIBRATION_BINS;
        if low.len() != n {
            return Err(foreign(format!(
                "it has {} bins, where treatysim writes {n}, one per tenth of the forecast, \
                 empty ones included",
                low.len()
            )));
        }
        let lines = table.lines();
        let runs = table.values("runs", |text| {
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| *n >= 0.0 && n.is_finite() && n.fract() == 0.0)
                .ok_or_else(|| "a count of runs (a whole number from 0)".to_string())
        })?;
        let optional_probability = |name: &str| {
            table.values(name, |text| {
                if text.trim().is_empty() {
                    return Ok(None);
                }
                text.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| (0.0..=1.0).contains(x))
                    .map(Some)
                    .ok_or_else(|| "a number from 0 to 1 (a probability) or empty".to_string())
            })
        };
        let mean = optional_probability("mean_forecast")?;
        let observed = optional_probability("observed_frequency")?;
        for i in 0..n {
            let line = lines[i];
            let (from, to) = (i as f64 / n as f64, (i + 1) as f64 / n as f64);
            let near = |a: f64, b: f64| (a - b).abs() <= 1e-12;
            if !near(low[i], from) || !near(high[i], to) {
                return Err(foreign(format!(
                    "line {line}: bin {} is from {} to {}, where it is from {from} to {to}",
                    i + 1,
                    low[i],
                    high[i]
                )));
            }
            match (runs[i] > 0.0, mean[i], observed[i]) {
                (false, None, None) => {}
                (true, Some(m), Some(o)) => {
                    if !(from - 1e-12..=to + 1e-12).contains(&m) {
                        return Err(foreign(format!(
                            "line {line}: mean_forecast {m} lies outside its bin, {from} to {to}"
                        )));
                    }
                    let signed = o * runs[i];
                    if (signed - signed.round()).abs() > 1e-6 * runs[i].max(1.0) {
                        return Err(foreign(format!(
                            "line {line}: observed_frequency {o} is not a share of its {} runs",
                            runs[i]
                        )));
                    }
                }
                _ => {
                    return Err(foreign(format!(
                        "line {line}: a bin of {} runs has its mean_forecast and \
                         observed_frequency {}",
                        runs[i],
                        if runs[i] > 0.0 { "empty" } else { "set" }
                    )));
                }
            }
        }
        let bins = (0..low.len())
            .filter_map(|i| {
                Some(CalibrationBin {
                    low: low[i],
                    high: high[i],
                    runs: runs[i],
                    mean_forecast: mean[i]?,
                    observed: observed[i]?,
                })
            })
            .filter(|bin| bin.runs > 0.0)
            .collect();
        Ok(Calibration {
            bins,
            facts: Facts::default(),
        })
    }

    /// The number of runs in all the bins.
    pub fn runs(&self) -> f64 {
        self.bins.iter().map(|b| b.runs).sum()
    }
}

/// A point's radius in pixels: its area grows with the bin's runs, from 5 to 16 pixels.
pub fn point_radius(runs: f64, most: f64) -> i32 {
    if most <= 0.0 {
        return 5;
    }
    (5.0 + 11.0 * (runs / most).clamp(0.0, 1.0).sqrt()).round() as i32
}

/// `calibration.svg`: a reliability diagram. Each bin is a point at (mean forecast, observed
/// frequency), its area by its number of runs and labelled with it; the diagonal is where
/// forecasts come true as often as they say.
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn calibration_svg(calibration: &Calibration) -> Result<String> {
    render("the calibration", (WIDTH, 860), |root| {
        draw_calibration(root, calibration)
    })
}

fn draw_calibration(root: &Area<'_>, calibration: &Calibration) -> Drawn {
    let title = format!(
        "Calibration of {} scored runs: forecast against outcome",
        short_number(calibration.runs())
    );
    let area = header(root, &title, &calibration.facts.line())?;
    let entries = [
        (Key::Dashed(INK), "perfect calibration".to_string()),
        (
            Key::Swatch(LINE.into()),
            "a bin of runs: mean forecast against the fraction signed; area by runs".to_string(),
        ),
    ];
    let area = with_legend(&area, &entries)?;
    let (_, ticks, _) = percent_axis(100.0);
    // A margin around 0–100%, so that points at 0% or 100% are drawn whole, not behind or
    // past an axis, with their labels.
    let range = -7.0..107.0;
    let label = |v: &f64| format!("{v:.0}%");
    // A square plot, centred.
    let (w, h) = area.dim_in_pixel();
    let side = w.min(h + 60);
    let (_, right) = area.split_horizontally((w - side) / 2);
    let (square, _) = right.split_horizontally(side);
    let mut chart = ChartBuilder::on(&square)
        .margin(20)
        .margin_top(10)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(
            Axis::new(range.clone(), ticks.clone()),
            Axis::new(range, ticks),
        )?;
    chart
        .configure_mesh()
        .x_desc("mean forecast P(treaty) in the bin")
        .y_desc("fraction of the bin's runs signed")
        .x_label_formatter(&label)
        .y_label_formatter(&label)
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .bold_line_style(INK.mix(GRID_OPACITY))
        .draw()?;
    chart.draw_series(DashedLineSeries::new(
        [(0.0, 0.0), (100.0, 100.0)],
        8,
        5,
        INK.mix(0.6).stroke_width(2),
    ))?;
    let most = calibration.bins.iter().map(|b| b.runs).fold(0.0, f64::max);
    for (k, bin) in calibration.bins.iter().enumerate() {
        let at = (100.0 * bin.mean_forecast, 100.0 * bin.observed);
        let radius = point_radius(bin.runs, most);
        chart.draw_series(std::iter::once(Circle::new(
            at,
            radius,
            LINE.mix(0.75).filled(),
        )))?;
        // Centred above the point (below it near the top), every other bin one line further
        // out: neighbouring bins' labels never share a line, and labels two bins apart are at
        // least 10% of the axis apart.
        let out = radius + 4 + if k % 2 == 1 { 18 } else { 0 };
        let (v, dy) = if at.1 > 85.0 {
            (VPos::Top, out)
        } else {
            (VPos::Bottom, -out)
        };
        let runs = if bin.runs == 1.0 { "run" } else { "runs" };
        chart.draw_series(std::iter::once(
            EmptyElement::at(at)
                + Text::new(
                    format!("{} {runs}", short_number(bin.runs)),
                    (0, dy),
                    anchored(font(14.0), HPos::Center, v),
                ),
        ))?;
    }
    Ok(())
}

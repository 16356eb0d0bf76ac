//! Line charts with 95% bands (the timeline and a one-parameter sweep).

use super::*;

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
    pub(super) fn top(&self) -> f64 {
        self.high
            .iter()
            .chain(&self.probability)
            .fold(0.0, |a: f64, &b| a.max(b))
    }
}

/// How a curve's line is drawn: after the palette's colours, the runs of `timelines.svg` are
/// told apart by the line's pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dash {
    Solid,
    Dashed,
    Dotted,
}

impl Dash {
    /// The colour and pattern of the `i`-th of many curves: the palette's colours, solid, then
    /// again dashed, then dotted, then solid again.
    pub(super) fn nth(i: usize) -> (RGBColor, Dash) {
        let dash = match (i / PALETTE.len()) % 3 {
            0 => Dash::Solid,
            1 => Dash::Dashed,
            _ => Dash::Dotted,
        };
        (PALETTE[i % PALETTE.len()], dash)
    }

    /// The legend's key for a line of `colour` drawn this way.
    pub(super) fn key(self, colour: RGBColor) -> Key {
        match self {
            Dash::Solid => Key::Line(colour),
            Dash::Dashed => Key::Dashed(colour),
            Dash::Dotted => Key::Dotted(colour),
        }
    }
}

/// `colour` mixed halfway to white: the edges of its band.
pub(super) fn lighter(colour: RGBColor) -> RGBColor {
    let mix = |c: u8| c + ((255 - c) as f64 * 0.5) as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// One curve of a line chart.
pub(super) struct Curve<'a> {
    pub(super) band: &'a Band,
    pub(super) colour: RGBColor,
    /// The line's pattern.
    pub(super) dash: Dash,
    /// Legend text of the line.
    pub(super) label: String,
    /// Legend text of its 95% band; `None` draws no band.
    pub(super) interval: Option<String>,
    /// Whether to mark each point (sweeps: the values run; a timeline of one month).
    pub(super) markers: bool,
}

/// How to draw a line chart.
pub(super) struct CurveSpec<'a> {
    pub(super) title: String,
    pub(super) subtitle: String,
    pub(super) x_desc: &'a str,
    pub(super) y_desc: &'a str,
    pub(super) x_range: Range<f64>,
    pub(super) x_ticks: Vec<f64>,
    pub(super) x_label: &'a dyn Fn(&f64) -> String,
    /// The highest value to show, a percentage.
    pub(super) y_top: f64,
    /// A label at the first curve's last point.
    pub(super) end_label: Option<String>,
    /// The scenario's own value of the x axis' parameter (sweeps).
    pub(super) own: Option<Own>,
}

/// Lines with their 95% bands as shaded polygons, on a percentage axis from 0; a legend below.
pub(super) fn draw_curves(root: &Area<'_>, curves: &[Curve<'_>], spec: &CurveSpec<'_>) -> Drawn {
    let area = header(root, &spec.title, &spec.subtitle)?;
    let mut entries = Vec::new();
    for curve in curves {
        entries.push((curve.dash.key(curve.colour), curve.label.clone()));
        if let Some(text) = &curve.interval {
            // A band, or the whiskers of a curve of one point.
            let key = if curve.band.x.len() == 1 {
                Key::Rule(curve.colour)
            } else {
                Key::Swatch(curve.colour.mix(BAND_OPACITY))
            };
            entries.push((key, text.clone()));
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
    // A long key (an event's name) smaller, or cut in the middle, to fit under the axis.
    let x_desc = fitted(spec.x_desc, 18.0, area.dim_in_pixel().0 as i32 - 158);
    // Room on the right for half the last tick's label (a month, `2021-04`), centred on it.
    let mut chart = ChartBuilder::on(&area)
        .margin(20)
        .margin_top(10)
        .margin_right(48)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(
            Axis::new(spec.x_range.clone(), spec.x_ticks.clone()),
            Axis::new(y_range, y_ticks),
        )?;
    chart
        .configure_mesh()
        .x_desc(x_desc.0)
        .y_desc(spec.y_desc)
        .x_label_formatter(spec.x_label)
        .y_label_formatter(&y_label)
        .label_style(label_font())
        .axis_desc_style(font(x_desc.1))
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
        if let ([x], [low], [high], Some(_)) =
            (&band.x[..], &band.low[..], &band.high[..], &curve.interval)
        {
            // One point (a window of one month): its band is a line of no area, so the
            // interval is drawn as whiskers.
            chart.draw_series(whisker(*x, 100.0 * low, 100.0 * high, spec, curve.colour))?;
        } else if curve.interval.is_some() {
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
            // Its edges, in a lighter shade of the line's colour: a band narrower than the
            // line still shows its two ends.
            let edge = lighter(curve.colour);
            for side in [&band.low, &band.high] {
                chart.draw_series(LineSeries::new(
                    band.x.iter().zip(side).map(|(&x, &p)| (x, 100.0 * p)),
                    edge.stroke_width(1),
                ))?;
            }
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
        match curve.dash {
            Dash::Solid => {
                chart.draw_series(LineSeries::new(
                    points.clone(),
                    curve.colour.stroke_width(2),
                ))?;
            }
            Dash::Dashed => {
                chart.draw_series(DashedLineSeries::new(
                    points.clone(),
                    10,
                    6,
                    curve.colour.stroke_width(2),
                ))?;
            }
            Dash::Dotted => {
                chart.draw_series(DashedLineSeries::new(
                    points.clone(),
                    3,
                    5,
                    curve.colour.stroke_width(3),
                ))?;
            }
        }
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
        // Above the point (clear of a rising curve, which comes from below), or below it when
        // the plot area has no room above (a curve ending at 97.6% of a 100% axis: the label
        // ran up into the header).
        let room_above =
            chart.backend_coord(&last).1 - chart.plotting_area().get_pixel_range().1.start;
        let (v, dy) = if room_above >= 28 {
            (VPos::Bottom, -10)
        } else {
            (VPos::Top, 10)
        };
        let style = anchored(label_font(), HPos::Right, v);
        chart.draw_series(std::iter::once(
            EmptyElement::at(last) + Text::new(text.clone(), (-6, dy), style),
        ))?;
    }
    Ok(())
}

/// A vertical 95% interval at `x`, from `low` to `high` (percentages), with caps 12 pixels
/// wide: the interval of a curve of one point.
fn whisker(
    x: f64,
    low: f64,
    high: f64,
    spec: &CurveSpec<'_>,
    colour: RGBColor,
) -> Vec<PathElement<(f64, f64)>> {
    // Twelve pixels of a plot area about 800 wide, in the x axis' units.
    let cap = 6.0 / 800.0 * (spec.x_range.end - spec.x_range.start);
    let style = colour.stroke_width(2);
    vec![
        PathElement::new(vec![(x, low), (x, high)], style),
        PathElement::new(vec![(x - cap, low), (x + cap, low)], style),
        PathElement::new(vec![(x - cap, high), (x + cap, high)], style),
    ]
}

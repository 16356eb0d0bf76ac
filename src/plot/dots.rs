//! Dot-and-whisker charts: one row per item, a point with its 95% interval (the summary, the
//! pool).

use super::*;

/// One row of a dot-and-whisker chart.
pub(super) struct DotRow {
    /// The row's name, left of the axis.
    pub(super) label: String,
    pub(super) probability: f64,
    pub(super) low: f64,
    pub(super) high: f64,
    pub(super) colour: RGBColor,
    /// Whether it has an interval (a direct forecast in a pool has none: no whiskers).
    pub(super) interval: bool,
}

/// The width of a dot-and-whisker chart of `rows`: wide enough for their names
/// ([`rows_width`]).
pub(super) fn dots_width(rows: &[DotRow]) -> u32 {
    rows_width(
        rows.iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(0),
    )
}

/// The height of a dot-and-whisker chart of `rows` rows.
pub(super) fn dots_height(rows: usize) -> u32 {
    (220 + 44 * rows).clamp(360, 4000) as u32
}

/// A dot-and-whisker chart: one row per item, the first on top, each a point at its
/// probability with its 95% interval as whiskers and the numbers beside it; a legend below.
pub(super) fn draw_dots(
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
        chart.draw_series(std::iter::once(Circle::new((p, y), 5, row.colour.filled())))?;
        // The whiskers over the point, 3 pixels thick with end caps 16 pixels tall, whatever
        // the row height: an interval narrower than the point still shows its two ends.
        if row.interval {
            let whisker = INK.stroke_width(3);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(low, y), (high, y)],
                whisker,
            )))?;
            chart.draw_series([low, high].map(|x| {
                EmptyElement::at((x, y)) + PathElement::new(vec![(0, -8), (0, 8)], whisker)
            }))?;
        }
        let text = if row.interval {
            format!(
                "{} ({}–{})",
                percent(row.probability),
                percent(row.low),
                percent(row.high)
            )
        } else {
            format!("{} (a forecast: no interval)", percent(row.probability))
        };
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

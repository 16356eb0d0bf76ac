//! `<out>/NAME/sweep-KEY-KEY2.svg`: a sweep over two parameters, as a heat map.

use super::*;

/// The distinct values of `values`, sorted.
pub(super) fn distinct(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    values
}

/// Cell edges around sorted distinct `values`: midpoints between neighbours, and half a step
/// beyond each end (±0.5 for a single value).
pub(super) fn cell_edges(values: &[f64]) -> Vec<f64> {
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

/// Tick positions for an axis of `values`: each value when there are at most ten of them
/// (a list such as `0.1,0.25,0.7` shows what was run); more, round ones across their range
/// (`0:1:0.02` ticks at 0, 0.1, … 1, not at every sixth value, 0, 0.12, … 0.96, which
/// missed the last).
pub(super) fn value_ticks(values: &[f64]) -> Vec<f64> {
    match values {
        [first, .., last] if values.len() > 10 => {
            let (ticks, _) = nice_ticks(&(*first..*last), 10);
            if ticks.len() >= 2 {
                return ticks;
            }
            let step = values.len().div_ceil(10);
            values.iter().step_by(step).copied().collect()
        }
        _ => values.to_vec(),
    }
}

/// `sweep-KEY-KEY2.svg`: a heat map of the probability over two parameters, one rectangle per
/// cell, with a smooth colour bar, and the scenario's own setting of each parameter along its
/// axis (a distribution's central 90%: a white bar; a constant: a white pointer).
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn heatmap_svg(grid: &SweepGrid) -> Result<String> {
    let what = format!(
        "the sweep of {} over {} and {}",
        grid.scenario, grid.x_key, grid.y_key
    );
    let svg = render(&what, (WIDTH, 700), |root| draw_heatmap(root, grid))?;
    Ok(smooth_colour_bar(&svg))
}

/// The fill of the colour bar's placeholder rectangle, replaced by a gradient once drawn.
pub(super) const BAR_PLACEHOLDER: RGBColor = RGBColor(1, 2, 3);

/// Replaces the colour bar's placeholder fill with a vertical viridis gradient (plotters has
/// no gradients): SVG viewers interpolate it smoothly between its stops.
pub(super) fn smooth_colour_bar(svg: &str) -> String {
    const STOPS: usize = 16;
    let placeholder = format!(
        "fill=\"#{:02X}{:02X}{:02X}\"",
        BAR_PLACEHOLDER.0, BAR_PLACEHOLDER.1, BAR_PLACEHOLDER.2
    );
    let Some(open_end) = svg
        .find("<svg")
        .and_then(|at| svg[at..].find('>').map(|end| at + end + 1))
    else {
        return svg.to_string();
    };
    let mut defs = String::from(
        "\n<defs><linearGradient id=\"colour-bar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">",
    );
    for k in 0..=STOPS {
        let t = k as f64 / STOPS as f64;
        let RGBColor(r, g, b) = ViridisRGB::get_color(t);
        defs.push_str(&format!(
            "<stop offset=\"{t}\" stop-color=\"#{r:02X}{g:02X}{b:02X}\"/>"
        ));
    }
    defs.push_str("</linearGradient></defs>");
    let (head, body) = svg.split_at(open_end);
    format!(
        "{head}{defs}{}",
        body.replace(&placeholder, "fill=\"url(#colour-bar)\"")
    )
}

pub(super) fn draw_heatmap(root: &Area<'_>, grid: &SweepGrid) -> Drawn {
    let xs = distinct(grid.cells.iter().map(|c| c.x));
    let ys = distinct(grid.cells.iter().map(|c| c.y));
    let (x_edges, y_edges) = (cell_edges(&xs), cell_edges(&ys));
    let span = |edges: &[f64]| edges[0]..edges[edges.len() - 1];
    let (x_span, y_span) = (span(&x_edges), span(&y_edges));
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
    let title = format!(
        "{}: P(treaty) by {} and {} (min {}, max {})",
        grid.scenario,
        grid.x_key,
        grid.y_key,
        percent(min),
        percent(max)
    );
    let subtitle = sweep_subtitle(
        &grid.facts,
        &[(grid.own[0], x_span.clone()), (grid.own[1], y_span.clone())],
        &grid.own_note,
    );
    let area = header(root, &title, &subtitle)?;
    // Each key's own setting, as a bar (or, for a constant, a pointer) along its axis: inside
    // the chart's edge, clear of the cells' labels.
    let inside = |own: Option<Own>, range: &Range<f64>| {
        own.map(Own::ends)
            .filter(|&(lo, hi)| hi >= range.start && lo <= range.end)
            .map(|(lo, hi)| (lo.max(range.start), hi.min(range.end)))
    };
    let marks = [inside(grid.own[0], &x_span), inside(grid.own[1], &y_span)];
    let mut entries = Vec::new();
    for ((own, key), mark) in grid.own.iter().zip([&grid.x_key, &grid.y_key]).zip(marks) {
        if let (Some(own), Some(_)) = (own, mark) {
            entries.push((Key::Box, format!("{key}: {}", own.describe())));
        }
    }
    let area = with_legend(&area, &entries)?;
    let (main, legend) = area.split_horizontally(WIDTH - 130);
    // Each key fitted to its axis (the plot area: the chart less its margins and label
    // areas), drawn in one size (plotters' mesh has one style for both).
    let (main_width, main_height) = main.dim_in_pixel();
    let x_desc = fitted(&grid.x_key, 18.0, main_width as i32 - 130);
    let y_desc = fitted(&grid.y_key, 18.0, main_height as i32 - 90);
    let mut chart = ChartBuilder::on(&main)
        .margin(20)
        .margin_top(10)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(
            Axis::new(x_span.clone(), value_ticks(&xs)),
            Axis::new(y_span.clone(), value_ticks(&ys)),
        )?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(x_desc.0)
        .y_desc(y_desc.0)
        .x_label_formatter(&|v| short_number(*v))
        .y_label_formatter(&|v| short_number(*v))
        .label_style(label_font())
        .axis_desc_style(font(x_desc.1.min(y_desc.1)))
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
    for (axis, mark) in marks.into_iter().enumerate() {
        let Some((lo, hi)) = mark else { continue };
        // In halves, so that spans near ±f64::MAX do not overflow.
        let across = |r: &Range<f64>, f: f64| r.start + f * (r.end / 2.0 - r.start / 2.0) * 2.0;
        let along = if axis == 0 { &x_span } else { &y_span };
        let edge = if axis == 0 { &y_span } else { &x_span };
        let (thin, wide) = (across(edge, 0.02), across(along, 0.012) - along.start);
        let shape: Vec<(f64, f64)> = if lo == hi {
            // A pointer at the value.
            vec![
                (lo - wide, edge.start),
                (lo + wide, edge.start),
                (lo, across(edge, 0.05)),
            ]
        } else {
            vec![(lo, edge.start), (hi, edge.start), (hi, thin), (lo, thin)]
        };
        let shape: Vec<(f64, f64)> = if axis == 0 {
            shape
        } else {
            shape.into_iter().map(|(a, b)| (b, a)).collect()
        };
        let mut outline = shape.clone();
        outline.extend(shape.first().copied());
        chart.draw_series(std::iter::once(Polygon::new(shape, WHITE.filled())))?;
        chart.draw_series(std::iter::once(PathElement::new(
            outline,
            INK.stroke_width(2),
        )))?;
    }
    draw_colour_bar(&legend, 100.0 * min, 100.0 * max)
}

/// A vertical colour bar from `min` to `max` (percentages): one rectangle filled with a
/// placeholder that [`smooth_colour_bar`] turns into a gradient.
pub(super) fn draw_colour_bar(area: &Area<'_>, min: f64, max: f64) -> Drawn {
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
        .margin_top(10)
        .margin_bottom(80)
        .margin_left(10)
        .right_y_label_area_size(80)
        .build_cartesian_2d(0.0..1.0, Axis::new(lo..hi, ticks))?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc("P(treaty)")
        .y_label_formatter(&label)
        .label_style(font(14.0))
        .axis_desc_style(font(16.0))
        .draw()?;
    bar.draw_series(std::iter::once(Rectangle::new(
        [(0.0, lo), (1.0, hi)],
        BAR_PLACEHOLDER.filled(),
    )))?;
    Ok(())
}

//! Shared look of every chart: size, colours, fonts, axes and ticks, the header, the legend,
//! and the row chart that the tornado and the dot charts stand on.

use super::*;

/// Width of every plot, in pixels.
pub(super) const WIDTH: u32 = 960;
/// Colour of lines, points and the heat map's text on light cells.
pub(super) const INK: RGBColor = RGBColor(33, 33, 33);
/// Colour of a probability curve and its points.
pub(super) const LINE: RGBColor = RGBColor(31, 119, 180);
/// Colour of the tornado bars of parameters whose higher values raise the probability.
pub(super) const RAISES: RGBColor = RGBColor(31, 119, 180);
/// Colour of the tornado bars of parameters whose higher values lower the probability.
pub(super) const LOWERS: RGBColor = RGBColor(230, 126, 34);
/// Opacity of a 95% band (its edges are drawn too, so that a narrow band stays visible).
pub(super) const BAND_OPACITY: f64 = 0.3;
/// Opacity of grid lines.
pub(super) const GRID_OPACITY: f64 = 0.12;

/// A probability as a percentage with three significant digits: `5.51%`, `0.293%`, `55.1%`.
pub fn percent(probability: f64) -> String {
    let x = 100.0 * probability;
    if x == 0.0 {
        return "0%".into();
    }
    let decimals = (2.0 - x.abs().log10().floor()).clamp(0.0, 6.0) as usize;
    format!("{x:.decimals$}%")
}

/// A parameter value, short: at most four significant digits, trailing zeros removed
/// (`0.30000000000000004` → `0.3`).
pub fn short_number(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    if !(1e-4..1e9).contains(&value.abs()) {
        return format!("{value:.3e}");
    }
    let decimals = (3.0 - value.abs().log10().floor()).clamp(0.0, 10.0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A "nice" step (1, 2 or 5 × 10^k) of at least `raw`.
pub(super) fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let scale = 10f64.powf(raw.log10().floor());
    let fraction = raw / scale;
    let nice = if fraction <= 1.0 + 1e-9 {
        1.0
    } else if fraction <= 2.0 + 1e-9 {
        2.0
    } else if fraction <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    nice * scale
}

/// Ticks at multiples of a nice step inside `range`, at most about `count` of them, and the
/// number of decimals their labels need. Any finite range works, up to ±f64::MAX (the span is
/// taken in pieces that cannot overflow); a range that is empty or not finite has no ticks.
pub(super) fn nice_ticks(range: &Range<f64>, count: usize) -> (Vec<f64>, usize) {
    let count = count.max(1) as f64;
    if !(range.start.is_finite() && range.end.is_finite() && range.start < range.end) {
        return (Vec::new(), 0);
    }
    let step = nice_step(range.end / count - range.start / count);
    let (first, last) = (
        (range.start / step - 1e-9).ceil(),
        (range.end / step + 1e-9).floor(),
    );
    // Rounding may leave a tick or two more than `count`; never thousands.
    let gaps = last - first;
    if !(0.0..=4.0 * count).contains(&gaps) {
        return (Vec::new(), 0);
    }
    let ticks = (0..=gaps as usize)
        .map(|i| (first + i as f64) * step)
        .filter(|t| t.is_finite())
        .collect();
    let decimals = (-(step.log10() + 1e-9).floor()).clamp(0.0, 20.0) as usize;
    (ticks, decimals)
}

/// A percentage axis from 0 to a nice value above `top` (a percentage): the range, its ticks
/// and their decimals.
pub(super) fn percent_axis(top: f64) -> (Range<f64>, Vec<f64>, usize) {
    let target = if top > 0.0 { top * 1.08 } else { 1.0 };
    let step = nice_step(target / 8.0);
    let end = ((target / step).ceil() * step).min(if top <= 100.0 { 100.0 } else { f64::INFINITY });
    let (ticks, decimals) = nice_ticks(&(0.0..end), 8);
    (0.0..end, ticks, decimals)
}

/// A percentage axis around the values in `values` (percentages), padded by `pad` of their
/// span on each side and kept inside 0–100%.
pub(super) fn padded_percent_axis(
    values: impl Iterator<Item = f64>,
    pad: f64,
) -> (Range<f64>, Vec<f64>, usize) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let span = if hi > lo {
        hi - lo
    } else {
        (hi.abs() * 0.2).max(0.1)
    };
    let range = (lo - pad * span).max(0.0)..(hi + pad * span).min(100.0_f64.max(hi));
    let (ticks, decimals) = nice_ticks(&range, 8);
    (range, ticks, decimals)
}

/// Month ticks: every 1, 3, 6, 12… months from the start, at most ten.
pub(super) fn month_ticks(last: f64) -> Vec<f64> {
    let months = last.max(0.0).round() as usize;
    let step = [1, 3, 6, 12, 24, 60, 120, 240, 600, 1200]
        .into_iter()
        .find(|step| months / step < 10)
        .unwrap_or(months.max(1));
    (0..=months).step_by(step).map(|m| m as f64).collect()
}

/// A linear axis with the tick positions given, labelled by the chart's label formatter.
pub(super) struct Axis {
    pub(super) range: Range<f64>,
    pub(super) ticks: Vec<f64>,
}

impl Axis {
    pub(super) fn new(range: Range<f64>, ticks: Vec<f64>) -> Axis {
        Axis { range, ticks }
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        if span == 0.0 {
            return (limit.0 + limit.1) / 2;
        }
        let fraction = (value - self.range.start) / span;
        limit.0 + (f64::from(limit.1 - limit.0) * fraction).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// A pixel width for labels of `chars` characters at `size` (plotters' font size), with room to
/// spare: viewers' fonts are wider than plotters' estimate (DejaVu Sans, a common fallback,
/// averages under 0.5 of the size per character of a run's name).
pub(super) fn text_width(chars: usize, size: f64) -> u32 {
    (chars as f64 * size * 0.5).ceil() as u32
}

/// The width of a chart with one row per item whose longest name has `longest` characters:
/// [`WIDTH`], or wider, so that the names fit beside a plot area of at least 500 pixels.
pub(super) fn rows_width(longest: usize) -> u32 {
    WIDTH.max(text_width(longest, 16.0) + 20 + 40 + 500)
}

pub(super) fn font(size: f64) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

pub(super) fn desc_font() -> TextStyle<'static> {
    font(18.0)
}

/// The size of a text of `chars` characters: `size`, or smaller (down to 10) when it would
/// not fit in `room` pixels at 0.5 of the size per character ([`text_width`]).
pub(super) fn fitted_size(chars: usize, size: f64, room: i32) -> f64 {
    let needed = f64::from(text_width(chars, size));
    if needed <= f64::from(room) {
        size
    } else {
        (size * f64::from(room.max(0)) / needed).max(10.0)
    }
}

/// `text` and its size to fit `room` pixels: at `size`, or smaller down to 10
/// ([`fitted_size`]); past that, at 10 with the middle of the text cut out for `…` (its start
/// and its end kept: a key's kind and an entry's number).
pub(super) fn fitted(text: &str, size: f64, room: i32) -> (String, f64) {
    let chars: Vec<char> = text.chars().collect();
    let size = fitted_size(chars.len(), size, room);
    if text_width(chars.len(), size) as i32 <= room {
        return (text.to_string(), size);
    }
    let keep = (f64::from(room.max(0)) / (0.5 * size)).floor() as usize;
    let head = keep.saturating_sub(1) / 2;
    let tail = keep.saturating_sub(1) - head;
    let cut: String = chars[..head]
        .iter()
        .chain(['…'].iter())
        .chain(&chars[chars.len() - tail..])
        .collect();
    (cut, size)
}

pub(super) fn label_font() -> TextStyle<'static> {
    font(16.0)
}

pub(super) fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub(super) type DrawError = DrawingAreaErrorKind<std::io::Error>;
pub(super) type Drawn = std::result::Result<(), DrawError>;

/// Most lines of a title or of a facts line; past them the text is cut with `…`.
const HEADER_LINES: usize = 4;
pub(super) const MUTED: RGBColor = RGBColor(85, 85, 85);
/// Colour of the remaining-probability curve and of pooled values.
pub(super) const SECOND: RGBColor = RGBColor(230, 126, 34);
/// Colour of the span of a scenario's own central 90% on a sweep.
pub(super) const OWN: RGBColor = RGBColor(120, 120, 120);
/// Colours of the runs on `timelines.svg` (matplotlib's tab10).
pub(super) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Draws on a white `size` canvas and returns the SVG document.
pub(super) fn render(
    what: &str,
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Drawn,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present())
            .map_err(|e| Error::Io {
                context: format!("could not draw {what}"),
                source: std::io::Error::other(e.to_string()),
            })?;
    }
    Ok(svg)
}

/// Characters of a line that fit in `width` pixels at `size` (plotters' size), at the same
/// estimate (0.48 of the size per character: viewers' fonts are a little narrower).
fn line_room(size: f64, width: u32) -> usize {
    (f64::from(width.saturating_sub(40)) / (0.48 * size))
        .floor()
        .max(1.0) as usize
}

/// `text` in lines of at most `room` characters, broken at spaces (a word longer than a line
/// is broken inside), at most `max` lines, the last cut with `…` when more would be needed.
pub(super) fn wrap(text: &str, room: usize, max: usize) -> Vec<String> {
    let room = room.max(2);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let used = line.chars().count();
        if used > 0 && used + 1 + word.len() <= room {
            line.push(' ');
            line.extend(&word);
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > room {
            lines.push(word.drain(..room).collect());
        }
        line = word.into_iter().collect();
    }
    lines.push(line);
    if lines.len() > max {
        lines.truncate(max);
        let last = &mut lines[max - 1];
        let mut kept: Vec<char> = last.chars().collect();
        kept.truncate(room - 1);
        *last = kept.into_iter().chain(['…']).collect();
    }
    lines
}

/// The lines of a header's `text` and their font size: one line at `size`, or smaller down to
/// `min` when it would not fit in `width` pixels; past that, lines of `min` broken at spaces.
pub(super) fn header_lines(text: &str, size: f64, min: f64, width: u32) -> (Vec<String>, f64) {
    let chars = text.chars().count();
    if chars <= line_room(min, width) {
        let fits = f64::from(width.saturating_sub(40)) / (0.48 * chars.max(1) as f64);
        return (vec![text.to_string()], fits.clamp(min, size));
    }
    (wrap(text, line_room(min, width), HEADER_LINES), min)
}

/// Title lines with their size, facts lines with theirs, and the header's height (76 pixels
/// when each fits on one line). A line at size s takes 4s/3 pixels (the title) or 1.6s (the
/// facts line).
#[allow(clippy::type_complexity)]
fn header_layout(
    title: &str,
    subtitle: &str,
    width: u32,
) -> ((Vec<String>, f64), (Vec<String>, f64), u32) {
    let title = header_lines(title, 24.0, 14.0, width);
    let subtitle = header_lines(subtitle, 15.0, 10.0, width);
    let height = 10.0
        + title.0.len() as f64 * (title.1 * 4.0 / 3.0).round()
        + 4.0
        + subtitle.0.len() as f64 * (subtitle.1 * 1.6).round()
        + 6.0;
    (title, subtitle, height as u32)
}

/// Draws `title` and under it `subtitle` (the facts: trials, seed, deadline) across the top
/// of `root`, each on one line, smaller when long, or wrapped onto more lines when even the
/// smallest size would not fit (a 100-byte name with a long key); returns the area below.
pub(super) fn header<'a>(
    root: &Area<'a>,
    title: &str,
    subtitle: &str,
) -> std::result::Result<Area<'a>, DrawError> {
    let (width, height) = root.dim_in_pixel();
    let ((title, title_size), (subtitle, subtitle_size), needed) =
        header_layout(title, subtitle, width);
    let (top, rest) = root.split_vertically(needed.min(height / 2));
    let centre = (width / 2) as i32;
    let centred = |style: TextStyle<'static>| anchored(style, HPos::Center, VPos::Center);
    let mut y = 10.0;
    for (lines, size, step, colour) in [
        (&title, title_size, (title_size * 4.0 / 3.0).round(), INK),
        (
            &subtitle,
            subtitle_size,
            (subtitle_size * 1.6).round(),
            MUTED,
        ),
    ] {
        for line in lines {
            top.draw(&Text::new(
                line.clone(),
                (centre, (y + step / 2.0) as i32),
                centred(
                    ("sans-serif", size)
                        .into_font()
                        .color(&colour)
                        .into_text_style(root),
                ),
            ))?;
            y += step;
        }
        y += 4.0;
    }
    Ok(rest)
}

/// What a legend entry shows before its text.
#[derive(Clone, Copy, Debug)]
pub(super) enum Key {
    /// A filled square, drawn as a short thick line so that it is counted with no series.
    Swatch(RGBAColor),
    /// A line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A dotted line.
    Dotted(RGBColor),
    /// A vertical line.
    Rule(RGBColor),
    /// A white square outlined in ink.
    Box,
    /// Nothing: a note in the legend (the entries left out of one too long to draw).
    Blank,
}

/// Height of one row of a legend, in pixels.
pub(super) const LEGEND_ROW: u32 = 26;

/// The width of a legend entry, in pixels (plotters' estimate of viewers' fonts, with room).
pub(super) fn legend_width(text: &str) -> i32 {
    34 + (text.chars().count() as f64 * 7.6) as i32
}

/// The legend's entries by row, filled left to right within `width` pixels.
pub(super) fn legend_rows(entries: &[(Key, String)], width: u32) -> Vec<Vec<usize>> {
    const GAP: i32 = 30;
    let room = width as i32 - 40;
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, (_, text)) in entries.iter().enumerate() {
        let w = legend_width(text);
        match rows.last_mut() {
            Some(row) if used + GAP + w <= room => {
                row.push(i);
                used += GAP + w;
            }
            _ => {
                rows.push(vec![i]);
                used = w;
            }
        }
    }
    rows
}

/// Entries past which a legend is a grid: columns of one width, left-aligned, read row by row
/// (a long list of runs reads as a table, not as ragged centred rows).
const LEGEND_GRID: usize = 4;

/// Where each legend entry goes, `(entry, x, row)`: up to [`LEGEND_GRID`] entries, rows filled
/// left to right and centred; more, a grid.
pub(super) fn legend_layout(entries: &[(Key, String)], width: u32) -> Vec<(usize, i32, usize)> {
    const GAP: i32 = 30;
    if entries.len() > LEGEND_GRID {
        let column = entries
            .iter()
            .map(|(_, t)| legend_width(t))
            .max()
            .unwrap_or(0)
            + GAP;
        let columns = ((width as i32 - 40 + GAP) / column).max(1) as usize;
        let used = columns.min(entries.len()) as i32 * column - GAP;
        let left = ((width as i32 - used) / 2).max(10);
        return (0..entries.len())
            .map(|i| (i, left + (i % columns) as i32 * column, i / columns))
            .collect();
    }
    let mut placed = Vec::new();
    for (r, row) in legend_rows(entries, width).iter().enumerate() {
        let total = row
            .iter()
            .map(|&i| legend_width(&entries[i].1))
            .sum::<i32>()
            + GAP * (row.len() as i32 - 1);
        let mut x = ((width as i32 - total) / 2).max(10);
        for &i in row {
            placed.push((i, x, r));
            x += legend_width(&entries[i].1) + GAP;
        }
    }
    placed
}

/// The height a legend of `entries` needs in `width` pixels (0 for none).
pub(super) fn legend_height(entries: &[(Key, String)], width: u32) -> u32 {
    match legend_layout(entries, width).iter().map(|p| p.2 + 1).max() {
        None => 0,
        Some(n) => n as u32 * LEGEND_ROW + 14,
    }
}

/// A legend in pixel coordinates ([`legend_layout`]), each entry a key then a text.
pub(super) fn draw_legend(area: &Area<'_>, entries: &[(Key, String)]) -> Drawn {
    let width = area.dim_in_pixel().0;
    for (i, x, r) in legend_layout(entries, width) {
        let y = 14 + r as i32 * LEGEND_ROW as i32;
        {
            let (key, text) = &entries[i];
            let (left, right) = ((x, y), (x + 24, y));
            match *key {
                Key::Swatch(colour) => area.draw(&PathElement::new(
                    vec![(x + 5, y), (x + 19, y)],
                    colour.stroke_width(14),
                ))?,
                Key::Line(colour) => {
                    area.draw(&PathElement::new(vec![left, right], colour.stroke_width(3)))?
                }
                Key::Dashed(colour) => {
                    for k in 0..3 {
                        let a = x + 9 * k;
                        area.draw(&PathElement::new(
                            vec![(a, y), (a + 6, y)],
                            colour.stroke_width(2),
                        ))?;
                    }
                }
                Key::Dotted(colour) => {
                    for k in 0..5 {
                        let a = x + 1 + 5 * k;
                        area.draw(&PathElement::new(
                            vec![(a, y), (a + 2, y)],
                            colour.stroke_width(3),
                        ))?;
                    }
                }
                Key::Rule(colour) => area.draw(&PathElement::new(
                    vec![(x + 12, y - 9), (x + 12, y + 9)],
                    colour.stroke_width(2),
                ))?,
                Key::Box => area.draw(&PathElement::new(
                    vec![
                        (x + 5, y - 6),
                        (x + 19, y - 6),
                        (x + 19, y + 6),
                        (x + 5, y + 6),
                        (x + 5, y - 6),
                    ],
                    INK.stroke_width(2),
                ))?,
                Key::Blank => {}
            }
            // An entry longer than the picture is wide (a long key with its note) is drawn
            // smaller, to end inside it.
            let (text, size) = fitted(text, 16.0, width as i32 - x - 32 - 8);
            area.draw(&Text::new(
                text,
                (x + 32, y),
                anchored(font(size), HPos::Left, VPos::Center),
            ))?;
        }
    }
    Ok(())
}

/// The height left for a chart of `height` pixels: at least 300 pixels, or half of it.
fn chart_room(height: u32) -> u32 {
    300.min(height / 2)
}

/// `entries`, or as many of them as a legend of at most `room` pixels holds in `width`, then a
/// note of how many were left out (a legend that does not fit is cut, never drawn over itself
/// or past the picture's edge).
pub(super) fn fitted_legend(
    entries: &[(Key, String)],
    width: u32,
    room: u32,
) -> Vec<(Key, String)> {
    if legend_height(entries, width) <= room {
        return entries.to_vec();
    }
    let cut = |kept: usize| {
        let mut shown = entries[..kept].to_vec();
        shown.push((
            Key::Blank,
            format!("… and {} more, not listed", entries.len() - kept),
        ));
        shown
    };
    // The most entries that fit with the note (legend heights grow with the entries kept).
    let (mut fits, mut over) = (0, entries.len());
    while over - fits > 1 {
        let mid = (fits + over) / 2;
        if legend_height(&cut(mid), width) <= room {
            fits = mid;
        } else {
            over = mid;
        }
    }
    cut(fits)
}

/// Splits `area` into the chart above and a legend of `entries` below, and draws the legend:
/// the whole legend when it leaves the chart [`chart_room`], else as much of it as fits there
/// ([`fitted_legend`]).
pub(super) fn with_legend<'a>(
    area: &Area<'a>,
    entries: &[(Key, String)],
) -> std::result::Result<Area<'a>, DrawError> {
    let (width, height) = area.dim_in_pixel();
    let shown = fitted_legend(entries, width, height - chart_room(height));
    let legend = legend_height(&shown, width);
    let (chart, below) = area.split_vertically(height - legend);
    draw_legend(&below, &shown)?;
    Ok(chart)
}

/// Row positions for a chart with one row per item, the first item at the top: item `i` sits
/// at y = n − 1 − i, on a range from −0.5 to n − 0.5 with a key point per row.
pub(super) fn rows_axis(n: usize) -> (Range<f64>, Vec<f64>) {
    (-0.5..n as f64 - 0.5, (0..n).map(|i| i as f64).collect())
}

/// The item at row position `y` (see [`rows_axis`]).
pub(super) fn row_item<T>(items: &[T], y: f64) -> Option<&T> {
    let from_bottom = y.round();
    if from_bottom < 0.0 {
        return None;
    }
    items
        .len()
        .checked_sub(1 + from_bottom as usize)
        .and_then(|i| items.get(i))
}

/// Formats an axis value as a tick label.
pub(super) type TickLabel<'a> = dyn Fn(&f64) -> String + 'a;

/// A chart with one row per item (the tornado, the summary): a probability axis across, the
/// items' names down the left (`longest` characters at most), no horizontal grid lines.
pub(super) fn row_chart<'a, 'b>(
    area: &'a Area<'b>,
    x_desc: &str,
    (x_axis, y_axis): (Axis, Axis),
    longest: usize,
    (x_label, y_label): (&TickLabel<'_>, &TickLabel<'_>),
) -> std::result::Result<
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<Axis, Axis>>,
    DrawingAreaErrorKind<std::io::Error>,
> {
    let mut chart = ChartBuilder::on(area)
        .margin(20)
        .margin_top(10)
        .x_label_area_size(60)
        .y_label_area_size(
            text_width(longest, 16.0)
                .saturating_add(20)
                .min(area.dim_in_pixel().0.saturating_sub(500)),
        )
        .build_cartesian_2d(x_axis, y_axis)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(x_desc)
        .x_label_formatter(x_label)
        .y_label_formatter(y_label)
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .bold_line_style(INK.mix(GRID_OPACITY))
        .draw()?;
    Ok(chart)
}

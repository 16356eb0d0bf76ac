//! `treatysim plot`: SVG plots of the CSV files already in the output folder (SPEC §8).
//!
//! Every plot is read and drawn before any is written, so a malformed CSV leaves the folder as
//! it was; then each SVG is written atomically and named on stderr.

use crate::cli::PlotArgs;
use crate::distribution::Dist;
use crate::error::{Error, Result};
use crate::export::write_atomic;
use crate::plot::{
    self, Calibration, Facts, Own, Pool, Summary, Sweep, Table, Timeline, Timelines, Tornado,
};
use crate::scenario::{Catalog, Override, Scenario, name_rule, valid_scenario_name};
use std::path::{Path, PathBuf};

/// Bytes plot holds at once per byte of CSV it reads (the parsed tables, the charts' points
/// and the SVG text drawn from them): an estimate on the safe side of what was measured.
const PLOT_BYTES_PER_CSV_BYTE: u64 = 3;

/// A CSV file to plot and the kind of plot it makes.
#[derive(Debug)]
enum Source {
    /// `<scenario>/timeline.csv`.
    Timeline(PathBuf),
    /// `<scenario>/sensitivity.csv`.
    Sensitivity(PathBuf),
    /// `<scenario>/sweep-KEY[-KEY2].csv`.
    Sweep(PathBuf),
    /// `<label>/pool.csv`.
    Pool(PathBuf),
    /// `<out>/summary.csv`.
    Summary(PathBuf),
    /// `<out>/calibration.csv`.
    Calibration(PathBuf),
}

impl Source {
    fn csv(&self) -> &Path {
        match self {
            Source::Timeline(p)
            | Source::Sensitivity(p)
            | Source::Sweep(p)
            | Source::Pool(p)
            | Source::Summary(p)
            | Source::Calibration(p) => p,
        }
    }

    /// The SVG beside the CSV file, with the same stem: in `<out>/NAME/` for a file read from
    /// a version folder `<out>/NAME/.run-N/`.
    fn svg(&self) -> PathBuf {
        let csv = self.csv();
        let dir = csv.parent().unwrap_or(Path::new(""));
        let version = dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(crate::export::publish::LINK));
        let dir = match dir.parent() {
            Some(parent) if version => parent,
            _ => dir,
        };
        dir.join(csv.file_name().unwrap_or_default())
            .with_extension("svg")
    }
}

/// A plot read from its CSV files, ready to draw.
#[derive(Debug)]
enum Chart {
    Timeline(Timeline),
    Tornado(Tornado),
    Sweep(Sweep),
    Pool(Pool),
    Summary(Summary),
    Calibration(Calibration),
    Timelines(Timelines),
}

impl Chart {
    fn svg(&self) -> Result<String> {
        match self {
            Chart::Timeline(t) => plot::timeline_svg(t),
            Chart::Tornado(t) => plot::tornado_svg(t),
            Chart::Sweep(Sweep::Line(line)) => plot::sweep_line_svg(line),
            Chart::Sweep(Sweep::Grid(grid)) => plot::heatmap_svg(grid),
            Chart::Pool(p) => plot::pool_svg(p),
            Chart::Summary(s) => plot::summary_svg(s),
            Chart::Calibration(c) => plot::calibration_svg(c),
            Chart::Timelines(t) => plot::timelines_svg(t),
        }
    }
}

/// What reading a scenario folder's plots needs beyond its files.
struct Reader<'a> {
    catalog: &'a Catalog,
}

impl Reader<'_> {
    /// Reads `source`, a file of the folder of `scenario` (empty for the root's files) in
    /// `out`.
    fn read(&self, out: &Path, scenario: &str, source: &Source) -> Result<Chart> {
        // The folder the CSV file was read from (a run's version folder): its other files
        // come from the same run.
        let dir = match source.csv().parent() {
            Some(dir) if !scenario.is_empty() => dir.to_path_buf(),
            _ => out.join(scenario),
        };
        if !scenario.is_empty() {
            verify(out, scenario, source)?;
        }
        Ok(match source {
            Source::Timeline(path) => {
                let mut timeline = Timeline::read(path, scenario)?;
                timeline.facts = folder_facts(&dir)?.or(timeline.facts);
                Chart::Timeline(timeline)
            }
            Source::Sensitivity(path) => {
                let mut tornado = Tornado::read(path, &dir.join("summary.csv"), scenario)?;
                // Without a run's summary.csv, the study's own record knows the deadline.
                if tornado.facts.deadline.is_none() {
                    tornado.facts.deadline = recorded_deadline(&dir, scenario, "sensitivity");
                }
                Chart::Tornado(tornado)
            }
            Source::Sweep(path) => {
                let deadline = Facts {
                    deadline: folder_facts(&dir)?.deadline,
                    ..Facts::default()
                };
                let mut sweep = Sweep::read(path, scenario)?;
                let own = self.scenario_of(&dir, scenario);
                let own_of = |key: &str| own.as_ref().ok().and_then(|s| own_value(s, key));
                match &mut sweep {
                    Sweep::Line(line) => {
                        line.facts = line.facts.clone().or(deadline);
                        line.own = own_of(&line.key);
                        line.own_note = own_note(&own, line.own.is_none(), &line.key);
                    }
                    Sweep::Grid(grid) => {
                        grid.facts = grid.facts.clone().or(deadline);
                        grid.own = [own_of(&grid.x_key), own_of(&grid.y_key)];
                        let unknown: Vec<&str> = [&grid.x_key, &grid.y_key]
                            .into_iter()
                            .zip(grid.own)
                            .filter(|(_, own)| own.is_none())
                            .map(|(key, _)| key.as_str())
                            .collect();
                        grid.own_note = own_note(&own, !unknown.is_empty(), &unknown.join(", "));
                    }
                }
                Chart::Sweep(sweep)
            }
            Source::Pool(path) => {
                let mut pool = Pool::read(path, scenario)?;
                let deadline = Facts {
                    deadline: folder_facts(&dir)?.deadline,
                    ..Facts::default()
                };
                pool.facts = pool.facts.clone().or(deadline);
                Chart::Pool(pool)
            }
            Source::Summary(path) => Chart::Summary(Summary::read(path)?),
            Source::Calibration(path) => {
                let mut calibration = Calibration::read(path)?;
                calibration.facts = scored_facts(out)?;
                Chart::Calibration(calibration)
            }
        })
    }

    /// The scenario whose results are in `dir`: the resolved scenario in its `run.toml` when
    /// there is one, else the scenario `name` from the catalog with the overrides its
    /// `summary.csv` records. `Err` says why neither is available.
    fn scenario_of(&self, dir: &Path, name: &str) -> std::result::Result<Scenario, String> {
        let run = dir.join("run.toml");
        if run.is_file() {
            let text = crate::export::guard::read_regular(&run, plot::READ_LIMIT)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or("run.toml unreadable")?;
            let resolved = text
                .parse::<toml::Table>()
                .ok()
                .and_then(|t| t.get("resolved")?.as_str().map(str::to_string))
                .ok_or("run.toml holds no resolved scenario")?;
            return crate::scenario::from_resolved(name, &run, &resolved)
                .map_err(|_| "run.toml's resolved scenario is not valid".to_string());
        }
        let overrides = recorded_overrides(dir).ok_or("its summary.csv's overrides unreadable")?;
        self.catalog
            .load(name, &overrides)
            .map_err(|_| format!("no run.toml, and no valid scenario '{name}' in --scenarios"))
    }
}

/// Checks the files a chart of `<out>/SCENARIO/` reads (its CSV file and the folder's
/// `summary.csv`) against their SHA-256 in the folder's `run.toml`, as `score` does
/// ([`crate::export::RunFolder::read_verified`]): a file edited since it was written is
/// refused, not drawn. A folder without `run.toml` (treatysim 0.2's outputs, CSV files written
/// by hand) has nothing to check against and is drawn as read; a `run.toml` that is not
/// treatysim's is refused.
///
/// # Errors
/// [`Error::Invalid`] naming the file and what is wrong.
fn verify(out: &Path, scenario: &str, source: &Source) -> Result<()> {
    let run = crate::export::RunFolder::resolve(&out.join(scenario))?;
    let Some(toml) = run.run_toml()? else {
        return Ok(());
    };
    let csv = source
        .csv()
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    run.read_verified(&toml, csv, plot::READ_LIMIT)?;
    if csv != "summary.csv" && present(&run.path("summary.csv")) {
        run.read_verified(&toml, "summary.csv", plot::READ_LIMIT)?;
    }
    Ok(())
}

/// The note under a sweep's title when the scenario's own value of `keys` is not marked.
fn own_note(
    scenario: &std::result::Result<Scenario, String>,
    unknown: bool,
    keys: &str,
) -> Option<String> {
    match scenario {
        _ if !unknown => None,
        Err(why) => Some(format!("scenario's own value not marked: {why}")),
        Ok(_) => Some(format!("the scenario has no parameter {keys}")),
    }
}

/// The `--set` overrides recorded in `dir/summary.csv`'s `overrides` column (none when the
/// file or the column is missing); `None` when one cannot be read back.
fn recorded_overrides(dir: &Path) -> Option<Vec<Override>> {
    let path = dir.join("summary.csv");
    if !path.is_file() {
        return Some(Vec::new());
    }
    let table = Table::read(&path).ok()?;
    if !table.has_column("overrides") {
        return Some(Vec::new());
    }
    let joined = table.texts("overrides").ok()?.into_iter().next()?;
    joined
        .split("; ")
        .filter(|o| !o.trim().is_empty())
        .map(|o| o.parse::<Override>().ok())
        .collect()
}

/// A scenario's own setting of a swept key: a constant's value, a distribution's central 90%
/// (5% to 95% quantile), an event's probability.
pub fn own_value(scenario: &Scenario, key: &str) -> Option<Own> {
    if let Some(id) = scenario.cast.id(key) {
        return Some(match *scenario.dist(id) {
            Dist::Constant(value) => Own::Value(value),
            ref dist => Own::Span(dist.quantile(0.05), dist.quantile(0.95)),
        })
        .filter(|own| {
            let (lo, hi) = match own {
                Own::Value(v) => (*v, *v),
                Own::Span(lo, hi) => (*lo, *hi),
            };
            lo.is_finite() && hi.is_finite()
        });
    }
    let event = key.strip_prefix("event.")?.strip_suffix(".probability")?;
    scenario
        .events
        .iter()
        .find(|e| e.name == event)
        .map(|e| Own::Value(e.probability))
}

/// The deadline of the scenario that `dir/run.toml` records for its output `output` (`None`
/// when there is no such record, or it does not read as a scenario).
fn recorded_deadline(dir: &Path, name: &str, output: &str) -> Option<String> {
    let path = dir.join("run.toml");
    let toml = crate::export::RunToml::read(&path).ok()??;
    let resolved = &toml.outputs.get(output)?.record.resolved;
    let scenario = crate::scenario::from_resolved(name, &path, resolved).ok()?;
    Some(scenario.simulation.deadline.to_string())
}

/// The facts recorded in `dir/summary.csv` (none when there is no such file).
fn folder_facts(dir: &Path) -> Result<Facts> {
    let path = dir.join("summary.csv");
    if path.is_file() {
        Ok(Facts::from_table(&Table::read(&path)?))
    } else {
        Ok(Facts::default())
    }
}

/// The facts of the scored runs: the rows of `<out>/summary.csv` whose scenario is in
/// `<out>/scores.csv` (none when a file is missing).
fn scored_facts(out: &Path) -> Result<Facts> {
    let (scores, summary) = (out.join("scores.csv"), out.join("summary.csv"));
    if !(scores.is_file() && summary.is_file()) {
        return Ok(Facts::default());
    }
    let scored = Table::read(&scores)?.texts("scenario")?;
    let summary = Table::read(&summary)?;
    let names = summary.texts("scenario")?;
    Ok(Facts::of_rows(&summary, |i| scored.contains(&names[i])))
}

/// Draws the plots of the named scenarios (every scenario with results when none is named),
/// `<out>/timelines.svg` from their timelines, and `<out>/summary.svg` and
/// `<out>/calibration.svg` when their CSV files exist.
///
/// # Errors
/// [`Error::Invalid`] when the output folder is missing, a named scenario has no results, or a
/// CSV file is malformed; [`Error::Io`] when a file cannot be read, drawn or written.
pub fn plot(catalog: &Catalog, args: &PlotArgs) -> Result<()> {
    let out = &args.out;
    if !out.is_dir() {
        return Err(Error::Invalid(format!(
            "output folder '{}' does not exist; run `treatysim run NAME{}` first",
            out.display(),
            out_flag(out)
        )));
    }
    // Every check before the first write (SPEC §7), the repair's included: each folder's
    // files against its run.toml, and calibration.csv, which the repair does not touch.
    for (scenario, source) in sources(args)? {
        match &source {
            Source::Calibration(path) => drop(Calibration::read(path)?),
            _ if !scenario.is_empty() => verify(out, &scenario, &source)?,
            _ => {}
        }
    }
    // Stale root rows agree with their folders again before summary.svg is drawn from them
    // (SPEC §7): a row never disagrees with its folder's summary.csv in a plot.
    crate::export::repair(out)?;
    let reader = Reader { catalog };
    // Every chart is read before any is drawn or written, each scenario's from one version of
    // its folder: read again, whole, if a folder was republished meanwhile.
    let mut charts = None;
    for _ in 0..crate::export::layout::REREADS {
        let sources = sources(args)?;
        let read = sources
            .iter()
            .map(|(scenario, source)| Ok((source.svg(), reader.read(out, scenario, source)?)))
            .collect::<Result<Vec<_>>>();
        let current = sources.iter().all(|(scenario, source)| {
            scenario.is_empty()
                || source
                    .csv()
                    .parent()
                    .is_none_or(|dir| crate::export::layout::is_current(&out.join(scenario), dir))
        });
        if current {
            charts = Some(read?);
            break;
        }
    }
    let Some(mut charts) = charts else {
        return Err(crate::export::layout::republished(out));
    };
    let timelines: Vec<&mut Timeline> = charts
        .iter_mut()
        .filter_map(|(_, chart)| match chart {
            Chart::Timeline(t) => Some(t),
            _ => None,
        })
        .collect();
    if args.common_scale {
        let top = timelines.iter().map(|t| t.top()).fold(0.0, f64::max);
        for timeline in timelines {
            timeline.y_top = Some(top);
        }
    }
    let runs: Vec<Timeline> = charts
        .iter()
        .filter_map(|(_, chart)| match chart {
            Chart::Timeline(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    if !runs.is_empty() {
        charts.push((
            out.join("timelines.svg"),
            Chart::Timelines(Timelines { runs }),
        ));
    }
    let drawn = charts
        .iter()
        .map(|(path, chart)| Ok((path, chart.svg()?)))
        .collect::<Result<Vec<_>>>()?;
    for (path, svg) in drawn {
        write_atomic(path, svg.as_bytes())?;
        note!("wrote {}", path.display());
    }
    Ok(())
}

/// What `plot` draws: the sources of the named scenarios (of every scenario with results
/// when none is named) and the root's files, after checking that reading them fits in
/// `--max-memory`.
///
/// # Errors
/// As [`plot`].
fn sources(args: &PlotArgs) -> Result<Vec<(String, Source)>> {
    let out = &args.out;
    let mut sources = if args.names.is_empty() {
        let mut sources = Vec::new();
        for scenario in scenario_folders(out)? {
            let found = scenario_sources(&out.join(&scenario))?;
            sources.extend(found.into_iter().map(|source| (scenario.clone(), source)));
        }
        sources
    } else {
        named_sources(out, &args.names)?
    };
    for (file, root) in [
        ("summary.csv", Source::Summary as fn(PathBuf) -> Source),
        ("calibration.csv", Source::Calibration),
    ] {
        let path = out.join(file);
        if present(&path) {
            sources.push((String::new(), root(path)));
        }
    }
    if sources.is_empty() {
        return Err(Error::Invalid(format!(
            "nothing to plot in '{}': no scenario folder holds timeline.csv, sensitivity.csv, \
             sweep-*.csv or pool.csv, and there is no summary.csv or calibration.csv; run \
             `treatysim run NAME{}` first",
            out.display(),
            out_flag(out)
        )));
    }
    // Every chart is read and drawn before any is written: memory grows with the CSV files
    // (a 120,000-month window makes an 18 MB timeline.csv), so it is estimated from their
    // sizes and refused past --max-memory before anything is read.
    let csv_bytes: u64 = sources
        .iter()
        .map(|(_, source)| std::fs::symlink_metadata(source.csv()).map_or(0, |m| m.len()))
        .sum();
    crate::memory::Estimate::new()
        .add(
            format!(
                "{} CSV files of {} read and drawn",
                sources.len(),
                crate::memory::size(csv_bytes)
            ),
            csv_bytes.saturating_mul(PLOT_BYTES_PER_CSV_BYTE),
        )
        .advice("plot fewer scenarios (name them), or shorten their windows")
        .check("plot", args.max_memory)?;
    Ok(sources)
}

/// The sources of the scenarios named on the command line.
fn named_sources(out: &Path, args: &[String]) -> Result<Vec<(String, Source)>> {
    let mut names: Vec<String> = Vec::new();
    for arg in args {
        // The plots are written into <out>/NAME/: NAME must be one folder inside --out.
        let name = super::output_name(arg)
            .ok_or_else(|| Error::Invalid(name_rule("scenario", &scenario_name(arg))))?;
        crate::export::check_scenario_folder(out, &name)?;
        names.push(name);
    }
    names.dedup();
    // A name is a folder of `--out`: `..` or a path would draw (and write) outside it.
    if let Some(bad) = names.iter().find(|n| !valid_scenario_name(n)) {
        return Err(Error::Invalid(name_rule("plot: the scenario", bad)));
    }
    let mut sources = Vec::new();
    for scenario in names {
        let dir = out.join(&scenario);
        let found = if dir.is_dir() {
            scenario_sources(&dir)?
        } else {
            Vec::new()
        };
        if found.is_empty() {
            return Err(Error::Invalid(format!(
                "no results to plot in '{}' (no timeline.csv, sensitivity.csv, sweep-*.csv or \
                 pool.csv){}; run `treatysim run {scenario}{}` first",
                dir.display(),
                crate::cast::did_you_mean(&scenario, folders_in(out).iter().map(String::as_str)),
                out_flag(out)
            )));
        }
        sources.extend(found.into_iter().map(|source| (scenario.clone(), source)));
    }
    Ok(sources)
}

/// ` --out DIR` for hints, when the folder is not the default.
fn out_flag(out: &Path) -> String {
    if out == Path::new("results") {
        String::new()
    } else {
        format!(" --out {}", out.display())
    }
}

/// A scenario's name as `run` names it: a NAME ending in `.toml` or containing `/` is a path,
/// named by its file stem.
fn scenario_name(name: &str) -> String {
    if (name.ends_with(".toml") || name.contains('/'))
        && let Some(stem) = Path::new(name).file_stem()
    {
        return stem.to_string_lossy().into_owned();
    }
    name.to_string()
}

/// The subfolders of `out` whose names are scenario names (so none hidden), not links that
/// could lead out of `--out`, sorted by name.
fn scenario_folders(out: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(out).map_err(|e| Error::io("read folder", out, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read folder", out, e))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if valid_scenario_name(&name) && entry.file_type().is_ok_and(|t| t.is_dir()) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// The plottable CSV files in a scenario's folder: `timeline.csv`, `sensitivity.csv`,
/// `pool.csv` and `sweep-*.csv` (sorted by name), read from the one version of the folder its
/// `.run` link names when it is read ([`crate::export::RunFolder`]).
fn scenario_sources(dir: &Path) -> Result<Vec<Source>> {
    let run = crate::export::RunFolder::resolve(dir)?;
    let dir = run.dir();
    let mut sources = Vec::new();
    let timeline = dir.join("timeline.csv");
    if present(&timeline) {
        sources.push(Source::Timeline(timeline));
    }
    let sensitivity = dir.join("sensitivity.csv");
    if present(&sensitivity) {
        sources.push(Source::Sensitivity(sensitivity));
    }
    let pool = dir.join("pool.csv");
    if present(&pool) {
        sources.push(Source::Pool(pool));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read folder", dir, e))?;
    let mut sweeps = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read folder", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("sweep-") && name.ends_with(".csv") && present(&entry.path()) {
            sweeps.push(entry.path());
        }
    }
    sweeps.sort();
    sources.extend(sweeps.into_iter().map(Source::Sweep));
    Ok(sources)
}

/// Whether there is something at `path` other than a folder: a file to plot, or a link or
/// FIFO that reading refuses ([`Table::read`]) rather than skips.
fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_dir())
}

/// The names of the folders in `out` (the scenarios with results there), for suggestions.
pub fn folders_in(out: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(out)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        assert_eq!(scenario_name("baseline"), "baseline");
        assert_eq!(scenario_name("scenarios/togo.toml"), "togo");
        assert_eq!(scenario_name("mason.toml"), "mason");
    }

    #[test]
    fn svg_sits_beside_its_csv_with_dots_in_the_key() {
        let source = Source::Sweep(PathBuf::from(
            "results/x/sweep-japan.security_concession.csv",
        ));
        assert_eq!(
            source.svg(),
            PathBuf::from("results/x/sweep-japan.security_concession.svg")
        );
    }
}

//! `treatysim plot`: SVG plots of the CSV files already in the output folder (SPEC §8).
//!
//! Every plot is read and drawn before any is written, so a malformed CSV leaves the folder as
//! it was; then each SVG is written atomically and named on stderr.

use crate::cli::PlotArgs;
use crate::error::{Error, Result};
use crate::export::write_atomic;
use crate::plot::{self, Summary, Sweep, Timeline, Tornado};
use crate::scenario::{name_rule, valid_scenario_name};
use std::path::{Path, PathBuf};

/// A CSV file to plot and the kind of plot it makes.
#[derive(Debug)]
enum Source {
    /// `<scenario>/timeline.csv`.
    Timeline(PathBuf),
    /// `<scenario>/sensitivity.csv`.
    Sensitivity(PathBuf),
    /// `<scenario>/sweep-KEY[-KEY2].csv`.
    Sweep(PathBuf),
    /// `<out>/summary.csv`.
    Summary(PathBuf),
}

impl Source {
    fn csv(&self) -> &Path {
        match self {
            Source::Timeline(p)
            | Source::Sensitivity(p)
            | Source::Sweep(p)
            | Source::Summary(p) => p,
        }
    }

    /// The SVG beside the CSV file, with the same stem.
    fn svg(&self) -> PathBuf {
        self.csv().with_extension("svg")
    }

    /// Reads the CSV file and draws its plot; `scenario` names the plot.
    fn draw(&self, scenario: &str) -> Result<String> {
        match self {
            Source::Timeline(path) => plot::timeline_svg(&Timeline::read(path, scenario)?),
            Source::Sensitivity(path) => {
                let summary = path.with_file_name("summary.csv");
                plot::tornado_svg(&Tornado::read(path, &summary, scenario)?)
            }
            Source::Sweep(path) => match Sweep::read(path, scenario)? {
                Sweep::Line(line) => plot::sweep_line_svg(&line),
                Sweep::Grid(grid) => plot::heatmap_svg(&grid),
            },
            Source::Summary(path) => plot::summary_svg(&Summary::read(path)?),
        }
    }
}

/// Draws the plots of the named scenarios (every scenario with results when none is named)
/// and `<out>/summary.svg`.
///
/// # Errors
/// [`Error::Invalid`] when the output folder is missing, a named scenario has no results, or a
/// CSV file is malformed; [`Error::Io`] when a file cannot be read, drawn or written.
pub fn plot(args: &PlotArgs) -> Result<()> {
    let out = &args.out;
    if !out.is_dir() {
        return Err(Error::Invalid(format!(
            "output folder '{}' does not exist; run `treatysim run NAME{}` first",
            out.display(),
            out_flag(out)
        )));
    }
    let mut sources: Vec<(String, Source)> = Vec::new();
    if args.names.is_empty() {
        for scenario in scenario_folders(out)? {
            let found = scenario_sources(&out.join(&scenario))?;
            sources.extend(found.into_iter().map(|source| (scenario.clone(), source)));
        }
    } else {
        let mut names: Vec<String> = Vec::new();
        for arg in &args.names {
            // The plots are written into <out>/NAME/: NAME must be one folder inside --out.
            let name = super::output_name(arg)
                .ok_or_else(|| Error::Invalid(name_rule("scenario", &scenario_name(arg))))?;
            crate::export::check_scenario_folder(out, &name)?;
            names.push(name);
        }
        names.dedup();
        // A name is a folder of `--out`: `..` or a path would draw (and write) outside it.
        if let Some(bad) = names
            .iter()
            .find(|n| !crate::scenario::valid_scenario_name(n))
        {
            return Err(Error::Invalid(crate::scenario::name_rule(
                "plot: the scenario",
                bad,
            )));
        }
        for scenario in names {
            let dir = out.join(&scenario);
            let found = if dir.is_dir() {
                scenario_sources(&dir)?
            } else {
                Vec::new()
            };
            if found.is_empty() {
                return Err(Error::Invalid(format!(
                    "no results to plot in '{}' (no timeline.csv, sensitivity.csv or sweep-*.csv){}; \
                     run `treatysim run {scenario}{}` first",
                    dir.display(),
                    crate::cast::did_you_mean(
                        &scenario,
                        folders_in(out).iter().map(String::as_str)
                    ),
                    out_flag(out)
                )));
            }
            sources.extend(found.into_iter().map(|source| (scenario.clone(), source)));
        }
    }
    let summary = out.join("summary.csv");
    if summary.is_file() {
        sources.push((String::new(), Source::Summary(summary)));
    }
    if sources.is_empty() {
        return Err(Error::Invalid(format!(
            "nothing to plot in '{}': no scenario folder holds timeline.csv, sensitivity.csv or \
             sweep-*.csv, and there is no summary.csv; run `treatysim run NAME{}` first",
            out.display(),
            out_flag(out)
        )));
    }
    let drawn = sources
        .iter()
        .map(|(scenario, source)| Ok((source.svg(), source.draw(scenario)?)))
        .collect::<Result<Vec<_>>>()?;
    for (path, svg) in drawn {
        write_atomic(&path, svg.as_bytes())?;
        note!("wrote {}", path.display());
    }
    Ok(())
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

/// The plottable CSV files in a scenario's folder: `timeline.csv`, `sensitivity.csv` and
/// `sweep-*.csv` (sorted by name).
fn scenario_sources(dir: &Path) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    let timeline = dir.join("timeline.csv");
    if timeline.is_file() {
        sources.push(Source::Timeline(timeline));
    }
    let sensitivity = dir.join("sensitivity.csv");
    if sensitivity.is_file() {
        sources.push(Source::Sensitivity(sensitivity));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read folder", dir, e))?;
    let mut sweeps = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read folder", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("sweep-") && name.ends_with(".csv") && entry.path().is_file() {
            sweeps.push(entry.path());
        }
    }
    sweeps.sort();
    sources.extend(sweeps.into_iter().map(Source::Sweep));
    Ok(sources)
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

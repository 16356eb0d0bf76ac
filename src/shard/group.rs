//! Reading the shards of one scenario and checking them as a whole before merge writes
//! anything (SPEC §9): complete, agreeing, their tallies consistent, their samples parts
//! intact, their HMACs valid when a key is set.

use super::rows::RowCheck;
use super::witness::{Resimulator, scan_csv_part};
use super::{Payload, ShardFile, estimator, range, sha256_file};
use crate::analysis::sensitivity::{Bins, Pilot, same_bins, study_params};
use crate::error::{Error, Result};
use crate::model::Estimator;
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// The complete, agreeing, verified shards of one output, with what merging them needs.
#[derive(Clone, Debug)]
pub struct Group {
    /// The shards, in order of K.
    pub files: Vec<ShardFile>,
    /// The scenario they ran, as their resolved text states it.
    pub scenario: Scenario,
    /// Their estimator.
    pub estimator: Estimator,
}

/// Most shards a message lists by name.
const LISTED: usize = 10;

/// Reads and checks every shard in `<out>/<scenario>/shards/` (SPEC §9), grouped by output:
/// nothing is written, and every group is checked before the first is returned, so that a
/// refused merge writes nothing.
///
/// # Errors
/// Invalid input (exit 2) naming the problem: no shards; a folder, a file that is not a
/// shard, or one that is not UTF-8 in `shards/`; a shard whose checksum does not match (edited,
/// truncated), that belongs to another scenario, or whose tallies break their invariants
/// ([`Tally::check`](crate::engine::Tally::check)); a missing or duplicated shard; shards that disagree on the resolved
/// scenario, seed, trials, estimator or N; a missing, truncated or replaced samples part.
pub fn collect(
    out: &Path,
    scenario: &str,
    key: Option<&super::seal::ShardKey>,
) -> Result<Vec<Group>> {
    if !crate::scenario::valid_scenario_name(scenario) {
        return Err(Error::Invalid(crate::scenario::name_rule(
            "merge: the scenario",
            scenario,
        )));
    }
    let folder = ShardFile::folder(out, scenario);
    // Neither `<out>/NAME` nor its `shards` may be a link: shards are read only inside --out.
    crate::export::guard::real_folder(&out.join(scenario), false)?;
    crate::export::guard::real_folder(&folder, false)?;
    let entries = std::fs::read_dir(&folder).map_err(|_| {
        Error::Invalid(format!(
            "no shards for '{scenario}': '{}' does not exist{}",
            folder.display(),
            match suggestion(out, scenario) {
                None => "; run with --shard K/N first".to_string(),
                Some(hint) => format!("{hint} (otherwise run with --shard K/N first)"),
            }
        ))
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read folder", &folder, e))?;
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(Error::Invalid(format!(
                "'{}': a file name that is not UTF-8 in a shards folder, which holds only \
                 shard files and samples parts; move it out",
                path.display()
            )));
        };
        // Temporary files of writers at work, or killed (removed by the next writer).
        if name.starts_with('.') {
            continue;
        }
        if name.ends_with(".toml") || path.is_dir() {
            paths.push(path);
        } else if !is_samples_part(name) {
            return Err(Error::Invalid(format!(
                "'{}' is neither a shard file (*.toml) nor a samples part (samples-K-of-N.csv or .parquet); \
                 a shards folder holds only those: move it out",
                path.display()
            )));
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(Error::Invalid(format!(
            "no shard files in '{}'",
            folder.display()
        )));
    }
    let mut groups: Vec<Vec<(PathBuf, ShardFile)>> = Vec::new();
    for path in paths {
        let file = ShardFile::read(&path, key)?;
        if file.scenario != scenario {
            return Err(Error::Invalid(format!(
                "'{}' is a shard of scenario '{}', not of '{scenario}': a foreign file in this \
                 shards folder; move it out",
                path.display(),
                file.scenario
            )));
        }
        match groups.iter_mut().find(|g| g[0].1.output == file.output) {
            Some(group) => group.push((path, file)),
            None => groups.push(vec![(path, file)]),
        }
    }
    groups
        .into_iter()
        .map(|group| check_group(out, group))
        .collect()
}

/// "; did you mean `x`?" for a scenario NAME that has no shards: the closest of the
/// scenarios with shards in `out`, else of the scenarios in the `scenarios` folder (where
/// shards come from), if one is close.
fn suggestion(out: &Path, scenario: &str) -> Option<String> {
    let sharded: Vec<String> = std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.') && ShardFile::folder(out, name).is_dir())
        .collect();
    let hint = crate::cast::did_you_mean(scenario, sharded.iter().map(String::as_str));
    if !hint.is_empty() {
        return Some(format!("{hint} ('{}' has its shards)", out.display()));
    }
    let catalog = crate::scenario::Catalog::new("scenarios")
        .names()
        .unwrap_or_default();
    let hint = crate::cast::did_you_mean(scenario, catalog.iter().map(String::as_str));
    (!hint.is_empty()).then_some(hint)
}

/// `samples-K-of-N.csv` or `samples-K-of-N.parquet`.
fn is_samples_part(name: &str) -> bool {
    name.strip_prefix("samples-")
        .and_then(|rest| {
            rest.strip_suffix(".csv")
                .or_else(|| rest.strip_suffix(".parquet"))
        })
        .and_then(|rest| rest.split_once("-of-"))
        .is_some_and(|(k, n)| {
            [k, n]
                .iter()
                .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// Checks one output's shards, each with the path (or name) that messages give it: that they
/// agree, are complete, and that their tallies keep their invariants; `out` holds their samples
/// parts. [`collect`] calls it for each group; a front end that holds shards in memory (the
/// Python package's Dask runs) calls it directly.
///
/// # Errors
/// As [`collect`].
pub fn check_group(out: &Path, mut group: Vec<(PathBuf, ShardFile)>) -> Result<Group> {
    group.sort_by_key(|(_, f)| f.shard);
    splits(&group)?;
    let (first_path, first) = &group[0];
    let folder = first_path
        .parent()
        .map_or_else(String::new, |p| p.display().to_string());
    for (path, file) in &group[1..] {
        let differs = |what: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| {
            Error::Invalid(format!(
                "shards disagree on {what}: '{}' has {a}, '{}' has {b}; rerun the shards with \
                 the same scenario and options (shards left from an earlier run stay in \
                 '{folder}' until removed: remove that folder, then rerun every shard)",
                first_path.display(),
                path.display()
            ))
        };
        if file.seed != first.seed {
            return Err(differs("the seed", &first.seed, &file.seed));
        }
        if file.trials != first.trials {
            return Err(differs("the number of trials", &first.trials, &file.trials));
        }
        if file.estimator != first.estimator {
            return Err(differs("the estimator", &first.estimator, &file.estimator));
        }
        if file.samples != first.samples {
            return Err(differs("--samples", &first.samples, &file.samples));
        }
        if file.samples_format != first.samples_format {
            return Err(differs(
                "--samples-format",
                &first.samples_format.extension(),
                &file.samples_format.extension(),
            ));
        }
        if scenario_text(&file.resolved) != scenario_text(&first.resolved)
            || std::mem::discriminant(&file.payload) != std::mem::discriminant(&first.payload)
        {
            return Err(differs(
                "the resolved scenario",
                &"one scenario",
                &"another",
            ));
        }
        if let Some((what, a, b)) = shape_difference(&first.payload, &file.payload) {
            return Err(differs(what, &a, &b));
        }
    }
    let n = first.shards;
    let have: Vec<u64> = group.iter().map(|(_, f)| f.shard).collect();
    if let Some(dup) = have.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::Invalid(format!(
            "shard {}/{n} of '{}' appears more than once in '{folder}'",
            dup[0], first.output,
        )));
    }
    // `have` is sorted and free of duplicates, all within 1..=n: the missing are n − len.
    let missing_count = n - have.len() as u64;
    if missing_count > 0 {
        // At most LISTED of them, found in at most len + LISTED steps whatever N.
        let missing: Vec<String> = (1..=n)
            .filter(|k| have.binary_search(k).is_err())
            .take(LISTED)
            .map(|k| format!("{k}/{n}"))
            .collect();
        let more = missing_count.saturating_sub(missing.len() as u64);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        return Err(Error::Invalid(format!(
            "'{}' of '{}' is missing shard(s) {}{more}; run them with --shard K/{n}",
            first.output,
            first.scenario,
            missing.join(", ")
        )));
    }
    let estimator = estimator(&first.estimator)
        .map_err(|m| Error::Invalid(format!("{}: {m}", first_path.display())))?;
    let scenario = crate::scenario::from_resolved(
        &first.scenario,
        Path::new(&format!(
            "the resolved scenario of '{}'",
            first_path.display()
        )),
        &first.resolved,
    )?;
    let tampered = |path: &Path, what: String| {
        Error::Invalid(format!(
            "'{}' cannot be merged: {what}; it was edited or damaged: rerun the shard",
            path.display()
        ))
    };
    let sim = &scenario.simulation;
    if sim.trials != first.trials || sim.seed != first.seed {
        return Err(tampered(
            first_path,
            format!(
                "it says trials {} and seed {}, but its resolved scenario says trials {} and \
                 seed {}",
                first.trials, first.seed, sim.trials, sim.seed
            ),
        ));
    }
    let months = sim.months();
    // A sensitivity study's bins are the pilot's, drawn again here (SPEC §9).
    let pilot = match first.payload {
        Payload::Sensitivity { .. } => {
            let model = crate::model::Model::new(&scenario);
            let (params, factor_of) = study_params(&scenario);
            let pilot = Pilot::draw(&model, sim.seed, sim.trials, &params)?;
            Some((pilot, params, factor_of))
        }
        _ => None,
    };
    for (path, file) in &group {
        let range = range(file.shard(), file.trials);
        let expected = range.end - range.start;
        if let (Some((pilot, params, factor_of)), Payload::Sensitivity { bins, .. }) =
            (&pilot, &file.payload)
        {
            let wanted = pilot.expected(params, factor_of, bins);
            if let Some(what) = bins_difference(path, bins, &wanted, sim.trials) {
                return Err(tampered(path, what));
            }
        }
        check_payload(&scenario, estimator, months, expected, &file.payload).map_err(|m| {
            tampered(
                path,
                format!("shard {}/{n} of '{}': {m}", file.shard, file.output),
            )
        })?;
    }
    // Each shard's bins are the pilot's for some --bins: the same --bins in every shard.
    for (path, file) in &group[1..] {
        if let (Payload::Sensitivity { bins: a, .. }, Payload::Sensitivity { bins: b, .. }) =
            (&first.payload, &file.payload)
            && !same_bins(a, b)
        {
            return Err(Error::Invalid(format!(
                "shards disagree on the sensitivity bins (--bins): '{}' and '{}' hold the \
                     bins of different --bins ({} and {} bins of '{}'); rerun the shards with \
                     the same --bins (shards left from an earlier run stay in '{folder}' until \
                     removed: remove that folder, then rerun every shard)",
                first_path.display(),
                path.display(),
                a.first().map_or(0, |x| x.high.len()),
                b.first().map_or(0, |x| x.high.len()),
                a.first().map_or("", |x| x.param.as_str()),
            )));
        }
    }
    // Every shard's sampled trials simulated again (SPEC §9), once every tally is known sound.
    let mut resimulator = Resimulator::new(&scenario, &first.resolved, estimator);
    for (path, file) in &group {
        if let Some(what) = resimulator.check(file)? {
            return Err(tampered(
                path,
                format!("shard {}/{n} of '{}': {what}", file.shard, file.output),
            ));
        }
        if file.samples {
            check_samples_part(out, file, n, &resimulator)?;
        }
    }
    Ok(Group {
        files: group.into_iter().map(|(_, f)| f).collect(),
        scenario,
        estimator,
    })
}

/// Checks a shard's `--samples` part: there, the SHA-256 the shard recorded, and the rows of
/// its sampled trials as they simulate again (read in the same pass for CSV).
///
/// # Errors
/// Invalid input naming the part and what disagrees; I/O errors.
fn check_samples_part(
    out: &Path,
    file: &ShardFile,
    n: u64,
    resimulator: &Resimulator<'_>,
) -> Result<()> {
    let part = file.samples_part(out);
    if std::fs::symlink_metadata(&part).is_err() {
        return Err(Error::Invalid(format!(
            "shard {}/{n} was run with --samples but '{}' is missing",
            file.shard,
            part.display()
        )));
    }
    let rows = resimulator.sample_rows(file);
    crate::engine::check_interrupted()?;
    let sealed = |actual: &str| {
        if Some(actual) == file.samples_sha256.as_deref() {
            return Ok(());
        }
        Err(Error::Invalid(format!(
            "the samples part '{}' was edited, truncated or replaced: its SHA-256 is \
             {actual}, not the one shard {}/{n} recorded; rerun the shard",
            part.display(),
            file.shard
        )))
    };
    let range = range(file.shard(), file.trials);
    let check = RowCheck::new(resimulator.scenario(), resimulator.format(), range.clone());
    let (rows_read, broken, differs) = if file.samples_format.is_csv() {
        let scan = scan_csv_part(&part, &rows, Some(&check))?;
        sealed(&scan.sha256)?;
        (scan.rows, scan.broken, scan.differs)
    } else {
        sealed(&sha256_file(&part)?)?;
        let (read, broken) = crate::export::parquet_file::each_cell(
            &part,
            resimulator.format(),
            &mut |row, column, cell| check.value(row, column, cell),
        )?;
        let wanted: Vec<u64> = rows.iter().map(|(row, _)| *row).collect();
        let found = if broken.is_none() && read == check.rows() {
            crate::export::parquet_file::rows_as_csv(&part, resimulator.format(), &wanted)?
        } else {
            Vec::new()
        };
        let differs = rows
            .iter()
            .zip(found)
            .find(|((_, expected), found)| found.as_deref() != Some(expected.as_slice()))
            .map(|((row, _), found)| (*row, found.unwrap_or_default()));
        (read, broken, differs)
    };
    if let Some((row, what)) = broken {
        return Err(check.error(&part, row, what));
    }
    if rows_read != check.rows() {
        return Err(check.count_error(&part, rows_read));
    }
    if let Some((row, found)) = differs {
        let expected = rows
            .iter()
            .find(|(r, _)| *r == row)
            .map(|(_, bytes)| bytes.as_slice())
            .unwrap_or_default();
        let show = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes);
            let text = text.trim_end();
            match text.char_indices().nth(120) {
                Some((i, _)) => format!("{}…", &text[..i]),
                None => text.to_string(),
            }
        };
        let cells = |bytes: &[u8]| -> Vec<Vec<u8>> {
            bytes
                .strip_suffix(b"\n")
                .unwrap_or(bytes)
                .split(|&b| b == b',')
                .map(<[u8]>::to_vec)
                .collect()
        };
        let (e, f) = (cells(expected), cells(&found));
        let column = (0..e.len().max(f.len()))
            .find(|&i| e.get(i) != f.get(i))
            .unwrap_or(0);
        let name = resimulator
            .format()
            .columns()
            .get(column)
            .map_or("", String::as_str);
        let cell = |v: &[Vec<u8>]| {
            v.get(column).map_or_else(
                || "nothing".into(),
                |c| String::from_utf8_lossy(c).into_owned(),
            )
        };
        return Err(Error::Invalid(format!(
            "the samples part '{}' cannot be merged: row {} (trial {}), column {} '{name}', \
             holds '{}' where simulating that trial again from shard {}/{n}'s resolved scenario \
             and seed {} gives '{}' (the row: '{}', expected '{}'): the part was changed and \
             its SHA-256 recomputed in the shard; rerun the shard",
            part.display(),
            row + 1,
            range.start + row,
            column + 1,
            cell(&f),
            file.shard,
            file.seed,
            cell(&e),
            show(&found),
            show(expected)
        )));
    }
    Ok(())
}

/// Refuses a group whose shards come from splits into different numbers N of shards: what an
/// earlier split leaves in `shards/`, named with how to clear it.
fn splits(group: &[(PathBuf, ShardFile)]) -> Result<()> {
    let mut counts: Vec<(u64, usize)> = Vec::new();
    for (_, file) in group {
        match counts.iter_mut().find(|(n, _)| *n == file.shards) {
            Some((_, count)) => *count += 1,
            None => counts.push((file.shards, 1)),
        }
    }
    if counts.len() < 2 {
        return Ok(());
    }
    counts.sort_unstable();
    let (path, first) = &group[0];
    let folder = path
        .parent()
        .map_or_else(String::new, |p| p.display().to_string());
    let output = &first.output;
    let listed: Vec<String> = counts
        .iter()
        .map(|(n, count)| format!("{count} of N = {n} ({output}-*-of-{n}.toml)"))
        .collect();
    Err(Error::Invalid(format!(
        "shards disagree on N (the number of shards): '{folder}' holds shards of {} splits of \
         '{output}': {}; shards left from an earlier split stay until removed: remove the files \
         of the split you do not want (and its samples-*-of-N.csv), or remove '{folder}' and \
         rerun every shard",
        counts.len(),
        listed.join(", ")
    )))
}

/// Checks one shard's payload against the scenario it ran: `trials` trials of its range over
/// `months` months.
fn check_payload(
    scenario: &Scenario,
    estimator: Estimator,
    months: usize,
    trials: u64,
    payload: &Payload,
) -> std::result::Result<(), String> {
    match payload {
        Payload::Run(tally) => tally.check(estimator, trials, months),
        Payload::Sweep {
            keys,
            points,
            tallies,
        } => {
            if keys.is_empty() || keys.len() > 2 || (keys.len() == 2 && keys[0] == keys[1]) {
                return Err("a sweep has one or two different keys".into());
            }
            for key in keys {
                crate::analysis::sweep::check_key(key, scenario).map_err(|e| e.to_string())?;
            }
            if points.is_empty()
                || points.len() as u64 > crate::analysis::sweep::MAX_POINTS
                || points.len() != tallies.len()
            {
                return Err(format!(
                    "it has {} points and {} tallies; a sweep has from 1 to {} points, one \
                     tally each",
                    points.len(),
                    tallies.len(),
                    crate::analysis::sweep::MAX_POINTS
                ));
            }
            if let Some(i) = points
                .iter()
                .position(|p| p.len() != keys.len() || p.iter().any(|x| !x.is_finite()))
            {
                return Err(format!(
                    "point {} is not {} finite number(s)",
                    i + 1,
                    keys.len()
                ));
            }
            for (i, tally) in tallies.iter().enumerate() {
                tally
                    .check(estimator, trials, months)
                    .map_err(|m| format!("the tally of point {}: {m}", i + 1))?;
            }
            Ok(())
        }
        Payload::Sensitivity { bins, tally } => {
            check_sensitivity(scenario, estimator, trials, bins, tally)
        }
    }
}

/// The invariants of a sensitivity shard: the bins of each uncertain parameter in canonical
/// order, sums that hold what [`SensitivityTally::check`](crate::analysis::sensitivity::SensitivityTally::check)
/// requires, and every bin's draws within its parameter's distribution.
fn check_sensitivity(
    scenario: &Scenario,
    estimator: Estimator,
    trials: u64,
    bins: &[Bins],
    tally: &crate::analysis::sensitivity::SensitivityTally,
) -> std::result::Result<(), String> {
    if tally.trials != trials {
        return Err(format!(
            "it holds {} trials, not the {trials} of its range",
            tally.trials
        ));
    }
    let params: Vec<(usize, &str)> = scenario
        .uncertain()
        .into_iter()
        .map(|id| (id.index(), scenario.cast.key(id)))
        .collect();
    if bins.len() != params.len() {
        return Err(format!(
            "it has bins for {} parameters, where the scenario has {} uncertain parameters",
            bins.len(),
            params.len()
        ));
    }
    for (b, (index, key)) in bins.iter().zip(&params) {
        if b.param != *key || b.index != *index {
            return Err(format!(
                "its bins are of '{}', where the scenario's uncertain parameter is '{key}'",
                b.param.escape_debug()
            ));
        }
    }
    tally.check(bins, estimator)?;
    for (b, sums) in bins.iter().zip(&tally.params) {
        let dist = scenario.dist(crate::cast::ParamId(b.index));
        let (lo, hi, _) = dist.support();
        let cells = sums.count.iter().zip(sums.low.iter().zip(&sums.high));
        for (bin, (&count, (&low, &high))) in cells.enumerate() {
            if count > 0 && !(low >= lo && high <= hi) {
                return Err(format!(
                    "bin {} of {} holds draws from {low} to {high}, outside [{lo}, {hi}], where \
                     its distribution draws",
                    bin + 1,
                    b.param
                ));
            }
        }
    }
    Ok(())
}

/// What differs between a shard's bins `stated` and the pilot's `wanted` (for the shard's
/// `trials`): the parameter, the key and its line in the file at `path` when it can be read,
/// both values, and what is accepted; `None` when they are the same.
fn bins_difference(path: &Path, stated: &[Bins], wanted: &[Bins], trials: u64) -> Option<String> {
    if same_bins(stated, wanted) {
        return None;
    }
    let pilot = format!(
        "the pilot of its scenario and seed (the draws of its first {} trials)",
        trials.min(crate::analysis::sensitivity::PILOT_TRIALS)
    );
    let accepted = "a sensitivity shard's bins are the pilot's, equal in every shard: each edge \
                    a pilot draw, finite and increasing; centre the pilot's median";
    if stated.len() != wanted.len() {
        return Some(format!(
            "it has {} [[payload.sensitivity.bins]] tables, where its scenario has {} uncertain \
             parameters; {accepted}",
            stated.len(),
            wanted.len()
        ));
    }
    let (i, (s, w)) = stated
        .iter()
        .zip(wanted)
        .enumerate()
        .find(|(_, (s, w))| !same_bins(std::slice::from_ref(s), std::slice::from_ref(w)))?;
    let at = |key: &str| {
        let line = table_line(path, "[[payload.sensitivity.bins]]", i, key)
            .map_or_else(String::new, |l| format!(", line {l}"));
        format!(
            "[[payload.sensitivity.bins]] number {} ('{}'{line}): {key}",
            i + 1,
            s.param.escape_debug()
        )
    };
    let what = if s.param != w.param || s.index != w.index || s.factor != w.factor {
        format!(
            "{} is parameter '{}' (index {}, factor {}), where its scenario's uncertain \
             parameter number {} is '{}' (index {}, factor {})",
            at("param"),
            s.param.escape_debug(),
            s.index,
            s.factor,
            i + 1,
            w.param,
            w.index,
            w.factor
        )
    } else if s.high.len() != w.high.len() {
        format!(
            "{} has {} edges, where {pilot} gives {} for as many bins as its other parameters",
            at("high"),
            s.high.len(),
            w.high.len()
        )
    } else if let Some(j) = (0..s.high.len()).find(|&j| s.high[j].to_bits() != w.high[j].to_bits())
    {
        format!(
            "{}[{j}] (edge {} of {}) is {}, where {pilot} gives {}",
            at("high"),
            j + 1,
            s.high.len(),
            s.high[j],
            w.high[j]
        )
    } else {
        format!(
            "{} is {}, where {pilot} gives {}",
            at("centre"),
            s.centre,
            w.centre
        )
    };
    Some(format!("{what}; {accepted}"))
}

/// The line (from 1) of the first `key = ` of the `index`-th (from 0) `table` header line of
/// the file at `path`; `None` when the file cannot be read or has none.
fn table_line(path: &Path, table: &str, index: usize, key: &str) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut seen = 0usize;
    let mut inside = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim() == table {
            inside = seen == index;
            seen += 1;
        } else if line.starts_with('[') {
            inside = false;
        } else if inside && line.trim_start().starts_with(&format!("{key} =")) {
            return Some(n + 1);
        }
    }
    None
}

/// The resolved scenario without its first line, the comment naming the files it was read
/// from: the same scenario read from another folder (another working directory, another
/// machine) is the same scenario.
fn scenario_text(resolved: &str) -> &str {
    match resolved.split_once('\n') {
        Some((first, rest)) if first.starts_with("# scenario ") => rest,
        _ => resolved,
    }
}

/// What two payloads of the same command must agree on beyond the resolved scenario: a
/// sweep's keys and points, sensitivity's bins (they depend on `--bins`), the months of a
/// run. `None` when they agree; otherwise what differs and the two sides.
fn shape_difference(a: &Payload, b: &Payload) -> Option<(&'static str, String, String)> {
    match (a, b) {
        (Payload::Run(x), Payload::Run(y)) => (x.sum.len() != y.sum.len()).then(|| {
            (
                "the number of months",
                x.sum.len().to_string(),
                y.sum.len().to_string(),
            )
        }),
        (
            Payload::Sweep {
                keys: k1,
                points: p1,
                tallies: t1,
            },
            Payload::Sweep {
                keys: k2,
                points: p2,
                tallies: t2,
            },
        ) => (k1 != k2 || p1 != p2 || t1.len() != t2.len()).then(|| {
            let show = |points: &[Vec<f64>]| {
                let values: Vec<String> = points
                    .iter()
                    .take(LISTED)
                    .map(|p| format!("{p:?}"))
                    .collect();
                let more = if points.len() > LISTED { " …" } else { "" };
                format!("{} points ({}{more})", points.len(), values.join(" "))
            };
            ("the swept values (--param)", show(p1), show(p2))
        }),
        (
            Payload::Sensitivity {
                bins: b1,
                tally: t1,
            },
            Payload::Sensitivity {
                bins: b2,
                tally: t2,
            },
        ) => {
            // Edges that differ are named against the pilot once the scenario is read; here
            // only a different number of bins (another --bins).
            let counts = |bins: &[Bins]| bins.iter().map(|b| b.high.len()).collect::<Vec<_>>();
            (counts(b1) != counts(b2) || t1.params.len() != t2.params.len()).then(|| {
                let count =
                    |bins: &[Bins]| format!("{} bins", bins.first().map_or(0, |b| b.high.len()));
                ("the sensitivity bins (--bins)", count(b1), count(b2))
            })
        }
        _ => Some(("the command", "one".into(), "another".into())),
    }
}

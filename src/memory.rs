//! `--max-memory` (SPEC §7): commands estimate what they will hold before they start, and refuse
//! with exit 2 past the limit.
//!
//! Memory never grows with `--trials` (tallies are sums, merged as the work goes), but it does
//! grow with what a command holds per month, per thread and per sweep point. Each simulating
//! command builds an [`Estimate`] of its peak from those, part by part, and calls
//! [`Estimate::check`] with it before simulating anything; the refusal quotes
//! the estimate and its parts. A command whose layout changes (a new sensitivity method) only
//! changes the estimate it builds.

use crate::error::{Error, Result};
use crate::export::SamplesFormat;
use crate::model::{LANES, Model};
use crate::scenario::Scenario;

/// What a process holds before any command's data: the binary, its libraries, thread stacks
/// and the allocator's own reserve (measured: about 5 MB for `run baseline`).
pub const BASE: u64 = crate::scenario::PROGRAM_BYTES;

/// The default `--max-memory`: 4 GiB.
pub const DEFAULT_LIMIT: u64 = crate::scenario::DEFAULT_MAX_MEMORY;

/// A command's estimated peak memory, as a sum of named parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    parts: Vec<(String, u64)>,
    /// What the user can change, for the message.
    advice: Option<String>,
}

impl Estimate {
    /// An estimate holding only [`BASE`].
    pub fn new() -> Estimate {
        Estimate {
            parts: vec![("the program itself".into(), BASE)],
            advice: None,
        }
    }

    /// Adds a part: `bytes` for `what` (e.g. "24,000 months × 2 threads × 592 bytes of
    /// per-thread buffers").
    #[must_use]
    pub fn add(mut self, what: impl Into<String>, bytes: u64) -> Estimate {
        self.parts.push((what.into(), bytes));
        self
    }

    /// What to change to need less, for the message (by default: the window, the sweep's
    /// points, `--threads`).
    #[must_use]
    pub fn advice(mut self, advice: impl Into<String>) -> Estimate {
        self.advice = Some(advice.into());
        self
    }

    /// The total, saturating at `u64::MAX`.
    pub fn bytes(&self) -> u64 {
        self.parts
            .iter()
            .fold(0u64, |total, (_, b)| total.saturating_add(*b))
    }

    /// Refuses the estimate when it exceeds `limit` bytes.
    ///
    /// # Errors
    /// Invalid input (exit 2) naming `what`, the estimate, its largest parts and the limit.
    pub fn check(&self, what: &str, limit: u64) -> Result<()> {
        let total = self.bytes();
        if total <= limit {
            return Ok(());
        }
        let mut parts: Vec<&(String, u64)> = self.parts.iter().filter(|(_, b)| *b > 0).collect();
        parts.sort_by_key(|part| std::cmp::Reverse(part.1));
        let parts: Vec<String> = parts
            .iter()
            .take(4)
            .map(|(what, bytes)| format!("{} for {what}", size(*bytes)))
            .collect();
        let advice = self
            .advice
            .as_deref()
            .unwrap_or("shorten the window, sweep fewer points or use fewer --threads");
        Err(Error::Invalid(format!(
            "{what} would need about {} of memory ({}), more than --max-memory {}; {advice}, \
             or, if the machine has the memory, raise --max-memory (e.g. --max-memory 16G)",
            size(total),
            parts.join(", "),
            size(limit)
        )))
    }
}

/// A number of bytes for people: `512 B`, `3.2 MiB`, `4.0 GiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Parses `--max-memory`: a number of bytes with an optional unit. `K`, `M`, `G`, `T` and
/// `KiB`, `MiB`, `GiB`, `TiB` are powers of 1024 (`4G` = `4GiB` = 4·2³⁰ bytes, as in `java -Xmx`
/// and `sort -S`); `KB`, `MB`, `GB`, `TB` are powers of 1000; `B` or no unit is bytes. Units are
/// case-insensitive; the number may have a fraction (`1.5G`).
///
/// # Errors
/// A message saying what is accepted.
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let bad = || {
        format!(
            "'{text}' is not a memory size; write a number of bytes with a unit, e.g. 512M, 4G \
             or 4GiB (K, M, G, T and KiB … TiB are powers of 1024; KB … TB powers of 1000)"
        )
    };
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().map_err(|_| bad())?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024f64.powi(2),
        "g" | "gib" => 1024f64.powi(3),
        "t" | "tib" => 1024f64.powi(4),
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        _ => return Err(bad()),
    };
    let bytes = number * scale;
    if !(1.0..1.8e19).contains(&bytes) {
        return Err(format!(
            "'{text}' is not a memory size from 1 byte to 16 EiB, e.g. 512M or 4G"
        ));
    }
    Ok(bytes as u64)
}

/// `a × b`, saturating.
fn times(a: u64, b: u64) -> u64 {
    a.saturating_mul(b)
}

/// Bytes a worker thread holds for each month of the window while it simulates a block of a
/// model: the batch buffers of [`LANES`] trials (8 bytes a lane), a block's sums (24 bytes), a
/// tally's (48 bytes) and a trial's cumulative probabilities (8 bytes).
pub const PER_THREAD_MONTH: u64 = 8 * LANES as u64 + 24 + 48 + 8;

/// Bytes of one tally over `months` months: three vectors of `u128` (Σc, Σc², Σc·c_last) and
/// their headers.
pub fn tally_bytes(months: usize) -> u64 {
    times(48, months as u64) + 96
}

/// Bytes a worker thread holds for each of [`Model::lane_rows`] (an event, a state slot, a
/// signatory): a row of [`LANES`] values (8 bytes each) and a trial's copy of it (8 bytes).
pub const PER_THREAD_ROW: u64 = 8 * LANES as u64 + 8;

/// What `threads` workers hold to simulate `model`: the compiled model, per-thread buffers by
/// month and by event, state slot and signatory, and the scratch of one block (draws and
/// per-trial values of up to 4096 trials).
pub fn simulation(estimate: Estimate, model: &Model, threads: usize) -> Estimate {
    let months = model.months() as u64;
    let threads = threads.max(1) as u64;
    let rows = model.lane_rows() as u64;
    estimate
        .add("the compiled model", model.approx_bytes())
        .add(
            format!(
                "{rows} events, state slots and signatories × {threads} threads × \
                 {PER_THREAD_ROW} bytes of per-thread buffers"
            ),
            times(times(rows, threads), PER_THREAD_ROW),
        )
        .add(
            format!(
                "{months} months × {threads} threads × {PER_THREAD_MONTH} bytes of per-thread \
                 buffers"
            ),
            times(times(months, threads), PER_THREAD_MONTH),
        )
        .add(
            "each thread's draws",
            times(
                threads,
                times(model.params() as u64 + 8, 8 * LANES as u64 + 64),
            ),
        )
        .add("the total tally", tally_bytes(model.months()))
}

/// `run`'s estimate for `model`: the simulation, and with `--samples` the rows of the blocks
/// held until they are written in trial order
/// ([`crate::engine::STREAMED_BLOCKS_PER_THREAD`] a thread, about 24 bytes a value) with a
/// tally per block; for `samples.parquet` also the blocks queued for its encoder (8 bytes a
/// value), the bytes handed to its file's thread, and the row group being gathered with its
/// encoded pages (about 48 bytes a value).
pub fn run(
    scenario: &Scenario,
    model: &Model,
    threads: usize,
    samples: Option<SamplesFormat>,
) -> Estimate {
    let estimate = simulation(with_scenario(scenario), model, threads);
    let Some(kind) = samples else {
        return estimate;
    };
    let blocks = (crate::engine::STREAMED_BLOCKS_PER_THREAD * threads.max(1)) as u64;
    let columns = (model.params() + model.signatories() + model.events() + 2) as u64;
    let estimate = estimate.add(
        format!("{blocks} blocks of --samples rows waiting to be written, with their tallies"),
        times(
            blocks,
            times(crate::engine::BLOCK, 24 * columns).saturating_add(tally_bytes(model.months())),
        ),
    );
    match kind {
        SamplesFormat::Csv => estimate,
        SamplesFormat::Parquet => estimate
            .add(
                "blocks of rows waiting for the samples.parquet encoder",
                times(
                    crate::export::parquet_file::QUEUED as u64,
                    times(crate::engine::BLOCK, 8 * columns),
                ),
            )
            .add(
                "samples.parquet's bytes on their way to the disk",
                crate::export::parquet_file::HANDED_OFF as u64,
            )
            .add(
                "one row group of samples.parquet",
                times(crate::export::parquet_file::ROW_GROUP as u64, 48 * columns),
            ),
    }
}

/// An estimate holding [`BASE`] and the validated `scenario` (its events, parameters and
/// cast).
pub fn with_scenario(scenario: &Scenario) -> Estimate {
    Estimate::new().add("the validated scenario", scenario.approx_bytes())
}

/// `sweep`'s estimate: a model and, per worker and in total, a tally for every point, the
/// points themselves, and one model's simulation at a time.
pub fn sweep(model: &Model, points: usize, keys: usize, threads: usize) -> Estimate {
    let per_point = model
        .approx_bytes()
        .saturating_add(times(
            threads.max(1) as u64 + 1,
            tally_bytes(model.months()),
        ))
        .saturating_add(40 + 8 * keys as u64);
    simulation(Estimate::new(), model, threads).add(
        format!("{points} points × {per_point} bytes (a model, the point and a tally per thread)"),
        times(points as u64, per_point),
    )
}

/// The most worker threads `--threads` (and the Python package's `threads=`) accepts.
pub const MAX_THREADS: u32 = 4096;

/// The worker threads a command will use: `--threads`, else `RAYON_NUM_THREADS`, else the
/// machine's cores (rayon's own rule), but never more than [`worker_cap`]: results never
/// depend on the number, and thousands of idle workers on a few cores spent seconds to
/// minutes scanning each other's queues (quadratic in the workers: 4096 took 40-50 s for a
/// 100-trial run on 2 cores).
pub fn threads(requested: Option<u32>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    requested
        .map_or_else(
            || {
                std::env::var("RAYON_NUM_THREADS")
                    .ok()
                    .and_then(|t| t.trim().parse::<usize>().ok())
                    .filter(|t| *t > 0)
                    .unwrap_or(cores)
            },
            |t| t as usize,
        )
        .min(worker_cap(cores))
}

/// The most workers a pool holds on a machine of `cores` cores: max(64, cores). More cannot
/// run at once; 64 keeps a few times the cores of any small machine, so that tests of
/// determinism across thread counts still run that many real threads.
pub fn worker_cap(cores: usize) -> usize {
    cores.max(64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_and_decimal_units() {
        for (text, bytes) in [
            ("4G", 4u64 << 30),
            ("4GiB", 4 << 30),
            ("4gib", 4 << 30),
            ("512M", 512 << 20),
            ("512 MiB", 512 << 20),
            ("1.5G", 3 << 29),
            ("2T", 2 << 40),
            ("64K", 64 << 10),
            ("1GB", 1_000_000_000),
            ("100MB", 100_000_000),
            ("123", 123),
            ("123B", 123),
        ] {
            assert_eq!(parse_size(text), Ok(bytes), "{text}");
        }
        for text in [
            "",
            "G",
            "4X",
            "-1G",
            "0",
            "0.1",
            "1e3",
            "4 G B",
            "nan",
            "99999999T",
        ] {
            let err = parse_size(text).expect_err(text);
            assert!(err.contains("memory size"), "{text}: {err}");
        }
    }

    /// Issue #17 item 5: 100,000 events took 420 MB under `--max-memory 100M`, the lanes'
    /// rows by event uncounted. Each event now costs [`PER_THREAD_ROW`] a thread, and the
    /// scenario and model hold more.
    #[test]
    fn the_estimate_counts_each_event_for_each_thread_and_the_scenario() {
        let base = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/baseline.toml"
        ))
        .expect("baseline");
        let mut many = base.clone();
        for i in 0..1000 {
            many.push_str(&format!(
                "\n[[event]]\nname = \"extra {i}\"\nmonth = \"2020-07\"\nprobability = 0.01\n"
            ));
        }
        let load = |text: &str| {
            crate::scenario::from_text("x", std::path::Path::new("x.toml"), text, &[])
                .expect("valid")
        };
        let (few, more) = (load(&base), load(&many));
        let bytes = |s: &Scenario, threads| run(s, &Model::new(s), threads, None).bytes();
        let per_thread = |s: &Scenario| bytes(s, 2) - bytes(s, 1);
        assert_eq!(per_thread(&more) - per_thread(&few), 1000 * PER_THREAD_ROW);
        let once = bytes(&more, 1) - bytes(&few, 1) - 1000 * PER_THREAD_ROW;
        assert!(
            once >= 1000 * std::mem::size_of::<crate::scenario::Event>() as u64,
            "{once}"
        );
        assert!(more.approx_bytes() > few.approx_bytes() + 100_000);
    }

    #[test]
    fn the_scenario_guard_uses_the_same_default_and_base() {
        assert_eq!(crate::scenario::DEFAULT_MAX_MEMORY, DEFAULT_LIMIT);
        assert_eq!(crate::scenario::PROGRAM_BYTES, BASE);
    }

    #[test]
    fn an_estimate_past_the_limit_is_refused_with_its_parts() {
        let estimate = Estimate::new().add("a sweep's 1000000 points", 3 << 30);
        assert_eq!(estimate.bytes(), BASE + (3 << 30));
        assert!(estimate.check("sweep x", 4 << 30).is_ok());
        let err = estimate.check("sweep x", 1 << 30).expect_err("over");
        assert_eq!(err.exit_code(), 2);
        let message = err.to_string();
        for needle in [
            "sweep x would need about 3.0 GiB",
            "3.0 GiB for a sweep's 1000000 points",
            "--max-memory 1.0 GiB",
        ] {
            assert!(message.contains(needle), "{message}");
        }
        let huge = Estimate::new().add("x", u64::MAX).add("y", u64::MAX);
        assert_eq!(huge.bytes(), u64::MAX);
        assert_eq!(size(512), "512 B");
        assert_eq!(size(5 << 19), "2.5 MiB");
    }
}

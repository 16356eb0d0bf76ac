//! Plain options of the library's entry points ([`crate::api`]): what a front end (the command
//! line, the Python package) fills in, with no parsing library's types. `cli.rs` and `cmd/`
//! translate arguments into these; everything below takes them.

use crate::export::SamplesFormat;
use crate::model::Estimator;
use crate::scenario::Override;
use std::path::PathBuf;

/// `--shard K/N`: the K-th of N contiguous ranges of the trials (SPEC §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// K, from 1.
    pub index: u64,
    /// N.
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("'{text}' is not K/N with 1 <= K <= N, e.g. --shard 3/10");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (
            whole_number(k).ok_or_else(bad)?,
            whole_number(n).ok_or_else(bad)?,
        );
        if index < 1 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// A whole number as SPEC §2 accepts it wherever one is asked for: digits (`200000`), or a
/// decimal with an exponent whose value is whole (`1e6`, `2.5e3`, `1E6`), exactly (no rounding
/// through floating point); `None` for anything else, or past 2⁶⁴ − 1. The one parser of every
/// whole-number option.
pub fn whole_number(text: &str) -> Option<u64> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.strip_prefix('+').unwrap_or(e).parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = || whole.chars().chain(fraction.chars());
    if whole.is_empty() && fraction.is_empty() || !digits().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // value = digits × 10^(exponent − fraction's length), whole only if the digits dropped by
    // a negative power are zeros.
    let shift = i64::from(exponent) - fraction.len() as i64;
    let all: String = digits().collect();
    let kept = if shift < 0 {
        let cut = all.len().checked_sub(usize::try_from(-shift).ok()?)?;
        if !all[cut..].chars().all(|c| c == '0') {
            return None;
        }
        &all[..cut]
    } else {
        &all[..]
    };
    let mut value: u64 = 0;
    for c in kept.chars() {
        value = value
            .checked_mul(10)?
            .checked_add(u64::from(c as u8 - b'0'))?;
    }
    for _ in 0..shift.max(0) {
        if value == 0 {
            break;
        }
        value = value.checked_mul(10)?;
    }
    Some(value)
}

/// Where scenarios are found and what is changed when one is loaded: [`crate::api::load`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadOptions {
    /// The search path: folders of scenario files, first match wins (the CLI's `--scenarios`,
    /// before `TREATYSIM_SCENARIOS`).
    pub scenarios: Vec<PathBuf>,
    /// Overrides applied last, in order (the CLI's `--set KEY=VALUE`).
    pub overrides: Vec<Override>,
}

/// How to run a scenario: [`crate::api::run`] and the other simulating entry points.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOptions {
    /// Trials; `None`: the scenario's `simulation.trials`.
    pub trials: Option<u64>,
    /// Seed; `None`: the scenario's `simulation.seed`.
    pub seed: Option<u64>,
    /// How each trial counts.
    pub estimator: Estimator,
    /// Worker threads; `None`: all cores. Results do not depend on it.
    pub threads: Option<u32>,
    /// Run only this shard of the trials (and return its tally for a merge).
    pub shard: Option<Shard>,
    /// Keep every trial's draws, in this format.
    pub samples: Option<SamplesFormat>,
    /// Add trials until the 95% half-width is at most this (`--precision`).
    pub precision: Option<f64>,
    /// Cap on trials under `precision`.
    pub max_trials: u64,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            trials: None,
            seed: None,
            estimator: Estimator::Conditional,
            threads: None,
            shard: None,
            samples: None,
            precision: None,
            max_trials: 100_000_000,
        }
    }
}

//! `treatysim sweep`: the same trials at every value of one or two parameters (common random
//! numbers, so curves are smooth and, where the model is monotone, exactly monotone).

pub use crate::analysis::sweep::{MAX_POINTS, check_key, sweep_output};
use crate::cli::SweepArgs;
use crate::error::{Error, Result};
use crate::export;
use crate::model::Model;
use crate::scenario::Catalog;
use crate::shard::{self, Payload, ShardFile};

pub use crate::analysis::sweep::Axis;
use crate::analysis::sweep::{grid, point_overrides, run_points};

/// What `--param` accepts, for error messages.
const ACCEPTED: &str = "accepted: lo:hi:step with lo <= hi and step > 0 (the points lo, \
lo + step, … up to hi inclusive; any number syntax, e.g. 0:1e-3:1e-4), or a list a,b,c";

/// A non-negative integer as its decimal digits, least significant first, with no leading
/// zeros (0 has none): the exact arithmetic of `lo:hi:step`, whatever the exponents.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Digits(Vec<u8>);

impl Digits {
    /// Drops leading zeros.
    fn trimmed(mut digits: Vec<u8>) -> Digits {
        while digits.last() == Some(&0) {
            digits.pop();
        }
        Digits(digits)
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn cmp(&self, other: &Digits) -> std::cmp::Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    fn add(&self, other: &Digits) -> Digits {
        let mut out = Vec::with_capacity(self.0.len().max(other.0.len()) + 1);
        let mut carry = 0;
        for i in 0..self.0.len().max(other.0.len()) {
            let sum = self.0.get(i).unwrap_or(&0) + other.0.get(i).unwrap_or(&0) + carry;
            out.push(sum % 10);
            carry = sum / 10;
        }
        out.push(carry);
        Digits::trimmed(out)
    }

    /// self − other, for self >= other.
    fn sub(&self, other: &Digits) -> Digits {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0;
        for (i, &d) in self.0.iter().enumerate() {
            let take = other.0.get(i).unwrap_or(&0) + borrow;
            borrow = u8::from(d < take);
            out.push(d + 10 * borrow - take);
        }
        Digits::trimmed(out)
    }

    fn mul(&self, k: u64) -> Digits {
        let mut out = Vec::with_capacity(self.0.len() + 20);
        let mut carry = 0_u128;
        for &d in &self.0 {
            let product = u128::from(d) * u128::from(k) + carry;
            out.push((product % 10) as u8);
            carry = product / 10;
        }
        while carry > 0 {
            out.push((carry % 10) as u8);
            carry /= 10;
        }
        Digits::trimmed(out)
    }

    /// Its leading 17 digits as 0.d₁d₂… (0 for zero), and its number of digits.
    fn leading(&self) -> (f64, usize) {
        let lead = self
            .0
            .iter()
            .rev()
            .take(17)
            .enumerate()
            .map(|(i, &d)| f64::from(d) * 10f64.powi(-(i as i32) - 1))
            .sum();
        (lead, self.0.len())
    }

    /// Appends `zeros` zeros: multiplies by 10^zeros.
    fn shifted(&self, zeros: usize) -> Digits {
        if self.is_zero() {
            return self.clone();
        }
        let mut out = vec![0; zeros];
        out.extend_from_slice(&self.0);
        Digits(out)
    }
}

/// A number exactly as written: (−1)^negative · digits · 10^exponent.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Digits,
    exponent: i64,
}

impl Decimal {
    /// Parses what `f64::from_str` accepts as a finite number: an optional sign, digits with
    /// at most one point (`1.`, `.5`), and an optional exponent (`e-4`, `E+3`).
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
            Some((m, e)) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                // Saturates: such exponents are refused by the range check of the caller.
                (
                    m,
                    e.parse::<i64>().unwrap_or(if e.starts_with('-') {
                        i64::MIN / 4
                    } else {
                        i64::MAX / 4
                    }),
                )
            }
            None => (rest, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if whole.len() + fraction.len() == 0
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let digits = Digits::trimmed(
            whole
                .bytes()
                .chain(fraction.bytes())
                .rev()
                .map(|b| b - b'0')
                .collect(),
        );
        // Zero's exponent is 0, so that `0e-999999` sets no scale.
        let exponent = if digits.is_zero() {
            0
        } else {
            exponent.saturating_sub(fraction.len() as i64)
        };
        Some(Decimal {
            negative: negative && !digits.is_zero(),
            exponent,
            digits,
        })
    }

    /// The nearest double, by `f64::from_str` (correctly rounded for any number of digits).
    fn to_f64(&self) -> f64 {
        let digits: String = self
            .digits
            .0
            .iter()
            .rev()
            .map(|d| char::from(b'0' + d))
            .collect();
        let sign = if self.negative { "-" } else { "" };
        format!(
            "{sign}{}e{}",
            if digits.is_empty() { "0" } else { &digits },
            self.exponent
        )
        .parse()
        .unwrap_or(f64::NAN)
    }

    /// The integer that is this number in units of 10^exponent (exponent <= self.exponent).
    fn in_units(&self, exponent: i64) -> Signed {
        let zeros = usize::try_from(self.exponent - exponent).unwrap_or(0);
        Signed {
            negative: self.negative,
            magnitude: self.digits.shifted(zeros),
        }
    }
}

/// A signed integer of [`Digits`].
#[derive(Clone, Debug, PartialEq, Eq)]
struct Signed {
    negative: bool,
    magnitude: Digits,
}

impl Signed {
    /// self + step, step >= 0.
    fn add(&self, step: &Digits) -> Signed {
        if !self.negative {
            return Signed {
                negative: false,
                magnitude: self.magnitude.add(step),
            };
        }
        if self.magnitude.cmp(step) == std::cmp::Ordering::Greater {
            Signed {
                negative: true,
                magnitude: self.magnitude.sub(step),
            }
        } else {
            Signed {
                negative: false,
                magnitude: step.sub(&self.magnitude),
            }
        }
    }

    fn le(&self, other: &Signed) -> bool {
        use std::cmp::Ordering::*;
        match (self.negative, other.negative) {
            (true, false) => true,
            (false, true) => self.magnitude.is_zero() && other.magnitude.is_zero(),
            (false, false) => self.magnitude.cmp(&other.magnitude) != Greater,
            (true, true) => self.magnitude.cmp(&other.magnitude) != Less,
        }
    }

    fn as_decimal(&self, exponent: i64) -> Decimal {
        Decimal {
            negative: self.negative && !self.magnitude.is_zero(),
            digits: self.magnitude.clone(),
            exponent,
        }
    }
}

/// floor((hi − lo) / step) + 1, the number of points of `lo:hi:step` (lo <= hi, step > 0),
/// exactly; `None` when it is above 10¹⁸. The quotient is estimated from the leading digits
/// and corrected by exact comparisons.
fn point_count(lo: &Signed, hi: &Signed, step: &Digits) -> Option<u64> {
    let span = match (lo.negative, hi.negative) {
        (false, _) => hi.magnitude.sub(&lo.magnitude),
        (true, false) => hi.magnitude.add(&lo.magnitude),
        (true, true) => lo.magnitude.sub(&hi.magnitude),
    };
    let (span_lead, span_len) = span.leading();
    let (step_lead, step_len) = step.leading();
    let orders = span_len as i64 - step_len as i64;
    if orders > 18 {
        return None;
    }
    let estimate = span_lead / step_lead * 10f64.powi(orders as i32);
    if estimate >= 1e18 {
        return None;
    }
    let mut quotient = estimate.max(0.0) as u64;
    while quotient > 0 && step.mul(quotient).cmp(&span) == std::cmp::Ordering::Greater {
        quotient -= 1;
    }
    while step.mul(quotient + 1).cmp(&span) != std::cmp::Ordering::Greater {
        quotient += 1;
    }
    Some(quotient + 1)
}

/// Parses one number of `--param`: finite as a double, and not so small that it rounds to 0.
fn sweep_number(text: &str, whole: &str) -> std::result::Result<(Decimal, f64), String> {
    let t = text.trim();
    let not_finite = || format!("\"{whole}\": \"{t}\" is not a finite number; {ACCEPTED}");
    if let Some(x) = crate::number::percentage(t) {
        // `--param party.japan.will=10%,20%`: percentages where fractions are wanted.
        return Err(format!(
            "\"{whole}\": \"{t}\" {}",
            crate::number::percent_advice(x, t)
        ));
    }
    let x: f64 = t.parse().map_err(|_| not_finite())?;
    let decimal = Decimal::parse(t)
        .filter(|_| x.is_finite())
        .ok_or_else(not_finite)?;
    if x == 0.0 && !decimal.digits.is_zero() {
        return Err(format!(
            "\"{whole}\": \"{t}\" is too small for a double (it rounds to 0); numbers from \
             about 1e-308 to 1e308 in magnitude, or 0, are accepted"
        ));
    }
    Ok((decimal, x))
}

/// Parses `lo:hi:step` or `a,b,c`. A range's points are lo + k·step for k = 0, 1, … while
/// they do not exceed hi (so hi is the last when a whole number of steps reaches it), each
/// computed exactly in decimal from the numbers as written and then rounded once to the
/// nearest double: `0:1e-3:1e-4` is 0, 0.0001, …, 0.001, and `0:0.3:0.1` ends at 0.3, not
/// at 0.30000000000000004 nor at 0.2. At most [`MAX_POINTS`] points.
///
/// # Errors
/// A message saying what is wrong and what is accepted.
pub fn parse_values(text: &str) -> std::result::Result<Vec<f64>, String> {
    let parts: Vec<&str> = text.split(':').collect();
    match parts[..] {
        [lo_text, hi_text, step_text] => {
            let (lo, lo_f) = sweep_number(lo_text, text)?;
            let (hi, hi_f) = sweep_number(hi_text, text)?;
            let (step, step_f) = sweep_number(step_text, text)?;
            if step.negative || step.digits.is_zero() {
                return Err(format!(
                    "\"{text}\": the step must be above 0, not {}; {ACCEPTED}",
                    step_text.trim()
                ));
            }
            let unit = lo.exponent.min(hi.exponent).min(step.exponent);
            let (lo, hi, step) = (
                lo.in_units(unit),
                hi.in_units(unit),
                step.digits
                    .shifted(usize::try_from(step.exponent - unit).unwrap_or(0)),
            );
            if !lo.le(&hi) {
                return Err(format!(
                    "\"{text}\": hi ({}) is below lo ({}); {ACCEPTED}",
                    hi_text.trim(),
                    lo_text.trim()
                ));
            }
            let count = match point_count(&lo, &hi, &step) {
                Some(count) if count <= MAX_POINTS => count,
                count => {
                    let estimate = (hi_f - lo_f) / step_f + 1.0;
                    let count = match count {
                        Some(count) => count.to_string(),
                        None if estimate.is_finite() => format!("about {estimate:.2e}"),
                        None => "more than 1e308".to_string(),
                    };
                    return Err(format!(
                        "\"{text}\" has {count} points; at most {MAX_POINTS} are accepted per \
                         --param (write a larger step)"
                    ));
                }
            };
            let mut point = lo;
            let mut values = Vec::with_capacity(count as usize);
            for _ in 0..count {
                values.push(point.as_decimal(unit).to_f64());
                point = point.add(&step);
            }
            Ok(values)
        }
        [list] => list
            .split(',')
            .map(|t| sweep_number(t, text).map(|(_, x)| x))
            .collect(),
        _ => Err(format!(
            "\"{text}\" is neither lo:hi:step nor a,b,c; {ACCEPTED}"
        )),
    }
}
/// Parses `KEY=VALUES`; the key is checked against the scenario when it is loaded.
///
/// # Errors
/// Malformed values (exit 2).
pub fn parse_axis(arg: &str) -> Result<Axis> {
    let invalid = |m: String| Error::Invalid(format!("--param {arg}: {m}"));
    let (key, values) = arg.split_once('=').ok_or_else(|| {
        invalid("write KEY=VALUES, e.g. --param issue.security.concession=0:1:0.1".into())
    })?;
    let values = parse_values(values).map_err(invalid)?;
    Ok(Axis {
        key: key.trim().to_string(),
        values,
    })
}

/// Runs the sweep and writes `<out>/<scenario>/sweep-KEY[-KEY2].csv`.
pub fn sweep(catalog: &Catalog, args: &SweepArgs) -> Result<()> {
    let axes = args
        .params
        .iter()
        .map(|p| parse_axis(p))
        .collect::<Result<Vec<_>>>()?;
    if axes.len() > 2 || (axes.len() == 2 && axes[0].key == axes[1].key) {
        return Err(Error::Invalid(
            "sweep takes one or two different --param".into(),
        ));
    }
    let total: u64 = axes.iter().map(|a| a.values.len() as u64).product();
    if total > MAX_POINTS {
        return Err(Error::Invalid(format!(
            "the sweep's grid has {total} points ({}); at most {MAX_POINTS} are accepted",
            axes.iter()
                .map(|a| format!("{} values of {}", a.values.len(), a.key))
                .collect::<Vec<_>>()
                .join(" × ")
        )));
    }
    let mut unswept = args.sim.load(catalog, &args.name)?;
    args.sim.relabel(catalog, &mut unswept)?;
    for axis in &axes {
        check_key(&axis.key, &unswept)?;
    }
    let keys: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    let output = sweep_output(&keys)?;
    export::check_scenario_folder(&args.sim.out, &unswept.name)?;
    // What it will write can be written: probed before the first trial.
    let folder = export::publish::folder_path(&args.sim.out, &unswept.name)?;
    let target = match args.shard {
        Some(s) => ShardFile::folder(&args.sim.out, &unswept.name)
            .join(format!("{output}-{}-of-{}.toml", s.index, s.count)),
        None => folder.join(format!("{output}.csv")),
    };
    export::probe_output(&args.sim.out, &target)?;
    let estimate = crate::memory::sweep(
        &Model::new(&unswept),
        total as usize,
        axes.len(),
        args.sim.thread_count(),
    );
    args.sim
        .check_memory(&format!("sweep {}", unswept.name), &estimate)?;
    let points = grid(&axes);
    // Validate every point (domains) before simulating anything; keep each point's model,
    // not its scenario (a sweep may have a million points).
    let models = points
        .iter()
        .map(|point| {
            let overrides = point_overrides(&axes, point);
            let scenario = args.sim.load_with(catalog, &args.name, &overrides)?;
            Ok(Model::new(&scenario))
        })
        .collect::<Result<Vec<_>>>()?;
    let first = &unswept;
    let sim = first.simulation;
    let range = args
        .shard
        .map_or(0..sim.trials, |s| shard::range(s, sim.trials));
    let bar = super::progress_bar("sweep", range.end - range.start);
    let tallies = args.sim.in_pool(|| {
        run_points(&models, sim.seed, args.sim.estimator, range, &|done| {
            bar.set_position(done)
        })
    })?;
    bar.finish_and_clear();
    if let Some(shard) = args.shard {
        // The unswept scenario: every point's differs from it only in the swept keys.
        let payload = Payload::Sweep {
            keys,
            points,
            tallies: tallies.0,
        };
        let file = ShardFile::new(output, &unswept, args.sim.estimator, shard, None, payload)?
            .with_provenance(args.sim.overrides());
        let path = file.write(&args.sim.out, args.sim.shard_key()?.as_ref())?;
        note!(
            "{}: sweep shard {}/{} -> {}",
            first.name,
            shard.index,
            shard.count,
            path.display()
        );
        return Ok(());
    }
    let record = args.sim.record(&unswept, sim.trials);
    let result = crate::api::SweepResult {
        scenario: first.name.clone(),
        keys,
        points,
        tallies: tallies.0,
        seed: sim.seed,
        estimator: args.sim.estimator,
    };
    let path = crate::api::write_sweep(&args.sim.out, &result, record, Vec::new())?;
    note!(
        "{}: swept {} over {} points, {} trials each, {} -> {}",
        first.name,
        result.keys.join(" × "),
        result.points.len(),
        sim.trials,
        args.sim.estimator.name(),
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_inclusive_and_free_of_drift() {
        assert_eq!(
            parse_values("0:1:0.1").unwrap(),
            vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
        );
        assert_eq!(
            parse_values("0.05:0.35:0.1").unwrap(),
            vec![0.05, 0.15, 0.25, 0.35]
        );
        assert_eq!(parse_values("0:1:0.3").unwrap(), vec![0.0, 0.3, 0.6, 0.9]);
        assert_eq!(parse_values("0:0.3:0.1").unwrap(), vec![0.0, 0.1, 0.2, 0.3]);
        assert_eq!(parse_values("0.2, 0.5,0.9").unwrap(), vec![0.2, 0.5, 0.9]);
        assert_eq!(
            parse_values("-0.2:0.1:0.1").unwrap(),
            vec![-0.2, -0.1, 0.0, 0.1]
        );
        assert_eq!(parse_values("-3:-1:1").unwrap(), vec![-3.0, -2.0, -1.0]);
        assert_eq!(parse_values("0.5:0.5:1").unwrap(), vec![0.5]);
    }

    /// The cases: a number written with an exponent counts as written.
    #[test]
    fn numbers_with_exponents_give_the_points_they_say() {
        let expected: Vec<f64> = (0..=10)
            .map(|k| format!("{k}e-4").parse().unwrap())
            .collect();
        assert_eq!(parse_values("0:1e-3:1e-4").unwrap(), expected);
        assert_eq!(
            parse_values("0:1e-3:1e-4").unwrap()[..4]
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>(),
            ["0", "0.0001", "0.0002", "0.0003"]
        );
        assert_eq!(parse_values("0:0.001:0.0001").unwrap(), expected);

        let fine = parse_values("0:1:1e-5").unwrap();
        assert_eq!(fine.len(), 100_001);
        for (k, x) in fine.iter().enumerate() {
            // Exactly 0.00001·k: the double nearest to that decimal, printed back as it.
            assert_eq!(*x, format!("{k}e-5").parse::<f64>().unwrap(), "point {k}");
        }
        assert_eq!(fine[3].to_string(), "0.00003");
        assert_eq!(fine[100_000], 1.0);

        assert_eq!(parse_values("1e-300:1e-300:1").unwrap(), vec![1e-300]);
        assert_eq!(
            parse_values("1e-300:3e-300:1e-300").unwrap(),
            vec![1e-300, 2e-300, 3e-300]
        );
        assert_eq!(
            parse_values("1E+2:3e2:.5E2").unwrap(),
            vec![100.0, 150.0, 200.0, 250.0, 300.0]
        );
        assert_eq!(
            parse_values("2.5e-1:+.75:25E-2").unwrap(),
            vec![0.25, 0.5, 0.75]
        );
        // lo far below the step's precision: each point is lo + k·step, rounded once, and
        // 0.3 + 1e-300 is above hi.
        assert_eq!(
            parse_values("1e-300:0.3:0.1").unwrap(),
            vec![1e-300, 0.1, 0.2]
        );
        assert_eq!(
            parse_values("1e-5,2E-5, 3e-5").unwrap(),
            vec![1e-5, 2e-5, 3e-5]
        );
    }

    #[test]
    fn bad_ranges_are_refused_saying_what_is_accepted() {
        let cases = [
            ("1:0:0.1", "hi (0) is below lo (1)"),
            ("0:1:0", "the step must be above 0, not 0"),
            ("0:1:-0.1", "the step must be above 0, not -0.1"),
            ("0:1:0e-999999999999", "the step must be above 0"),
            ("0:inf:0.1", "\"inf\" is not a finite number"),
            ("0:1:NaN", "\"NaN\" is not a finite number"),
            ("0:1e999:1", "\"1e999\" is not a finite number"),
            ("1e-999:1:0.5", "too small for a double"),
            ("0:1", "neither lo:hi:step nor a,b,c"),
            ("a,b", "\"a\" is not a finite number"),
            ("0.1,,0.2", "\"\" is not a finite number"),
            ("0:1:1e-6", "has 1000001 points; at most 1000000"),
            ("0:1:1e-300", "has about 1.00e300 points; at most 1000000"),
            ("-1e308:1e308:1", "has more than 1e308 points"),
        ];
        for (text, expect) in cases {
            let err = parse_values(text).unwrap_err();
            assert!(err.contains(expect), "{text}: {err}");
            assert!(
                err.contains("accepted") || err.contains("at most"),
                "{text}: {err}"
            );
        }
        assert_eq!(
            parse_values("0:1:1e-6".replace("1e-6", "1.000001e-6").as_str()).map(|v| v.len()),
            Ok(1_000_000)
        );
        let err = parse_axis("japan.will=0:1:0").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains("--param japan.will=0:1:0"),
            "{err}"
        );
    }

    #[test]
    fn grid_varies_the_first_axis_slowest() {
        let axes = [
            Axis {
                key: "party.japan.will".into(),
                values: vec![0.1, 0.2],
            },
            Axis {
                key: "party.russia.will".into(),
                values: vec![0.3, 0.4],
            },
        ];
        assert_eq!(
            grid(&axes),
            vec![
                vec![0.1, 0.3],
                vec![0.1, 0.4],
                vec![0.2, 0.3],
                vec![0.2, 0.4]
            ]
        );
    }
}

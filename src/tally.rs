//! Mergeable sums, below every tally that uses them (the engine's, the analyses', the shard
//! files'): integers written as decimal strings, and [`ExactSum`], an exact sum of doubles.
//!
//! A tally must sum to the same bits however its trials are split (threads, waves, shards), so
//! its sums are integers: fixed point where the values are bounded ([`crate::engine::fixed`]),
//! and, where they are not (a parameter's draws, which may be as large as a double allows),
//! the exact sum of the doubles themselves.

/// Per-trial quantum: a value x in [0, 1] counts as x · 2⁵⁰ rounded to an integer, times 2¹²
/// units, so that a block of up to 4096 = 2¹² trials sums in a `u64`
/// ([`crate::engine::BlockTally`]) without overflow.
pub const TRIAL_ONE: f64 = (1u64 << 50) as f64;

/// 2⁵²: added to y in [0, 2⁵⁰], it leaves y rounded to the nearest integer (ties to even) in the
/// low mantissa bits.
const ROUNDER: f64 = (1u64 << 52) as f64;

/// A value in [0, 1] in per-trial quanta: what the engine's tallies and the model's lane sums
/// (which must agree to the bit) add for each trial. Here, below both, so that neither imports
/// the other for it.
#[inline(always)]
pub fn quantum(x: f64) -> u64 {
    // Float additions and integer subtractions only, no float-to-integer conversion (whose
    // saturating semantics keep a loop over lanes from vectorising).
    (x * TRIAL_ONE + ROUNDER)
        .to_bits()
        .wrapping_sub(ROUNDER.to_bits())
}

/// Serialises integers as decimal strings (TOML integers are only 64-bit signed).
pub mod decimal {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use std::fmt::Display;
    use std::str::FromStr;

    /// Writes `value` as a string.
    ///
    /// # Errors
    /// The serializer's.
    pub fn serialize<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    /// Reads a string of digits.
    ///
    /// # Errors
    /// When it is not a number of the type.
    pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|_| D::Error::custom(format!("'{text}' is not a whole number")))
    }
}

/// As [`decimal`], for vectors.
pub mod decimals {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use std::fmt::Display;
    use std::str::FromStr;

    /// Writes each value as a string.
    ///
    /// # Errors
    /// The serializer's.
    pub fn serialize<T: Display, S: Serializer>(values: &[T], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(ToString::to_string))
    }

    /// Reads strings of digits.
    ///
    /// # Errors
    /// When one is not a number of the type.
    pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|t| {
                t.parse()
                    .map_err(|_| D::Error::custom(format!("'{t}' is not a whole number")))
            })
            .collect()
    }
}

/// Limbs of an [`ExactSum`]: enough for every double (2⁻¹⁰⁷⁴ to 2¹⁰²⁴) and 2⁶³ of them.
const LIMBS: usize = 68;

/// The weight of limb 0 is 2^BASE; limb i weighs 2^(32·i + BASE).
const BASE: i32 = -1088;

/// Additions a limb absorbs before carries must be propagated: each adds less than 2³² in
/// magnitude to a limb, so 2³⁰ of them stay far inside an `i64`.
const PENDING_MAX: u32 = 1 << 30;

/// The exact sum of finite doubles, as a 2176-bit integer in units of 2⁻¹⁰⁸⁸: no rounding, no
/// overflow, and the same bits whatever the order or grouping of the additions, so that sums of
/// unbounded values (a lognormal parameter's draws, their squares) merge across threads and
/// shards like integers. The idea is Neal's superaccumulator ("Fast exact summation using small
/// and large superaccumulators", arXiv:1505.05571, 2015): each double's 53-bit significand is
/// added, unnormalised, into the 32-bit limbs its exponent points at, and carries are propagated
/// only now and then.
///
/// # Example
/// ```
/// # use treatysim::tally::ExactSum;
/// let mut sum = ExactSum::default();
/// for x in [1e300, 1.0, -1e300, 1e-300] {
///     sum.add(x);
/// }
/// assert_eq!(sum.scaled(0), 1.0 + 1e-300);
/// ```
#[derive(Clone, Debug)]
pub struct ExactSum {
    /// Limb i holds a multiple of 2^(32·i + BASE); in normal form every limb but the last is in
    /// [0, 2³²) and the last carries the sign.
    limbs: [i64; LIMBS],
    /// Additions since the limbs were last in normal form.
    pending: u32,
}

impl Default for ExactSum {
    fn default() -> ExactSum {
        ExactSum {
            limbs: [0; LIMBS],
            pending: 0,
        }
    }
}

impl PartialEq for ExactSum {
    fn eq(&self, other: &ExactSum) -> bool {
        self.normal().limbs == other.normal().limbs
    }
}

impl Eq for ExactSum {}

impl ExactSum {
    /// Adds `x` exactly. A value that is not finite is the caller's to avoid (saturate it
    /// first); in release builds it is skipped.
    #[inline]
    pub fn add(&mut self, x: f64) {
        debug_assert!(x.is_finite(), "ExactSum::add({x})");
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1 << 52) - 1);
        if biased == 0x7ff {
            return;
        }
        let (significand, exponent) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1 << 52), biased - 1075)
        };
        if significand == 0 {
            return;
        }
        // exponent ≥ −1074, so the position is at least 14.
        let position = (exponent - BASE) as u32;
        let (limb, shift) = ((position >> 5) as usize, position & 31);
        let shifted = u128::from(significand) << shift;
        let pieces = [
            (shifted & 0xffff_ffff) as i64,
            ((shifted >> 32) & 0xffff_ffff) as i64,
            (shifted >> 64) as i64,
        ];
        let negative = bits >> 63 == 1;
        for (target, piece) in self.limbs[limb..limb + 3].iter_mut().zip(pieces) {
            *target += if negative { -piece } else { piece };
        }
        self.pending += 1;
        if self.pending >= PENDING_MAX {
            self.normalise();
        }
    }

    /// Adds another sum.
    pub fn merge(&mut self, other: &ExactSum) {
        self.normalise();
        for (a, b) in self.limbs.iter_mut().zip(other.normal().limbs) {
            *a += b;
        }
        self.normalise();
    }

    /// Propagates carries: every limb but the last into [0, 2³²).
    fn normalise(&mut self) {
        for i in 0..LIMBS - 1 {
            let carry = self.limbs[i] >> 32;
            self.limbs[i] -= carry << 32;
            self.limbs[i + 1] += carry;
        }
        self.pending = 0;
    }

    /// A copy in normal form.
    fn normal(&self) -> ExactSum {
        let mut copy = self.clone();
        copy.normalise();
        copy
    }

    /// The magnitude in normal form (limbs all in [0, 2³²)) and whether the sum is negative.
    fn magnitude(&self) -> ([i64; LIMBS], bool) {
        let mut normal = self.normal();
        let negative = normal.limbs[LIMBS - 1] < 0;
        if negative {
            for limb in &mut normal.limbs {
                *limb = -*limb;
            }
            normal.normalise();
        }
        (normal.limbs, negative)
    }

    /// ⌊log₂ |sum|⌋, or `None` for a sum of 0.
    pub fn exponent(&self) -> Option<i32> {
        let (limbs, _) = self.magnitude();
        let top = limbs.iter().rposition(|l| *l != 0)?;
        let bits = 64 - limbs[top].leading_zeros() as i32;
        Some(32 * top as i32 + BASE + bits - 1)
    }

    /// The sum times 2^`scale`, rounded to a double (from its three leading limbs, 64 bits and
    /// more: the same double for the same sum). Choose `scale` from [`ExactSum::exponent`] to
    /// keep it finite.
    pub fn scaled(&self, scale: i32) -> f64 {
        let (limbs, negative) = self.magnitude();
        let Some(top) = limbs.iter().rposition(|l| *l != 0) else {
            return 0.0;
        };
        let mut value = 0.0;
        for i in (top.saturating_sub(2)..=top).rev() {
            value += limbs[i] as f64 * power_of_two(32 * i as i32 + BASE + scale);
        }
        if negative { -value } else { value }
    }

    /// The sum as hexadecimal digits of the integer it is in units of 2⁻¹⁰⁸⁸, signed, without
    /// leading zeros (`0` for zero): one text for one sum.
    pub fn to_hex(&self) -> String {
        let (limbs, negative) = self.magnitude();
        let Some(top) = limbs.iter().rposition(|l| *l != 0) else {
            return "0".into();
        };
        let mut text = String::from(if negative { "-" } else { "" });
        text.push_str(&format!("{:x}", limbs[top]));
        for limb in limbs[..top].iter().rev() {
            text.push_str(&format!("{limb:08x}"));
        }
        text
    }

    /// Reads [`ExactSum::to_hex`]'s text.
    ///
    /// # Errors
    /// When it is not a signed hexadecimal integer whose magnitude is below 2²¹⁷⁵.
    pub fn from_hex(text: &str) -> Result<ExactSum, String> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let wrong = || format!("'{text}' is not an exact sum (signed hexadecimal digits)");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(wrong());
        }
        let digits = digits.trim_start_matches('0');
        if digits.len() > 8 * LIMBS {
            return Err(wrong());
        }
        let mut sum = ExactSum::default();
        let bytes = digits.as_bytes();
        for (i, chunk) in bytes.rchunks(8).enumerate() {
            let chunk = std::str::from_utf8(chunk).map_err(|_| wrong())?;
            sum.limbs[i] = i64::from_str_radix(chunk, 16).map_err(|_| wrong())?;
        }
        if sum.limbs[LIMBS - 1] >= 1 << 31 {
            return Err(wrong());
        }
        if negative {
            for limb in &mut sum.limbs {
                *limb = -*limb;
            }
            sum.normalise();
        }
        Ok(sum)
    }
}

/// 2^`exponent` as a double: 0 below the subnormals, infinity above the largest.
fn power_of_two(exponent: i32) -> f64 {
    // powi by halves keeps each factor finite and normal where the result is.
    let half = exponent / 2;
    2f64.powi(half) * 2f64.powi(exponent - half)
}

impl serde::Serialize for ExactSum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for ExactSum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ExactSum, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        ExactSum::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_of(values: &[f64]) -> ExactSum {
        let mut sum = ExactSum::default();
        for x in values {
            sum.add(*x);
        }
        sum
    }

    /// Values spanning the whole range of doubles, both signs, subnormals included.
    fn awkward() -> Vec<f64> {
        let mut state = 7u64;
        let mut values = vec![f64::MAX, -f64::MAX, 5e-324, -5e-324, 1e-310, 0.0, -0.0, 1.0];
        for _ in 0..5000 {
            state = crate::rng::mix(state.wrapping_add(crate::rng::GOLDEN_GAMMA));
            let x = f64::from_bits(state & !(0x7ff << 52) | ((state % 2046 + 1) << 52));
            values.push(x);
        }
        values
    }

    #[test]
    fn sums_do_not_depend_on_order_or_grouping() {
        let values = awkward();
        let whole = sum_of(&values);
        let mut reversed: Vec<f64> = values.clone();
        reversed.reverse();
        assert_eq!(sum_of(&reversed), whole);
        for split in [1, 17, 2500, values.len() - 1] {
            let mut left = sum_of(&values[..split]);
            left.merge(&sum_of(&values[split..]));
            assert_eq!(left, whole, "split at {split}");
            assert_eq!(left.to_hex(), whole.to_hex());
        }
    }

    #[test]
    fn small_sums_are_exact() {
        assert_eq!(sum_of(&[]).scaled(0), 0.0);
        assert_eq!(sum_of(&[]).to_hex(), "0");
        assert_eq!(sum_of(&[0.5, 0.25, -1.0]).scaled(0), -0.25);
        assert_eq!(sum_of(&[1e308, 1e308, -1e308]).scaled(0), 1e308);
        assert_eq!(sum_of(&[1e308, 1e308]).scaled(-1), 1e308);
        assert_eq!(sum_of(&[1e308, 1e308]).exponent(), Some(1024));
        assert_eq!(sum_of(&[3.0]).exponent(), Some(1));
        assert_eq!(sum_of(&[-0.75]).exponent(), Some(-1));
        assert_eq!(sum_of(&[5e-324]).exponent(), Some(-1074));
        // The doubles nearest 0.1, 0.2 and 0.3 sum to exactly 2⁻⁵⁵.
        assert_eq!(sum_of(&[0.1, 0.2, -0.3]).scaled(0), 2f64.powi(-55));
        // A million additions of 1.0 (past no carry limit, but exercising the limbs).
        let ones = sum_of(&vec![1.0; 1_000_000]);
        assert_eq!(ones.scaled(0), 1e6);
    }

    #[test]
    fn hex_text_round_trips_and_rejects_garbage() {
        for values in [awkward(), vec![-1.0], vec![], vec![-f64::MAX; 3]] {
            let sum = sum_of(&values);
            let back = ExactSum::from_hex(&sum.to_hex()).expect("round trip");
            assert_eq!(back, sum);
            assert_eq!(back.to_hex(), sum.to_hex());
        }
        for bad in ["", "-", "x1", "1.5", "+1", &"f".repeat(8 * LIMBS + 1)] {
            assert!(ExactSum::from_hex(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ExactSum::from_hex("000").expect("zero"),
            ExactSum::default()
        );
    }
}

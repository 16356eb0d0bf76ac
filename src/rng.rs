//! Per-trial random streams (SPEC §5).
//!
//! Trial `i`'s randomness is a function of `(seed, i)` alone. Its key is
//! `mix(seed ^ mix(i))`, where `mix` is the SplitMix64 finaliser (Steele, Lea & Flood,
//! "Fast splittable pseudorandom number generators", OOPSLA 2014). From the key:
//!
//! - each parameter is drawn from its own `SplitMix64` stream seeded with `mix(key ^ stream)`,
//!   where `stream` is a hash of the parameter's key ([`crate::cast::stream_of`]): changing one
//!   parameter's distribution (a sweep, a comparison), or adding a party, an issue or an event,
//!   leaves every other parameter's draw untouched;
//! - the month loop (walks, events, change of leader, summits) uses a Xoshiro256++
//!   (Blackman & Vigna 2018) seeded with `mix(key ^ PROCESS_STREAM)` the way `rand_xoshiro`'s
//!   `Xoshiro256PlusPlus::seed_from_u64` seeds it (four SplitMix64 outputs). [`Xoshiro`] is
//!   that generator with its state open, so that the month loop can run many trials' streams
//!   side by side ([`crate::model`]); a test checks it against `rand_xoshiro`'s, value for value.
//!
//! Both generators are named, portable and value-stable, unlike `StdRng`.

use rand::SeedableRng;
use rand_xoshiro::SplitMix64;
use std::convert::Infallible;

/// Stream number of the month loop (parameters use hashes of their keys).
const PROCESS_STREAM: u64 = 0x0005_EED0_F7EA_71E5;

/// The SplitMix64 output function: a bijective 64-bit mixer.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key of trial `trial` under `seed`.
#[inline]
pub fn trial_key(seed: u64, trial: u64) -> u64 {
    mix(seed ^ mix(trial))
}

/// Mixed into a trial's key to give its resampling key ([`resample_key`]).
const RESAMPLE_STREAM: u64 = 0x5A17_E111_B0B5_0B01;

/// A second, independent key for the trial with key `key`: sensitivity's "B" sample. Trial i's
/// parameters and month loop drawn under it are independent of those under `key` and of every
/// other trial's, and are again a function of (seed, i) alone.
#[inline]
pub fn resample_key(key: u64) -> u64 {
    mix(key ^ RESAMPLE_STREAM)
}

/// The stream a parameter (with stream number `stream`, [`crate::cast::ParamInfo::stream`])
/// of a trial draws from.
#[inline]
pub fn param_rng(key: u64, stream: u64) -> SplitMix64 {
    SplitMix64::seed_from_u64(param_seed(key, stream))
}

/// [`param_rng`] after `k` outputs: SplitMix64's state moves by [`GOLDEN_GAMMA`] an output.
#[inline]
pub fn param_rng_at(key: u64, stream: u64, k: u64) -> SplitMix64 {
    SplitMix64::seed_from_u64(param_seed(key, stream).wrapping_add(k.wrapping_mul(GOLDEN_GAMMA)))
}

/// The seed (the initial state) of [`param_rng`].
#[inline]
pub fn param_seed(key: u64, stream: u64) -> u64 {
    mix(key ^ stream)
}

/// SplitMix64's increment, the golden ratio in 64 bits: the stream's state moves by it and
/// each output is [`mix`] of the state.
pub const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Output `k` (from 1) of a SplitMix64 seeded with `seed`: [`mix`] of `seed + k·GOLDEN_GAMMA`.
#[inline(always)]
pub fn splitmix_output(seed: u64, k: u64) -> u64 {
    mix(seed.wrapping_add(k.wrapping_mul(GOLDEN_GAMMA)))
}

/// The stream of a trial's month loop.
#[inline]
pub fn process_rng(key: u64) -> Xoshiro {
    Xoshiro::seed_from_u64(process_seed(key))
}

/// The seed of [`process_rng`].
#[inline(always)]
pub fn process_seed(key: u64) -> u64 {
    mix(key ^ PROCESS_STREAM)
}

/// Xoshiro256++ with its state open: the same stream as `rand_xoshiro::Xoshiro256PlusPlus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Xoshiro {
    /// The four words of state.
    pub s: [u64; 4],
}

impl Xoshiro {
    /// Seeds the state with the first four outputs of a SplitMix64 seeded with `seed`, as
    /// `rand_xoshiro` does.
    #[inline]
    pub fn seed_from_u64(seed: u64) -> Xoshiro {
        Xoshiro {
            s: std::array::from_fn(|w| splitmix_output(seed, w as u64 + 1)),
        }
    }

    /// The next output, advancing the state.
    #[inline(always)]
    pub fn step(s: &mut [u64; 4]) -> u64 {
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
}

impl rand::TryRng for Xoshiro {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        // The upper bits, as rand_xoshiro does: the lowest have linear dependencies.
        Ok((Xoshiro::step(&mut self.s) >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(Xoshiro::step(&mut self.s))
    }

    #[inline]
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dest.chunks_mut(8) {
            let bytes = Xoshiro::step(&mut self.s).to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// Value stability: these numbers must never change, or seeded results would.
    #[test]
    fn streams_are_value_stable() {
        let key = trial_key(20200122, 7);
        assert_eq!(key, trial_key(20200122, 7));
        assert_ne!(key, trial_key(20200122, 8));
        assert_ne!(key, trial_key(20200123, 7));
        let mut stream = param_rng(key, 3);
        let state = param_seed(key, 3);
        for k in 1..=5u64 {
            assert_eq!(stream.next_u64(), splitmix_output(state, k));
        }
        let a = process_rng(key).next_u64();
        let b = param_rng(key, 0).next_u64();
        assert_ne!(a, b);
        assert_eq!(mix(0), 0);
        assert_eq!(mix(1), 0x5692_161D_100B_05E5);
    }

    /// The open Xoshiro is rand_xoshiro's Xoshiro256++, seeding included.
    #[test]
    fn xoshiro_is_rand_xoshiro() {
        for seed in [0, 1, 20200120, u64::MAX, mix(7)] {
            let mut ours = Xoshiro::seed_from_u64(seed);
            let mut theirs = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
            for _ in 0..1000 {
                assert_eq!(ours.next_u64(), theirs.next_u64());
                assert_eq!(ours.next_u32(), theirs.next_u32());
            }
            let (mut a, mut b) = ([0u8; 13], [0u8; 13]);
            ours.fill_bytes(&mut a);
            theirs.fill_bytes(&mut b);
            assert_eq!(a, b);
        }
    }
}

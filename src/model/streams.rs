//! The month-loop streams of [`LANES`] trials side by side: each lane its own Xoshiro256++
//! ([`rng::process_rng`]), advanced together word array by word array, and `rand_distr`'s
//! ziggurat normal with its fast path in every lane at once and the rare rest lane by lane.

// A lane loop indexes several arrays in step: the form the vectoriser reads best.
#![allow(clippy::needless_range_loop)]

use super::lanes::{LANES, Reals, all, each, unset};
use super::ziggurat;
use crate::distribution::{standard_normal, uniform};
use crate::rng::{self, Xoshiro};
use rand::Rng;
use rand::distr::{Distribution, Open01};

/// The exponent bits of 2.0: the ziggurat's 52 fraction bits under them give a double in [2, 4).
const EXPONENT_TWO: u64 = 1024 << 52;

/// The month-loop streams of the batch's trials, state word by state word. Aligned to a cache
/// line, as its words are read and written a vector register at a time: a vector that
/// straddles two lines costs two accesses. (Its place on the stack also aligns the month
/// loop's frame, and with it the loop's arrays, whatever the caller's stack.)
#[repr(C, align(64))]
pub(super) struct Streams {
    s: [[u64; LANES]; 4],
}

impl Streams {
    /// [`rng::process_rng`] of each key, seeded as [`Xoshiro::seed_from_u64`] does, word by
    /// word across the lanes.
    #[inline(always)]
    pub(super) fn new(keys: &[u64; LANES]) -> Streams {
        let mut s = [[0; LANES]; 4];
        for (w, word) in s.iter_mut().enumerate() {
            for l in 0..LANES {
                word[l] = rng::splitmix_output(rng::process_seed(keys[l]), w as u64 + 1);
            }
        }
        Streams { s }
    }

    /// Lane `lane`'s stream, to draw from it alone.
    #[inline]
    pub(super) fn lane(&self, lane: usize) -> Xoshiro {
        Xoshiro {
            s: std::array::from_fn(|w| self.s[w][lane]),
        }
    }

    /// Puts back a stream taken with [`Streams::lane`].
    #[inline]
    pub(super) fn set_lane(&mut self, lane: usize, stream: &Xoshiro) {
        for w in 0..4 {
            self.s[w][lane] = stream.s[w];
        }
    }

    /// The next output of every stream.
    #[inline(always)]
    pub(super) fn next(&mut self) -> [u64; LANES] {
        self.next_where(&[true; LANES])
    }

    /// The next output of the streams of the `active` lanes; the others do not move (their
    /// output is meaningless). [`Xoshiro::step`], written word-array by word-array so that
    /// each line is one vector operation across the lanes.
    #[inline(always)]
    pub(super) fn next_where(&mut self, active: &[bool; LANES]) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0; LANES];
        for l in 0..LANES {
            out[l] = s0[l]
                .wrapping_add(s3[l])
                .rotate_left(23)
                .wrapping_add(s0[l]);
            let t = s1[l] << 17;
            let n2 = s2[l] ^ s0[l];
            let n3 = s3[l] ^ s1[l];
            let n1 = s1[l] ^ n2;
            let n0 = s0[l] ^ n3;
            let n2 = n2 ^ t;
            let n3 = n3.rotate_left(45);
            if active[l] {
                (s0[l], s1[l], s2[l], s3[l]) = (n0, n1, n2, n3);
            }
        }
        out
    }
}

/// A standard normal in every lane: `rand_distr`'s ziggurat, its fast path in all lanes at
/// once, the rest lane by lane ([`walk`]'s normals, which the tests compare with `rand_distr`).
#[cfg(test)]
pub(super) fn normals(streams: &mut Streams) -> Reals {
    let bits = streams.next();
    let (mut x, accepted) = normal_fast_path(&bits);
    if !all(&accepted) {
        each(unset(&accepted), |l| {
            x[l] = normal_beyond_fast_path(streams, l, bits[l]);
        });
    }
    x
}

/// W ← clamp(W + σ·Z) in every lane, Z a standard normal ([`normals`]): the lanes the
/// ziggurat's fast path takes are updated together, the rest one by one as their normal is
/// finished, so that the normals are not stored and read back.
#[inline(always)]
pub(super) fn walk(streams: &mut Streams, will: &mut Reals, volatility: &Reals) {
    let bits = streams.next();
    let (z, accepted) = normal_fast_path(&bits);
    for l in 0..LANES {
        let walked = (will[l] + volatility[l] * z[l]).clamp(0.0, 1.0);
        will[l] = if accepted[l] { walked } else { will[l] };
    }
    if !all(&accepted) {
        each(unset(&accepted), |l| {
            let z = normal_beyond_fast_path(streams, l, bits[l]);
            will[l] = (will[l] + volatility[l] * z).clamp(0.0, 1.0);
        });
    }
}

/// The ziggurat's fast path on one output per lane: the draw, and whether the fast path took
/// it (about 99% of the time; else the draw is not yet known).
#[inline(always)]
pub(super) fn normal_fast_path(bits: &[u64; LANES]) -> (Reals, [bool; LANES]) {
    let mut x = [0.0; LANES];
    let mut accepted = [true; LANES];
    for l in 0..LANES {
        let (i, u) = layer_and_position(bits[l]);
        x[l] = u * ziggurat::X[i];
        accepted[l] = x[l].abs() < ziggurat::X_NEXT[i];
    }
    (x, accepted)
}

/// The ziggurat's layer (low 8 bits) and position in [−1, 1) (top 52 bits) of an output.
#[inline(always)]
fn layer_and_position(bits: u64) -> (usize, f64) {
    (
        (bits & 0xff) as usize,
        f64::from_bits((bits >> 12) | EXPONENT_TWO) - 3.0,
    )
}

/// The rest of `rand_distr`'s ziggurat for a draw `bits` that missed the fast path: the tail
/// from layer 0, else the wedge test, else a fresh draw.
#[cold]
#[inline(never)]
fn normal_beyond_fast_path(streams: &mut Streams, lane: usize, bits: u64) -> f64 {
    let mut stream = streams.lane(lane);
    let (i, u) = layer_and_position(bits);
    let x = u * ziggurat::X[i];
    let z = if i == 0 {
        normal_tail(&mut stream, u)
    } else if ziggurat::F[i + 1] + (ziggurat::F[i] - ziggurat::F[i + 1]) * uniform(&mut stream)
        < (-x * x / 2.0).exp()
    {
        x
    } else {
        standard_normal(&mut stream)
    };
    streams.set_lane(lane, &stream);
    z
}

/// A draw beyond ±r (Marsaglia's tail method, as `rand_distr` does it), on the side of `u`.
fn normal_tail<G: Rng + ?Sized>(stream: &mut G, u: f64) -> f64 {
    let (mut x, mut y) = (1.0f64, 0.0f64);
    while -2.0 * y < x * x {
        let x_: f64 = Open01.sample(stream);
        let y_: f64 = Open01.sample(stream);
        x = x_.ln() / ziggurat::R;
        y = y_.ln();
    }
    if u < 0.0 {
        x - ziggurat::R
    } else {
        ziggurat::R - x
    }
}

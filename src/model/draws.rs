//! The parameter draws of [`LANES`] trials side by side.
//!
//! Each parameter of each trial has its own SplitMix64 stream ([`rng::param_rng`]), fresh for
//! that one draw. Here the [`LANES`] trials' streams of one parameter advance together, and each
//! family's sampler makes its first attempt in all lanes at once: the ziggurat's fast path for
//! a normal, one Marsaglia–Tsang attempt with its squeeze for each gamma of a beta. A lane
//! whose attempt falls outside that common path (a percent or so of draws) is drawn again from
//! its fresh stream by the scalar [`Sampler::sample`], which replays the same attempt, fails it
//! the same way and goes on. So every lane equals [`Model::draw`] to the bit (tested), and the
//! vector path only has to be right where it accepts. A beta's lane skips the replay where the
//! attempts' outcomes are known: the scalar gamma sampler keeps nothing from one attempt to
//! the next, so it goes on from the stream's next output after a rejected attempt, and draws
//! only Y after an X that the vector attempt gave. Families without a vector path
//! (truncated normals by inversion, gammas of shape ≤ 1) and correlated parameters are drawn
//! lane by lane.

// A lane loop indexes several arrays in step: the form the vectoriser reads best.
#![allow(clippy::needless_range_loop)]

use super::Model;
use super::lanes::{self, Isa, LANES, Reals, multiversion};
use crate::distribution::{Gamma, Sampler, triangular_quantile};
use crate::fastmath;
use crate::rng::{self, GOLDEN_GAMMA};

/// 1 − ε/2: `rand`'s `Open01` is a double in [1, 2) from 52 random bits, minus this.
const OPEN01_OFFSET: f64 = 1.0 - f64::EPSILON / 2.0;

/// The exponent bits of 1.0.
const EXPONENT_ONE: u64 = 1023 << 52;

/// The SplitMix64 streams of one parameter in [`LANES`] trials, aligned to a cache line as
/// [`super::streams::Streams`] is.
#[repr(C, align(64))]
struct SplitMixLanes {
    state: [u64; LANES],
}

impl SplitMixLanes {
    fn new(keys: &[u64; LANES], stream: u64) -> SplitMixLanes {
        SplitMixLanes {
            state: keys.map(|key| rng::param_seed(key, stream)),
        }
    }

    /// The next output of every stream.
    #[inline(always)]
    fn next(&mut self) -> [u64; LANES] {
        let mut out = [0; LANES];
        for l in 0..LANES {
            self.state[l] = self.state[l].wrapping_add(GOLDEN_GAMMA);
            out[l] = rng::mix(self.state[l]);
        }
        out
    }

    /// `rand`'s `StandardUniform` on [0, 1) in every lane.
    #[inline(always)]
    fn uniform(&mut self) -> Reals {
        self.next().map(lanes::unit)
    }

    /// `rand`'s `Open01` on (0, 1) in every lane.
    #[inline(always)]
    fn open01(&mut self) -> Reals {
        self.next()
            .map(|bits| f64::from_bits((bits >> 12) | EXPONENT_ONE) - OPEN01_OFFSET)
    }

    /// A standard normal where the ziggurat's fast path takes it.
    #[inline(always)]
    fn normal(&mut self) -> (Reals, [bool; LANES]) {
        lanes::normal_fast_path(&self.next())
    }

    /// One Marsaglia–Tsang attempt at Gamma(shape > 1) with d and c of `gamma`, in every
    /// lane: [`Gamma::sample`]'s first pass through its loop, the squeeze and the exact test
    /// behind it (which decides where the squeeze does not, about one time in twelve) both
    /// computed in every lane. Returns the draws, whether the attempt gave each lane's draw,
    /// and where it did not, the output of the lane's stream that the scalar loop's next
    /// attempt starts from: 2 after a rejected attempt (a normal and a uniform drawn), 1 after
    /// a v ≤ 0 (a normal drawn), 0 where this attempt's fate is not known here (a normal off
    /// the ziggurat's fast path, a v too small for the branch-free logarithm).
    #[inline(always)]
    fn gamma(&mut self, (d, c): (f64, f64)) -> (Reals, [bool; LANES], [u64; LANES]) {
        let (x, normal_ok) = self.normal();
        let u = self.open01();
        let mut out = [0.0; LANES];
        let mut accepted = [false; LANES];
        let mut restart = [0; LANES];
        for l in 0..LANES {
            let v_cbrt = 1.0 + c * x[l];
            let v = v_cbrt * v_cbrt * v_cbrt;
            let x_sqr = x[l] * x[l];
            let squeezed = u[l] < 1.0 - 0.0331 * x_sqr * x_sqr;
            // u is in (0, 1) and normal; v may be 0 or subnormal (the scalar then redoes it).
            let exact = fastmath::ln_in_range(u[l])
                < 0.5 * x_sqr + d * (1.0 - v + fastmath::ln_in_range(v));
            let positive = v_cbrt > 0.0;
            let decided = normal_ok[l] & positive & fastmath::ln_in_range_takes(v);
            accepted[l] = decided & (squeezed | exact);
            restart[l] = if decided {
                2
            } else if normal_ok[l] & !positive {
                1
            } else {
                0
            };
            out[l] = v * d;
        }
        (out, accepted, restart)
    }
}

/// lo + width · X/(X + Y) from the gammas X and Y, as [`Sampler::sample`] computes it.
#[inline(always)]
fn beta(lo: f64, width: f64, gx: f64, gy: f64) -> f64 {
    let sum = gx + gy;
    let ratio = if sum > 0.0 { gx / sum } else { 0.5 };
    lo + width * ratio
}

/// The large-shape (d, c) of both gammas of a beta, when both have one.
fn large_shapes(x: &Gamma, y: &Gamma) -> Option<((f64, f64), (f64, f64))> {
    Some((x.large_shape()?, y.large_shape()?))
}

impl Model {
    /// [`Model::draw`] for the [`LANES`] trials with keys `keys`, on `isa`: parameter `i` of
    /// lane `l` into `draws[i][l]`.
    pub(super) fn draw_lanes_on(&self, isa: Isa, keys: &[u64; LANES], draws: &mut [Reals]) {
        draw_lanes_on(isa, self, keys, draws);
    }
}

multiversion!(fn draw_lanes_on(
    model: &Model,
    keys: &[u64; LANES],
    draws: &mut [Reals],
) => draw_lanes);

#[inline(always)]
fn draw_lanes(model: &Model, keys: &[u64; LANES], draws: &mut [Reals]) {
    for ((sampler, &stream), draw) in model.samplers.iter().zip(&model.streams).zip(&mut *draws) {
        let mut ok = [true; LANES];
        let mut streams = SplitMixLanes::new(keys, stream);
        let values: Reals = match *sampler {
            Sampler::Constant(c) => [c; LANES],
            Sampler::Uniform { lo, width } => streams.uniform().map(|u| lo + width * u),
            Sampler::Normal { mean, sd } => {
                let (z, normal_ok) = streams.normal();
                ok = normal_ok;
                z.map(|z| mean + sd * z)
            }
            Sampler::TruncNormal {
                mean,
                sd,
                lo,
                hi,
                rejection: true,
            } => {
                let (z, normal_ok) = streams.normal();
                let x = z.map(|z| mean + sd * z);
                for l in 0..LANES {
                    ok[l] = normal_ok[l] & (lo <= x[l]) & (x[l] <= hi);
                }
                x
            }
            Sampler::LogNormal { mu, sigma } => {
                let (z, normal_ok) = streams.normal();
                ok = normal_ok;
                lanes::exp(&z.map(|z| mu + sigma * z))
            }
            Sampler::Triangular { lo, mode, hi } => streams
                .uniform()
                .map(|u| triangular_quantile(lo, mode, hi, u)),
            Sampler::Beta { lo, width, x, y } => match large_shapes(&x, &y) {
                Some((x_shape, y_shape)) => {
                    let (gx, x_ok, x_restart) = streams.gamma(x_shape);
                    let (gy, y_ok, y_restart) = streams.gamma(y_shape);
                    let mut out = [0.0; LANES];
                    for l in 0..LANES {
                        out[l] = beta(lo, width, gx[l], gy[l]);
                        ok[l] = x_ok[l] & y_ok[l];
                    }
                    // A lane whose first attempt failed goes on where the scalar sampler would,
                    // from the output its next attempt starts from: X's, then Y's from where
                    // X's draw leaves the stream; or Y's alone when X's first attempt was its
                    // draw (two outputs). The scalar loop keeps nothing from one attempt to the
                    // next, so this is its draw to the bit.
                    if !lanes::all(&ok) {
                        lanes::each(lanes::unset(&ok), |l| {
                            let (gx, mut rest) = if x_ok[l] {
                                (gx[l], rng::param_rng_at(keys[l], stream, 2 + y_restart[l]))
                            } else {
                                let mut rest = rng::param_rng_at(keys[l], stream, x_restart[l]);
                                (x.sample(&mut rest), rest)
                            };
                            out[l] = beta(lo, width, gx, y.sample(&mut rest));
                        });
                        ok = [true; LANES];
                    }
                    out
                }
                None => {
                    ok = [false; LANES];
                    [0.0; LANES]
                }
            },
            Sampler::TruncNormal {
                rejection: false, ..
            } => {
                ok = [false; LANES];
                [0.0; LANES]
            }
        };
        *draw = values;
        if !lanes::all(&ok) {
            lanes::each(lanes::unset(&ok), |l| {
                draw[l] = sampler.sample(&mut rng::param_rng(keys[l], stream));
            });
        }
    }
    if let Some(copula) = &model.copula {
        // The copula draws a trial's row; correlated scenarios spend their time in its exact
        // quantiles, not in this copy.
        let mut row = vec![0.0; draws.len()];
        for l in 0..LANES {
            for (x, draw) in row.iter_mut().zip(&*draws) {
                *x = draw[l];
            }
            copula.draw(keys[l], &mut row);
            for (x, draw) in row.iter().zip(&mut *draws) {
                draw[l] = *x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Catalog;

    /// Every lane equals the scalar draws to the bit, for every family and both paths of each,
    /// on every instruction set here (a beta's gammas of shape just above 1 reach v ≤ 0).
    #[test]
    fn lanes_equal_the_scalar_draws() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let scenarios = [
            r#"
            [simulation]
            start = "2020-01"
            deadline = "2020-06"
            [party.japan]
            will = "beta(6, 3)"
            leader_exit_hazard = "triangular(0.002, 0.008, 0.02)"
            successor_will = "beta(0.5, 5)"
            [party.russia]
            will = "beta(1, 1.5)"
            [party.korea]
            will = "beta(1.02, 1.1)"
            [party.us]
            role = "outside"
            indifference = "uniform(0.2, 0.8)"
            [issue.security]
            concedes = "japan"
            demands = "russia"
            concession = "0.05 to 0.3"
            demand = "pert(0.45, 0.7, 0.95)"
            leverage = { us = "truncnormal(0.2, 0.3, 0, 1)" }
            [process]
            summit_rate = "truncnormal(0.05, 0.1, 0.6, 0.9)"
            will_volatility = "0.02 to 0.06"
            signing_threshold = "normal(0.35, 0.06)"
            decision_noise = "lognormal(-2.8, 0.25)"
            "#,
            r#"
            [simulation]
            start = "2020-01"
            deadline = "2020-06"
            [party.japan]
            will = "beta(1.01, 1.01)"
            leader_exit_hazard = 0.01
            successor_will = "beta(2, 5)"
            [party.russia]
            will = "beta(2.5, 6.5)"
            [party.china]
            will = "beta(300, 200)"
            [party.us]
            role = "outside"
            indifference = "uniform(0.2, 0.8)"
            [issue.security]
            concedes = "japan"
            demands = "russia"
            concession = "beta(300, 200)"
            demand = "uniform(0.3, 0.9)"
            leverage = { us = 0.2 }
            [process]
            summit_rate = "beta(2, 8)"
            will_volatility = "0.02 to 0.06"
            signing_threshold = "triangular(0.2, 0.2, 0.5)"
            decision_noise = "lognormal(-600, 2.5)"
            [correlations]
            "party.japan.will ~ party.russia.will" = 0.5
            "party.japan.successor_will ~ process.summit_rate" = -0.3
            "#,
        ];
        for (k, text) in scenarios.iter().enumerate() {
            let name = format!("draws{k}");
            std::fs::write(dir.path().join(format!("{name}.toml")), text).expect("written");
            let scenario = Catalog::new(dir.path())
                .load(&name, &[])
                .expect("valid scenario");
            let model = Model::new(&scenario);
            let n = model.params();
            for isa in Isa::available() {
                let mut lanes = vec![[0.0; LANES]; n];
                let mut scalar = vec![0.0; n];
                for batch in 0..(16_000 / LANES) as u64 {
                    let keys: [u64; LANES] =
                        std::array::from_fn(|l| rng::trial_key(3, batch * LANES as u64 + l as u64));
                    model.draw_lanes_on(isa, &keys, &mut lanes);
                    for l in 0..LANES {
                        model.draw(keys[l], &mut scalar);
                        let lane: Vec<u64> = lanes.iter().map(|x| x[l].to_bits()).collect();
                        let expected: Vec<u64> = scalar.iter().map(|x| x.to_bits()).collect();
                        assert_eq!(
                            lane, expected,
                            "scenario {k}, {isa:?}, batch {batch}, lane {l}"
                        );
                    }
                }
            }
        }
    }
}

//! The gamma sampler under the beta draws, and the beta ratio taken from the gammas'
//! logarithms when a shape is below 1.

use super::standard::standard_normal;
use crate::fastmath;
use rand::Rng;
use rand_distr::{Distribution, Exp1, Open01};

/// Gamma(shape, 1) as `rand_distr`'s `Gamma` draws it (Marsaglia & Tsang 2000 for
/// shape > 1; Gamma(shape + 1)·U^(1/shape) below 1; Exp(1) at 1), written here so that it
/// inlines into the parameter draws, and so that the logarithms of Marsaglia & Tsang's exact
/// test are [`fastmath::ln`], which the vectorised draws ([`crate::model`]) compute too. The
/// draws are `rand_distr`'s to the bit but where the two logarithms fall on either side of
/// the test's threshold (not once in the tests' 160,000 draws).
#[derive(Clone, Copy, Debug)]
pub struct Gamma {
    /// shape − 1/3 (of shape + 1 below 1).
    d: f64,
    /// 1 / √(9d).
    c: f64,
    form: GammaForm,
}

#[derive(Clone, Copy, Debug)]
enum GammaForm {
    Large,
    Small { inverse_shape: f64 },
    Exponential,
}

impl Gamma {
    /// The sampler of Gamma(`shape`, 1); `shape` is positive and finite (validated).
    pub fn new(shape: f64) -> Gamma {
        let (form, large) = if shape == 1.0 {
            (GammaForm::Exponential, shape)
        } else if shape < 1.0 {
            let inverse_shape = 1.0 / shape;
            (GammaForm::Small { inverse_shape }, shape + 1.0)
        } else {
            (GammaForm::Large, shape)
        };
        let d = large - 1.0 / 3.0;
        Gamma {
            d,
            c: 1.0 / (9.0 * d).sqrt(),
            form,
        }
    }

    /// One draw.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.form {
            GammaForm::Large => self.unscaled(rng) * self.d,
            GammaForm::Small { inverse_shape } => {
                let u: f64 = Open01.sample(rng);
                let a = self.unscaled(rng);
                a * u.powf(inverse_shape) * self.d
            }
            GammaForm::Exponential => Exp1.sample(rng),
        }
    }

    /// Whether the shape is below 1, where a draw can underflow: Gamma(shape + 1)·U^(1/shape)
    /// is below the smallest double when U^(1/shape) is, which happens for shapes below about 0.05.
    pub fn is_small(&self) -> bool {
        matches!(self.form, GammaForm::Small { .. })
    }

    /// The natural logarithm of one draw, from the same random numbers as [`Gamma::sample`],
    /// and finite for every shape however small: below 1, ln Gamma(shape + 1) + ln(U)/shape
    /// (the logarithm of the product that underflows); at and above 1, the logarithm of the
    /// draw (an exponential draw of 0, about one in 2⁵², counts as the smallest normal double).
    #[inline]
    pub fn ln_sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.form {
            GammaForm::Large => fastmath::ln(self.unscaled(rng) * self.d),
            GammaForm::Small { inverse_shape } => {
                let u: f64 = Open01.sample(rng);
                let v = self.unscaled(rng);
                fastmath::ln(v * self.d) + fastmath::ln(u) * inverse_shape
            }
            GammaForm::Exponential => {
                let e: f64 = Exp1.sample(rng);
                fastmath::ln(e.max(f64::MIN_POSITIVE))
            }
        }
    }

    /// (d, c) when shape > 1, where a draw is one Marsaglia–Tsang attempt, or more.
    pub fn large_shape(&self) -> Option<(f64, f64)> {
        matches!(self.form, GammaForm::Large).then_some((self.d, self.c))
    }

    /// Marsaglia & Tsang's v, the draw divided by d.
    #[inline(always)]
    fn unscaled<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let x = standard_normal(rng);
            let v_cbrt = 1.0 + self.c * x;
            if v_cbrt <= 0.0 {
                continue;
            }
            let v = v_cbrt * v_cbrt * v_cbrt;
            let u: f64 = Open01.sample(rng);
            let x_sqr = x * x;
            if u < 1.0 - 0.0331 * x_sqr * x_sqr
                || fastmath::ln(u) < 0.5 * x_sqr + self.d * (1.0 - v + fastmath::ln(v))
            {
                return v;
            }
        }
    }
}

/// X / (X + Y) from ln X and ln Y (finite): 1 / (1 + e^(ln Y − ln X)), with the exponential
/// taken of a non-positive number so that it cannot overflow. Below 1/2 the result keeps its
/// relative precision down to the subnormals (it is 0 only below the smallest of them); above
/// 1/2 it is 1 − Y/(X + Y), rounded once, so that it is 1 only when Y/(X + Y) is at most 2⁻⁵⁴.
#[inline]
pub(super) fn ratio_from_logs(ln_x: f64, ln_y: f64) -> f64 {
    let d = ln_y - ln_x;
    if d > 0.0 {
        let t = (-d).exp();
        t / (1.0 + t)
    } else {
        let t = d.exp();
        1.0 - t / (1.0 + t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our gamma is rand_distr's, draw for draw, on both sides of shape 1 and at 1 (it could
    /// differ where fastmath::ln and f64::ln straddle the exact test's threshold: not here).
    #[test]
    fn gamma_is_rand_distr_gamma() {
        use rand::SeedableRng;
        for shape in [0.05, 0.3, 0.999, 1.0, 1.5, 3.287, 17.76, 1e6] {
            let ours = Gamma::new(shape);
            let theirs = rand_distr::Gamma::new(shape, 1.0).expect("valid shape");
            let mut a = rand_xoshiro::SplitMix64::seed_from_u64(shape.to_bits());
            let mut b = a.clone();
            for _ in 0..20_000 {
                assert_eq!(
                    ours.sample(&mut a).to_bits(),
                    theirs.sample(&mut b).to_bits(),
                    "{shape}"
                );
            }
        }
    }
}

//! The standard draws every sampler starts from: uniform on [0, 1) and the standard normal. A
//! leaf: it imports no other room.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal, StandardUniform};

/// A uniform draw on [0, 1) with 53 random bits.
#[inline]
pub fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    StandardUniform.sample(rng)
}

/// A standard normal draw (ziggurat).
#[inline]
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    StandardNormal.sample(rng)
}

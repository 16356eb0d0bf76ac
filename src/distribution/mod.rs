//! Probability distributions of scenario files: parsing, domain checks, fast sampling and
//! exact CDF / quantile functions (SPEC §3).
//!
//! Samplers are chosen for speed (SPEC §10): beta draws are a ratio of two gamma draws
//! (Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 2000,
//! draw for draw as `rand_distr::Gamma`, inlined), normal draws use `rand_distr`'s ziggurat, and the
//! bounded families with closed-form quantiles use inversion. When a beta shape is below 1
//! the ratio is taken from the gammas' logarithms, so that shapes down to 1e-100 are exact
//! where the gammas themselves would underflow to 0.
//!
//! The rooms, each importing only those above it in this list (no file imports one below it):
//! - `special`: the special functions, Φ, Φ⁻¹ and the exact beta, truncated-normal,
//!   triangular and PERT quantiles (a leaf: it imports no other room);
//! - `standard`: the standard uniform and normal draws (a leaf);
//! - `dist`: [`Dist`], the families with their domain checks, CDFs and quantiles;
//! - `inverse`: [`BetaInverse`], the beta quantile tabulated on the normal scale for the
//!   copula;
//! - `gamma`: the [`Gamma`] sampler and the beta ratio taken from logarithms;
//! - `sampler`: [`Sampler`], a [`Dist`] compiled for fast repeated draws;
//! - [`fit`]: the `"lo to hi"` and `"quantiles(…)"` fits;
//! - `parse`: [`Written`], what a scenario writes, parsed and resolved through the fits.

mod dist;
pub mod fit;
mod gamma;
mod inverse;
mod parse;
mod sampler;
mod special;
mod standard;

pub use dist::Dist;
pub use gamma::Gamma;
pub use inverse::BetaInverse;
pub use parse::{ACCEPTED, MAX_QUANTILES, Written, searched_quantiles};
pub use sampler::Sampler;
pub(crate) use special::triangular_quantile;
pub use special::{Z95, beta_quantile, normal_cdf, normal_quantile};
pub use standard::{standard_normal, uniform};

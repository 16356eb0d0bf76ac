//! Analyses over many trials whose tallies shard files carry: below the commands that run them
//! ([`crate::cmd`]) and the shard files that store them ([`crate::shard`]), above the engine and
//! the model they evaluate.
//!
//! - [`explain`]: the central path, the diagnostic run and the reasons of `treatysim explain`
//!   (SPEC §8);
//! - [`sensitivity`]: Sobol first- and total-order indices by pick-freeze, and the binned
//!   swings of the tornado (SPEC §8);
//! - [`sweep`]: the keys a sweep may vary, its point cap and its file name;
//! - [`score`]: Brier, log and time-averaged Brier scores, and calibration (SPEC §8).

pub mod compare;
pub mod explain;
pub mod score;
pub mod sensitivity;
pub mod sweep;

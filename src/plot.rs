//! SVG plots of the CSV outputs (SPEC §8 "Plots"), drawn with plotters' SVG backend.
//!
//! Each plot has a reader, which turns a CSV file into the numbers it draws (errors name the
//! file, the line and the column), and a renderer, which turns them into an SVG document held
//! in a `String`. `treatysim plot` (`cmd/plot.rs`) decides which files to read and writes the
//! documents with [`crate::export::write_atomic`].
//!
//! Probabilities are drawn as percentages. plotters is built without a font feature, so it
//! reads no system fonts: it estimates text widths itself and writes text as SVG `<text>`
//! elements, which the viewer renders in its own sans-serif font.

use crate::error::{Error, Result};
use crate::month::Month;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;
use std::path::{Path, PathBuf};

mod calibration;
mod curves;
mod dots;
mod heatmap;
mod pool;
mod style;
mod summary;
mod sweep;
mod table;
mod timeline;
mod timelines;
mod tornado;

#[cfg(test)]
mod tests;

pub use calibration::{Calibration, CalibrationBin, calibration_svg, point_radius};
pub use pool::{Pool, PoolRow, pool_svg, share};
pub use timelines::{Timelines, timelines_svg};

pub use curves::*;
use dots::*;
pub use heatmap::*;
pub use style::*;
pub use summary::*;
pub use sweep::*;
pub use table::*;
pub use timeline::*;
pub use tornado::*;

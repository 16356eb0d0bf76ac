//! `treatysim plot`.

use crate::cli::PlotArgs;
use crate::error::{Error, Result};

/// Not yet implemented.
pub fn plot(_args: &PlotArgs) -> Result<()> {
    Err(Error::Invalid("plot is not implemented yet".into()))
}

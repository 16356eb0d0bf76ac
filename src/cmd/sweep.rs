//! `treatysim sweep`.

use crate::cli::SweepArgs;
use crate::error::{Error, Result};
use crate::scenario::Catalog;

/// Not yet implemented.
pub fn sweep(_catalog: &Catalog, _args: &SweepArgs) -> Result<()> {
    Err(Error::Invalid("sweep is not implemented yet".into()))
}

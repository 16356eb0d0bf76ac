//! `treatysim sensitivity`.

use crate::cli::SensitivityArgs;
use crate::error::{Error, Result};
use crate::scenario::Catalog;

/// Not yet implemented.
pub fn sensitivity(_catalog: &Catalog, _args: &SensitivityArgs) -> Result<()> {
    Err(Error::Invalid("sensitivity is not implemented yet".into()))
}

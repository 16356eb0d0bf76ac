//! `treatysim compare`.

use crate::cli::CompareArgs;
use crate::error::{Error, Result};
use crate::scenario::Catalog;

/// Not yet implemented.
pub fn compare(_catalog: &Catalog, _args: &CompareArgs) -> Result<()> {
    Err(Error::Invalid("compare is not implemented yet".into()))
}

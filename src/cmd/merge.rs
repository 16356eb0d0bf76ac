//! `treatysim merge`.

use crate::cli::MergeArgs;
use crate::error::{Error, Result};

/// Not yet implemented.
pub fn merge(_args: &MergeArgs) -> Result<()> {
    Err(Error::Invalid("merge is not implemented yet".into()))
}

//! `treatysim show`.

use crate::error::Result;
use crate::scenario::{Catalog, Override};

/// Prints the fully resolved scenario as TOML.
pub fn show(catalog: &Catalog, name: &str, sets: &[Override]) -> Result<()> {
    let scenario = catalog.load(name, sets)?;
    super::print_stdout(&scenario.to_toml())
}

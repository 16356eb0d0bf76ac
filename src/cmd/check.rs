//! `treatysim check`.

use crate::error::{Error, Result};
use crate::scenario::Catalog;

/// Validates the named scenarios (all when none is named), reporting every error and warning
/// on stderr.
pub fn check(catalog: &Catalog, names: &[String]) -> Result<()> {
    let names = if names.is_empty() {
        catalog.names()?
    } else {
        names.to_vec()
    };
    let mut failed = 0;
    for name in &names {
        match catalog.load(name, &[]) {
            Ok(scenario) => {
                for warning in &scenario.warnings {
                    note!("warning: {warning}");
                }
                note!("ok: {name}");
            }
            Err(e) => {
                note!("error: {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        Err(Error::Invalid(format!(
            "{failed} of {} scenarios are invalid",
            names.len()
        )))
    } else {
        Ok(())
    }
}

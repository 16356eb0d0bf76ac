//! `treatysim check`.

use crate::error::{Error, Result};
use crate::scenario::Catalog;

/// Validates the named scenarios (all when none is named), reporting every error and warning
/// on stderr.
pub fn check(catalog: &Catalog, names: &[String]) -> Result<()> {
    let names = if names.is_empty() {
        super::warn_skipped(catalog);
        catalog.names()?
    } else {
        names.to_vec()
    };
    if names.is_empty() {
        return Err(Error::Invalid(
            "no scenarios to check: the --scenarios folders hold no *.toml file whose name \
             follows the name rule (letters, digits, '_', '.', '-', starting with a letter or \
             digit)"
                .into(),
        ));
    }
    let mut failed = 0;
    for name in &names {
        match catalog.load(name, &[]) {
            Ok(scenario) => {
                super::scenario_warnings(&scenario);
                note!("ok: {name}");
            }
            Err(e) => {
                error_line!("error: {e}");
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

//! `treatysim list`.

use crate::error::Result;
use crate::scenario::Catalog;

/// Prints each scenario's name and description, one per line.
pub fn list(catalog: &Catalog) -> Result<()> {
    super::warn_skipped(catalog);
    let names = catalog.names()?;
    let width = names.iter().map(String::len).max().unwrap_or(0);
    let mut out = String::new();
    for name in &names {
        let description = match catalog.load(name, &[]) {
            Ok(scenario) => scenario.description,
            Err(_) => format!("(invalid: see `treatysim check {name}`)"),
        };
        // One line each, whatever the description holds.
        let description = crate::error::escape_controls(&description);
        out.push_str(&format!("{name:width$}  {description}\n"));
    }
    super::print_stdout(&out)
}

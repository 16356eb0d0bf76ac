//! `treatysim show`.

use crate::cli::ShowArgs;
use crate::error::Result;
use crate::scenario::Catalog;

/// Prints the fully resolved scenario as TOML, or with `--keys` every parameter key with its
/// distribution and domain.
pub fn show(catalog: &Catalog, args: &ShowArgs) -> Result<()> {
    let scenario = catalog.load(&args.name, &args.sets)?;
    super::scenario_warnings(&scenario);
    if !args.keys {
        return super::print_stdout(&scenario.to_toml());
    }
    let cast = &scenario.cast;
    let mut rows: Vec<[String; 4]> = vec![[
        "key".into(),
        "value".into(),
        "domain".into(),
        "events may shift it".into(),
    ]];
    for id in cast.ids() {
        let spec = &scenario.params[id.index()];
        let fitted = spec.dist.to_string();
        let value = if spec.dist.is_constant() || spec.written == fitted {
            fitted
        } else {
            format!("{} = {fitted}", spec.written)
        };
        let state = if cast.kind(id).is_state() {
            "yes"
        } else {
            "no"
        };
        rows.push([
            cast.key(id).to_string(),
            value,
            cast.domain(id).to_string(),
            state.into(),
        ]);
    }
    for event in &scenario.events {
        let chance = if event.hazard {
            "hazard"
        } else {
            "probability"
        };
        rows.push([
            format!("event.{}.{chance}", event.name),
            event.probability.to_string(),
            "[0, 1]".into(),
            String::new(),
        ]);
        rows.push([
            format!("event.{}.month", event.name),
            event.month.to_string(),
            "YYYY-MM".into(),
            String::new(),
        ]);
        if let Some(until) = event.until {
            rows.push([
                format!("event.{}.until", event.name),
                until.to_string(),
                "YYYY-MM".into(),
                String::new(),
            ]);
        }
    }
    let width = |c: usize| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = String::new();
    for [key, value, domain, state] in &rows {
        let line = format!("{key:w0$}  {value:w1$}  {domain:w2$}  {state}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    super::print_stdout(&out)
}

//! `treatysim new NAME --signatories A,B[,C…] [--outside O,…] [--issue I:A>B …]`: a complete,
//! valid, commented starting scenario with neutral placeholder values (SPEC §3).

use crate::cast::valid_name;
use crate::cli::NewArgs;
use crate::error::{Error, Result};
use crate::month::Month;
use crate::scenario::{name_rule, valid_new_name};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// The command that finds the scenario `name` written into `scenarios`, wherever that is:
/// `treatysim VERB NAME` in the default folder, else `treatysim VERB NAME --scenarios DIR`.
pub fn advice(verb: &str, scenarios: &Path, name: &str) -> String {
    if scenarios == Path::new("scenarios") {
        format!("treatysim {verb} {name}")
    } else {
        format!(
            "treatysim {verb} {name} --scenarios {}",
            scenarios.display()
        )
    }
}

/// The scenario name `new` was given: `x.toml` is taken as `x` (a note says so); a path is
/// refused, pointing at `--scenarios`.
///
/// # Errors
/// Invalid input for a NAME with a `/` (or `\`).
pub fn scenario_name(given: &str) -> Result<String> {
    if given.contains('/') || given.contains('\\') {
        let (folder, file) = given.rsplit_once(['/', '\\']).unwrap_or(("", given));
        let stem = file.strip_suffix(".toml").unwrap_or(file);
        return Err(Error::Invalid(format!(
            "new takes a scenario NAME, not a path (\"{}\"): write `treatysim new {stem} \
             --scenarios {}` to put {stem}.toml in that folder",
            given.escape_debug(),
            if folder.is_empty() { "." } else { folder }
        )));
    }
    match given.strip_suffix(".toml") {
        Some(stem) if !stem.is_empty() => {
            note!("note: NAME \"{given}\" taken as \"{stem}\" (the file is {stem}.toml)");
            Ok(stem.to_string())
        }
        _ => Ok(given.to_string()),
    }
}

/// Checks the names and the issues, then writes the scenario (never over an existing file),
/// with the mode the umask gives a new file (0644 under umask 022), like any file a user
/// creates.
pub fn new(scenarios: &Path, args: &NewArgs) -> Result<()> {
    let name = scenario_name(&args.name)?;
    let text = scenario_text_in(args, &name, scenarios, this_month())?;
    let path = scenarios.join(format!("{name}.toml"));
    if path.exists() {
        return Err(Error::Invalid(format!(
            "'{}' already exists; treatysim new never overwrites a scenario: pick another NAME or remove the file",
            path.display()
        )));
    }
    if scenarios.is_file() {
        return Err(Error::Invalid(format!(
            "scenario folder '{}' is a file, not a folder; accepted: --scenarios DIR, the \
             folder to write NAME.toml into (created if need be)",
            scenarios.display()
        )));
    }
    std::fs::create_dir_all(scenarios).map_err(|e| Error::io("create folder", scenarios, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".treatysim-").suffix(".tmp");
    // tempfile's default is 0600; 0666 here is narrowed by the umask as open(2) does.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder
        .tempfile_in(scenarios)
        .map_err(|e| Error::io("create a temporary file in", scenarios, e))?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io("write", &path, e))?;
    temp.persist_noclobber(&path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Invalid(format!(
                "'{}' already exists; treatysim new never overwrites a scenario",
                path.display()
            ))
        } else {
            Error::io("write", &path, e.error)
        }
    })?;
    note!(
        "wrote {}: check it with `{}`, run it with `{}`, then replace every placeholder with your own judgement",
        path.display(),
        advice("check", scenarios, &name),
        advice("run", scenarios, &name),
    );
    Ok(())
}

/// The month now (UTC), from the system clock: the template's window starts there.
fn this_month() -> Month {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Month::parse(&format!("{year:04}-{month:02}"))
        .unwrap_or_else(|_| Month::parse("2026-01").unwrap_or_else(|_| unreachable!()))
}

fn check_name(what: &str, name: &str) -> Result<()> {
    if valid_name(name) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{what} \"{}\" is not a valid name; names are a lowercase letter followed by lowercase letters, digits and _ (e.g. japan, e3, palestinian_state)",
            name.escape_debug()
        )))
    }
}

/// The scenario file for `args`, its window starting in `start`.
///
/// # Errors
/// Invalid names, too few signatories, or issues that do not name two different signatories.
#[cfg(test)]
pub fn scenario_text(args: &NewArgs, start: Month) -> Result<String> {
    let folder = args
        .catalog
        .scenarios
        .first()
        .map_or(Path::new("scenarios"), |d| d.as_path());
    scenario_text_in(args, &args.name, folder, start)
}

/// [`scenario_text`] for the scenario `name` written into `folder` (its advice names them).
///
/// # Errors
/// As [`scenario_text`].
fn scenario_text_in(args: &NewArgs, name: &str, folder: &Path, start: Month) -> Result<String> {
    if !valid_new_name(name) {
        return Err(Error::Invalid(name_rule("scenario", name)));
    }
    let signatories = &args.signatories;
    if signatories.len() < 2 {
        return Err(Error::Invalid(format!(
            "--signatories needs at least two names, e.g. --signatories japan,russia (got {})",
            signatories.len()
        )));
    }
    let mut names: Vec<&str> = Vec::new();
    for (what, name) in signatories
        .iter()
        .map(|s| ("signatory", s))
        .chain(args.outside.iter().map(|o| ("outside party", o)))
        .chain(args.issues.iter().map(|i| ("issue", &i.name)))
    {
        check_name(what, name)?;
        if names.contains(&name.as_str()) {
            return Err(Error::Invalid(format!(
                "\"{name}\" is given twice; names are unique across signatories, outside parties and issues"
            )));
        }
        names.push(name);
    }
    for issue in &args.issues {
        for side in [&issue.concedes, &issue.demands] {
            if !signatories.contains(side) {
                return Err(Error::Invalid(format!(
                    "--issue {}:{}>{}: \"{side}\" is not one of the signatories ({}); an issue is between two signatories",
                    issue.name,
                    issue.concedes,
                    issue.demands,
                    signatories.join(", ")
                )));
            }
        }
        if issue.concedes == issue.demands {
            return Err(Error::Invalid(format!(
                "--issue {}:{}>{}: the side that concedes and the side that demands must be two different signatories",
                issue.name, issue.concedes, issue.demands
            )));
        }
    }
    Ok(template(args, name, folder, start))
}

/// `code`, then `comment` at column 37 (or after one space past a long line).
fn line(out: &mut String, code: &str, comment: &str) {
    if comment.is_empty() {
        let _ = writeln!(out, "{code}");
    } else {
        let _ = writeln!(out, "{code:<35} # {comment}");
    }
}

fn template(args: &NewArgs, name: &str, folder: &Path, start: Month) -> String {
    let mut out = String::new();
    let labels: Vec<String> = args.signatories.iter().map(|s| title(s)).collect();
    let together = match labels.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => labels.join(""),
    };
    for text in [
        format!("# {name}: a treaty question, started with `treatysim new`."),
        "#".to_string(),
        "# Every number below is a neutral placeholder. Replace each with your own judgement and"
            .to_string(),
        "# say why in a comment beside it: the date of the information you use, the sources, the"
            .to_string(),
        format!(
            "# reasoning. Then `{}` and `{}`.",
            advice("check", folder, name),
            advice("run", folder, name)
        ),
        "# Distributions: \"beta(a, b)\", \"uniform(a, b)\", \"pert(lo, mode, hi)\", \"lo to hi\" (a 90%"
            .to_string(),
        "# interval), \"normal(mean, sd)\", \"lognormal(mu, sigma)\", \"triangular(lo, mode, hi)\","
            .to_string(),
        "# \"truncnormal(mean, sd, lo, hi)\", elicited quantiles fitted by least squares,".to_string(),
        "# \"quantiles(0.1: 0.2, 0.5: 0.35, 0.9: 0.6)\", or a plain number.\n".to_string(),
        format!("description = \"{name}: a treaty between {together}\""),
        format!(
            "question = \"Will {together} sign the treaty before {}?\"\n",
            start.plus(24)
        ),
        "[simulation]".to_string(),
    ] {
        let _ = writeln!(out, "{text}");
    }
    line(
        &mut out,
        &format!("start = \"{start}\""),
        "first month in which the treaty can be signed",
    );
    line(
        &mut out,
        &format!("deadline = \"{}\"", start.plus(24)),
        "the treaty must be signed before this month begins",
    );
    let _ = writeln!(out, "trials = 200000\nseed = 1");
    for party in &args.signatories {
        let _ = writeln!(out);
        line(
            &mut out,
            &format!("[party.{party}]"),
            "a signatory: must be willing for the treaty to be signed",
        );
        let _ = writeln!(out, "label = \"{}\"", title(party));
        line(
            &mut out,
            "will = \"beta(2, 2)\"",
            "its resolve to conclude, 0 to 1: mean 0.5, wide",
        );
        line(
            &mut out,
            "# leader_exit_hazard = 0.01",
            "monthly chance its leader leaves office (default 0)",
        );
        line(
            &mut out,
            "# successor_will = \"beta(2, 3)\"",
            "its will after that; required once a leader can leave",
        );
    }
    for party in &args.outside {
        let _ = writeln!(out, "\n[party.{party}]");
        line(
            &mut out,
            "role = \"outside\"",
            "sways the talks, does not sign",
        );
        let _ = writeln!(out, "label = \"{}\"", title(party));
        line(
            &mut out,
            "indifference = \"uniform(0, 1)\"",
            "how little it minds the terms: 0 opposes, 1 does not care",
        );
    }
    if args.issues.is_empty() {
        let (a, b) = (&args.signatories[0], &args.signatories[1]);
        let _ = writeln!(
            out,
            "\n# What divides the signatories: add one table per issue, e.g."
        );
        line(&mut out, "# [issue.security]", "");
        line(
            &mut out,
            &format!("# concedes = \"{a}\""),
            "the signatory that must give ground",
        );
        line(
            &mut out,
            &format!("# demands = \"{b}\""),
            "the signatory that must be satisfied",
        );
        line(
            &mut out,
            "# concession = \"uniform(0.2, 0.6)\"",
            "C: the most the conceding side would give",
        );
        line(
            &mut out,
            "# demand = \"uniform(0.3, 0.7)\"",
            "D: the least the demanding side accepts",
        );
        issue_options(&mut out, args.outside.first().map(String::as_str));
    }
    for issue in &args.issues {
        let (i, a, b) = (&issue.name, &issue.concedes, &issue.demands);
        let _ = writeln!(out, "\n[issue.{i}]");
        line(
            &mut out,
            &format!("concedes = \"{a}\""),
            "the signatory that must give ground",
        );
        line(
            &mut out,
            &format!("demands = \"{b}\""),
            "the signatory that must be satisfied",
        );
        line(
            &mut out,
            "concession = \"uniform(0.2, 0.6)\"",
            &format!("C: the most {a} would give on {i}"),
        );
        line(
            &mut out,
            "demand = \"uniform(0.3, 0.7)\"",
            &format!("D: the least {b} accepts on {i}"),
        );
        if !args.outside.is_empty() {
            let leverage: Vec<String> = args.outside.iter().map(|o| format!("{o} = 0.1")).collect();
            line(
                &mut out,
                &format!("leverage = {{ {} }}", leverage.join(", ")),
                &format!("how far each outside party's indifference frees {a}"),
            );
        }
        issue_options(&mut out, args.outside.first().map(String::as_str));
    }
    let _ = writeln!(out, "\n[process]");
    line(
        &mut out,
        "summit_rate = 0.2",
        "λ: monthly chance of a leaders' meeting that could sign",
    );
    line(
        &mut out,
        "will_volatility = 0.03",
        "σ: monthly drift of each signatory's will",
    );
    line(
        &mut out,
        "signing_threshold = 0.3",
        "θ: will needed to sign with nothing left to concede",
    );
    line(
        &mut out,
        "decision_noise = 0.08",
        "s: how sharply the signing chance turns at the threshold",
    );
    let a = &args.signatories[0];
    let _ = writeln!(
        out,
        "\n# Dated events that may happen, e.g.\n# [[event]]\n# name = \"election\""
    );
    let _ = writeln!(out, "# month = \"{}\"\n# probability = 0.5", start.plus(6));
    let _ = writeln!(out, "# effects = {{ \"party.{a}.will\" = -0.1 }}");
    line(
        &mut out,
        &format!("# leader_exit = [\"{a}\"]"),
        "its leader leaves office when it happens",
    );
    for (code, comment) in [
        (
            format!("# until = \"{}\"", start.plus(11)),
            "optional: the month is drawn uniformly from month..until",
        ),
        (
            "# hazard = 0.02".to_string(),
            "instead of probability: chance per month, from month to until (or the end)",
        ),
        (
            "# requires = [\"other event\"]".to_string(),
            "optional: fires only if these have fired before it",
        ),
        (
            "# excludes = [\"other event\"]".to_string(),
            "optional: fires only if none of these has fired before it",
        ),
    ] {
        line(&mut out, &code, comment);
    }
    out
}

/// Model 3's optional keys of an issue (SPEC §3), commented out: `pressure` names an outside
/// party (`party`, or a placeholder when the scenario has none).
fn issue_options(out: &mut String, party: Option<&str>) {
    let party = party.unwrap_or("outside_party");
    for (code, comment) in [
        (
            format!("# pressure = {{ {party} = 0.2 }}"),
            "optional, per outside party: how far its opposition binds `concedes`",
        ),
        (
            "# dealbreaker = true".to_string(),
            "optional: no treaty while this issue's gap is open",
        ),
        (
            "# concession_drift = 0.005".to_string(),
            "optional, per month: `concedes` softens (+) or hardens (-)",
        ),
        (
            "# demand_drift = \"-0.01 to 0\"".to_string(),
            "optional, per month: `demands` lowers (-) or raises (+) its price",
        ),
    ] {
        line(out, &code, comment);
    }
}

/// A display label from a name: `saudi_arabia` → `Saudi Arabia`, `eu` → `EU`,
/// `bosnia_and_herzegovina` → `Bosnia and Herzegovina` (names of parties are proper nouns:
/// every word capitalised but the small joining ones).
fn title(name: &str) -> String {
    if name.len() <= 3 {
        return name.to_ascii_uppercase();
    }
    let small = [
        "of", "and", "the", "for", "on", "in", "de", "du", "la", "el",
    ];
    name.split('_')
        .enumerate()
        .map(|(i, word)| {
            let mut chars = word.chars();
            match chars.next() {
                Some(c) if i == 0 || !small.contains(&word) => {
                    c.to_ascii_uppercase().to_string() + chars.as_str()
                }
                _ => word.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_capitalise_proper_nouns() {
        assert_eq!(title("saudi_arabia"), "Saudi Arabia");
        assert_eq!(title("eu"), "EU");
        assert_eq!(title("bosnia_and_herzegovina"), "Bosnia and Herzegovina");
        assert_eq!(title("the_gambia"), "The Gambia");
        assert_eq!(title("japan"), "Japan");
        assert_eq!(title("greek_cypriots"), "Greek Cypriots");
        assert_eq!(title("g7_2"), "G7 2");
    }

    fn args(signatories: &[&str], outside: &[&str], issues: &[&str]) -> NewArgs {
        NewArgs {
            name: "q".into(),
            signatories: signatories.iter().map(|s| s.to_string()).collect(),
            outside: outside.iter().map(|s| s.to_string()).collect(),
            issues: issues.iter().map(|i| i.parse().unwrap()).collect(),
            catalog: crate::cli::CatalogArgs {
                scenarios: Vec::new(),
            },
        }
    }

    #[test]
    fn the_template_loads_as_a_valid_scenario() {
        let dir = tempfile::tempdir().unwrap();
        let start = Month::parse("2026-11").unwrap();
        for (signatories, outside, issues) in [
            (vec!["a", "b"], vec![], vec![]),
            (vec!["a", "b", "c"], vec!["o", "p"], vec!["x:a>b", "y:c>a"]),
        ] {
            let text = scenario_text(&args(&signatories, &outside, &issues), start).unwrap();
            std::fs::write(dir.path().join("q.toml"), &text).unwrap();
            let scenario = crate::scenario::Catalog::new(dir.path())
                .load("q", &[])
                .unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert_eq!(scenario.cast.signatories().count(), signatories.len());
            assert_eq!(scenario.cast.issues.len(), issues.len());
            assert_eq!(scenario.simulation.deadline, start.plus(24));
        }
    }

    #[test]
    fn bad_arguments_are_refused() {
        let start = Month::parse("2026-11").unwrap();
        for (signatories, outside, issues) in [
            (vec!["a"], vec![], vec![]),
            (vec!["a", "A"], vec![], vec![]),
            (vec!["a", "b"], vec!["a"], vec![]),
            (vec!["a", "b"], vec!["o"], vec!["x:a>o"]),
            (vec!["a", "b"], vec![], vec!["x:a>a"]),
            (vec!["a", "b"], vec![], vec!["b:a>b"]),
        ] {
            let e = scenario_text(&args(&signatories, &outside, &issues), start);
            assert!(
                matches!(e, Err(Error::Invalid(_))),
                "{signatories:?} {outside:?} {issues:?}"
            );
        }
        assert!("x-a>b".parse::<crate::cli::IssueArg>().is_err());
        let mut bad = args(&["a", "b"], &[], &[]);
        bad.name = "..".into();
        assert!(scenario_text(&bad, start).is_err());
    }

    #[test]
    fn this_month_is_a_real_month() {
        let now = this_month();
        assert!(now >= Month::parse("2024-01").unwrap());
    }
}

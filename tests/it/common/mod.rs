//! Shared set-up for integration tests: the binary, a fresh work folder per test, and the
//! tolerance policy of every statistical test.
#![allow(dead_code)]

#[cfg(target_os = "linux")]
pub mod kill;
pub mod outputs;

pub use outputs::{assert_same_files, everything, files_under, outside_shards, snapshot};

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Tolerance policy: a statistical check passes when the difference is within this many
/// standard errors. 4.5 se has a two-sided false-alarm rate of about 7e-6 per check, and every
/// test uses a fixed seed, so a failure is a real discrepancy, not bad luck.
pub const SE_TOLERANCE: f64 = 4.5;

/// Tolerance for values that are exact up to floating-point rounding.
pub const EXACT: f64 = 1e-12;

/// The shipped scenarios folder.
pub fn shipped_scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// A fresh temporary work folder holding a `scenarios/` folder with the given files.
pub fn workdir(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir(dir.path().join("scenarios")).expect("scenarios folder");
    for (name, text) in files {
        std::fs::write(dir.path().join("scenarios").join(name), text).expect("scenario file");
    }
    dir
}

/// The `treatysim` binary, run in `dir`.
pub fn treatysim(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("treatysim").expect("binary");
    cmd.current_dir(dir);
    cmd
}

/// The path of the built `treatysim` binary, for tests that run it through a wrapper
/// (`timeout`, `strace`, `setpriv`, a shell) or as a plain `std::process::Command`.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_treatysim")
}

/// A finished command's exit code and what it printed on stderr.
pub fn code_and_stderr(output: &std::process::Output) -> (Option<i32>, String) {
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Sends `signal` (`INT`, `TERM`, `KILL`, ...) to process `pid` with `kill`.
pub fn signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .expect("the kill command");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// Where a command looks for scenarios besides `./scenarios` of its work folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenarios {
    /// Only `./scenarios` (and what the arguments name).
    Workdir,
    /// Also the shipped scenarios, `--scenarios <shipped>` after the arguments (none for
    /// `merge` and `plot`, which read no scenarios).
    Shipped,
}

/// `--scenarios <shipped>` for the commands that read scenarios (not `merge` and `plot`).
pub fn shipped_args(args: &[&str]) -> Vec<std::ffi::OsString> {
    if matches!(args.first(), Some(&"merge" | &"plot")) {
        return Vec::new();
    }
    vec!["--scenarios".into(), shipped_scenarios().into()]
}

/// `treatysim ARGS` run in `dir`, without `TREATYSIM_SCENARIOS` (so only the folders a test
/// names are searched) and killed after ten minutes: its output.
pub fn output_of(dir: &Path, args: &[&str], scenarios: Scenarios) -> std::process::Output {
    let mut cmd = treatysim(dir);
    cmd.args(args).env_remove("TREATYSIM_SCENARIOS");
    if scenarios == Scenarios::Shipped {
        cmd.args(shipped_args(args));
    }
    cmd.timeout(std::time::Duration::from_secs(600))
        .output()
        .expect("the binary starts")
}

/// [`output_of`] with [`Scenarios::Workdir`].
pub fn output(dir: &Path, args: &[&str]) -> std::process::Output {
    output_of(dir, args, Scenarios::Workdir)
}

/// Runs `treatysim ARGS` in `dir` ([`output_of`]), expects success and returns stderr.
pub fn ok_with(dir: &Path, args: &[&str], scenarios: Scenarios) -> String {
    let out = output_of(dir, args, scenarios);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "treatysim {} failed ({:?}):\n{stderr}",
        args.join(" "),
        out.status.code()
    );
    stderr
}

/// [`ok_with`] with [`Scenarios::Workdir`].
pub fn ok(dir: &Path, args: &[&str]) -> String {
    ok_with(dir, args, Scenarios::Workdir)
}

/// [`ok_with`] with [`Scenarios::Shipped`].
pub fn ok_shipped(dir: &Path, args: &[&str]) -> String {
    ok_with(dir, args, Scenarios::Shipped)
}

/// Runs `treatysim ARGS` in `dir` ([`output_of`]) and expects it refused as bad input: exit
/// code 2, nothing on stdout, an `error:` line first, no panic, and each of `expect` in the
/// message. Returns stderr.
pub fn rejected_with(dir: &Path, args: &[&str], expect: &[&str], scenarios: Scenarios) -> String {
    let out = output_of(dir, args, scenarios);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "treatysim {} should exit 2; stderr:\n{stderr}",
        args.join(" ")
    );
    assert!(out.stdout.is_empty(), "stdout not clean: {:?}", out.stdout);
    assert!(stderr.starts_with("error:"), "no error line:\n{stderr}");
    assert!(!stderr.contains("panicked"), "panic:\n{stderr}");
    for fragment in expect {
        assert!(
            stderr.contains(fragment),
            "treatysim {}: stderr lacks {fragment:?}:\n{stderr}",
            args.join(" ")
        );
    }
    stderr
}

/// [`rejected_with`] with [`Scenarios::Workdir`].
pub fn rejected(dir: &Path, args: &[&str], expect: &[&str]) -> String {
    rejected_with(dir, args, expect, Scenarios::Workdir)
}

/// [`rejected_with`] with [`Scenarios::Shipped`].
pub fn rejected_shipped(dir: &Path, args: &[&str], expect: &[&str]) -> String {
    rejected_with(dir, args, expect, Scenarios::Shipped)
}

/// Runs `treatysim run ARGS --scenarios <shipped>` in `dir` and expects success.
pub fn run_ok(dir: &Path, args: &[&str]) {
    treatysim(dir)
        .arg("run")
        .args(args)
        .arg("--scenarios")
        .arg(shipped_scenarios())
        .assert()
        .success();
}

/// A format-2 scenario text built key by key, so that tests say what they change rather than
/// restate whole files. Keys are full paths (`party.japan.will`, `issue.security.leverage.us`,
/// `simulation.deadline`); values are TOML literals (`0.5`, `"\"beta(6, 3)\""`), or use
/// [`ScenarioText::dist`] for a quoted distribution. Tables keep the order of first use.
#[derive(Clone, Debug, Default)]
pub struct ScenarioText {
    top: Vec<(String, String)>,
    tables: Vec<(String, Vec<(String, String)>)>,
    tail: String,
}

impl ScenarioText {
    /// An empty scenario.
    pub fn new() -> ScenarioText {
        ScenarioText::default()
    }

    /// The bilateral cast of the shipped scenarios (signatories japan and russia, outside party
    /// us, issue security) with constant parameters, for closed-form checks:
    /// will 0.6 each, C = 0.3, D = 0.5, U = 0.5, L = 0.2 (gap = max(0, 0.5 − min(1, 0.3 + 0.1)) = 0.1),
    /// λ = 0.3, σ = 0, θ = 0.3, s = 0.1; window 2020-01 to 2021-09; 20,000 trials, seed 7.
    pub fn bilateral() -> ScenarioText {
        ScenarioText::new()
            .set("description", "\"constant parameters\"")
            .set("simulation.start", "\"2020-01\"")
            .set("simulation.deadline", "\"2021-09\"")
            .set("simulation.trials", "20000")
            .set("simulation.seed", "7")
            .set("party.japan.will", "0.6")
            .set("party.russia.will", "0.6")
            .set("party.us.role", "\"outside\"")
            .set("party.us.indifference", "0.5")
            .set("issue.security.concedes", "\"japan\"")
            .set("issue.security.demands", "\"russia\"")
            .set("issue.security.concession", "0.3")
            .set("issue.security.demand", "0.5")
            .set("issue.security.leverage.us", "0.2")
            .set("process.summit_rate", "0.3")
            .set("process.will_volatility", "0")
            .set("process.signing_threshold", "0.3")
            .set("process.decision_noise", "0.1")
    }

    /// Sets `key` to the TOML literal `value` (replacing an earlier value).
    pub fn set(mut self, key: &str, value: &str) -> ScenarioText {
        let (table, field) = split_key(key);
        if table.is_empty() {
            self.top.retain(|(k, _)| k != field);
            self.top.push((field.to_string(), value.to_string()));
            return self;
        }
        let fields = match self.tables.iter().position(|(t, _)| t == table) {
            Some(i) => &mut self.tables[i].1,
            None => {
                self.tables.push((table.to_string(), Vec::new()));
                &mut self.tables.last_mut().expect("just pushed").1
            }
        };
        fields.retain(|(k, _)| k != field);
        fields.push((field.to_string(), value.to_string()));
        self
    }

    /// Sets `key` to a distribution string, quoted.
    pub fn dist(self, key: &str, dist: &str) -> ScenarioText {
        let quoted = format!("{dist:?}");
        self.set(key, &quoted)
    }

    /// Removes `key` (and its table if it empties).
    pub fn remove(mut self, key: &str) -> ScenarioText {
        let (table, field) = split_key(key);
        self.top.retain(|(k, _)| k != field || !table.is_empty());
        for (t, fields) in &mut self.tables {
            if t == table {
                fields.retain(|(k, _)| k != field);
            }
        }
        self
    }

    /// Appends an `[[event]]` with these lines (TOML, one `key = value` a line).
    pub fn event(mut self, body: &str) -> ScenarioText {
        self.tail.push_str("\n[[event]]\n");
        self.tail.push_str(body.trim());
        self.tail.push('\n');
        self
    }

    /// Appends raw TOML at the end (after every table).
    pub fn raw(mut self, text: &str) -> ScenarioText {
        self.tail.push('\n');
        self.tail.push_str(text);
        self.tail.push('\n');
        self
    }

    /// The file's text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.top {
            out.push_str(&format!("{k} = {v}\n"));
        }
        for (table, fields) in &self.tables {
            if fields.is_empty() {
                continue;
            }
            out.push_str(&format!("\n[{table}]\n"));
            for (k, v) in fields {
                out.push_str(&format!("{k} = {v}\n"));
            }
        }
        out.push_str(&self.tail);
        out
    }
}

/// Splits a full key into its table and field: `party.japan.will` → (`party.japan`, `will`),
/// `issue.security.leverage.us` → (`issue.security`, `leverage.us`), `description` → (``, ...).
fn split_key(key: &str) -> (&str, &str) {
    let parts: Vec<&str> = key.splitn(3, '.').collect();
    match parts[..] {
        [field] => ("", field),
        [table, _] => (table, &key[table.len() + 1..]),
        ["party" | "issue", name, _] => {
            let table_len = parts[0].len() + 1 + name.len();
            (&key[..table_len], &key[table_len + 1..])
        }
        _ => {
            let (table, field) = key.split_once('.').unwrap_or(("", key));
            (table, field)
        }
    }
}

/// A complete scenario with constant parameters, for closed-form checks: λ = `summit_rate`,
/// p = 1 / (1 + exp(−(will − threshold − gap)/noise)) with gap = max(0, 0.5 − min(1, 0.3 + 0.2·0.5)) = 0.1.
pub fn constant_scenario(will: f64, summit_rate: f64, months_to_deadline: &str) -> String {
    ScenarioText::bilateral()
        .set("simulation.deadline", &format!("{months_to_deadline:?}"))
        .set("party.japan.will", &format!("{will:?}"))
        .set("party.russia.will", &format!("{will:?}"))
        .set("process.summit_rate", &format!("{summit_rate:?}"))
        .text()
}

/// Reads a CSV file into its header and rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The value of `column` in `row` as a number.
pub fn field(header: &[String], row: &[String], column: &str) -> f64 {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    row[i]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?} is not a number", row[i]))
}

impl ScenarioText {
    /// A general cast: signatories japan, russia and korea, with the outside parties us and
    /// china declared between them; issues security (japan concedes to russia, leverage of us
    /// and china) and islands (russia concedes to korea, leverage of china). Uncertain
    /// parameters of every family, exit hazards on japan (uncertain) and korea (constant), a
    /// successor will for each signatory, and two events whose `leader_exit` makes leaders
    /// leave (russia's; japan's and korea's at once), with random effects. Window 2020-01 to
    /// 2021-09; 20,000 trials, seed 2024.
    pub fn multilateral() -> ScenarioText {
        ScenarioText::new()
            .set(
                "description",
                "\"three signatories, two issues, two outside parties\"",
            )
            .set("simulation.start", "\"2020-01\"")
            .set("simulation.deadline", "\"2021-09\"")
            .set("simulation.trials", "20000")
            .set("simulation.seed", "2024")
            .dist("party.japan.will", "beta(6, 3)")
            .dist(
                "party.japan.leader_exit_hazard",
                "triangular(0.002, 0.008, 0.02)",
            )
            .dist("party.japan.successor_will", "beta(2, 5)")
            .set("party.us.role", "\"outside\"")
            .dist("party.us.indifference", "uniform(0.2, 0.8)")
            .dist("party.russia.will", "beta(4, 4)")
            .dist("party.russia.successor_will", "beta(3, 3)")
            .set("party.china.role", "\"outside\"")
            .dist("party.china.indifference", "pert(0.1, 0.3, 0.9)")
            .dist("party.korea.will", "beta(5, 3)")
            .set("party.korea.leader_exit_hazard", "0.05")
            .dist("party.korea.successor_will", "uniform(0.3, 0.9)")
            .set("issue.security.concedes", "\"japan\"")
            .set("issue.security.demands", "\"russia\"")
            .dist("issue.security.concession", "0.05 to 0.35")
            .dist("issue.security.demand", "pert(0.3, 0.5, 0.8)")
            .set("issue.security.leverage.us", "0.3")
            .dist("issue.security.leverage.china", "uniform(0, 0.3)")
            .set("issue.islands.concedes", "\"russia\"")
            .set("issue.islands.demands", "\"korea\"")
            .dist("issue.islands.concession", "beta(2, 6)")
            .dist("issue.islands.demand", "uniform(0.1, 0.4)")
            .set("issue.islands.leverage.china", "0.4")
            .dist("process.summit_rate", "truncnormal(0.4, 0.1, 0.1, 0.8)")
            .dist("process.will_volatility", "0.02 to 0.06")
            .dist("process.signing_threshold", "normal(0.05, 0.05)")
            .dist("process.decision_noise", "lognormal(-2.5, 0.3)")
            .event(
                r#"name = "putin resigns"
month = "2020-08"
probability = 0.4
leader_exit = ["russia"]
effects = { "issue.security.demand" = "uniform(-0.2, 0)", "party.china.indifference" = "normal(0, 0.1)" }"#,
            )
            .event(
                r#"name = "snap elections"
month = "2020-11"
probability = 0.5
leader_exit = ["japan", "korea"]
effects = { "party.japan.will" = "-0.1 to 0.1", "process.summit_rate" = -0.1 }"#,
            )
    }
}

/// The line (from 1) where `key` is written in a scenario text: `party.japan.will` is the
/// `will = ...` line under `[party.japan]`, `issue.security.leverage.us` the `leverage.us = ...`
/// line under `[issue.security]`, `party.japan` the header `[party.japan]`, `event.probability`
/// the `probability = ...` line of the only `[[event]]`. Panics unless exactly one line matches,
/// so that a test asserting the line cannot silently look at another key.
pub fn line_of(text: &str, key: &str) -> usize {
    let mut table = String::new();
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim_start_matches('\u{feff}').trim();
            let header = line
                .strip_prefix("[[")
                .and_then(|l| l.strip_suffix("]]"))
                .or_else(|| line.strip_prefix('[').and_then(|l| l.strip_suffix(']')));
            let written = match header {
                Some(name) => {
                    table = name.trim().to_string();
                    table.clone()
                }
                None if line.starts_with('#') => return None,
                None => {
                    let field = line.split_once('=')?.0.trim();
                    if table.is_empty() {
                        field.to_string()
                    } else {
                        format!("{table}.{field}")
                    }
                }
            };
            (written == key).then_some(i + 1)
        })
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "`{key}` is written on lines {lines:?} of:\n{text}"
    );
    lines[0]
}

/// Critical value of √n·D for a one-sample Kolmogorov–Smirnov test at significance 0.001:
/// the asymptotic Kolmogorov distribution has P(√n·D > 1.9495) = 0.001, accurate from n = 10⁵.
pub const KS_CRITICAL: f64 = 1.95;

/// Critical value of the Anderson–Darling A² for a fully specified distribution at
/// significance 0.001: the asymptotic distribution has P(A² > 5.9694) = 0.001 (Marsaglia &
/// Marsaglia, "Evaluating the Anderson-Darling distribution", J. Stat. Softw. 2004), and is
/// accurate for n above a few hundred.
pub const AD_CRITICAL: f64 = 5.97;

/// Kolmogorov–Smirnov statistic D = sup |F_n − F| of `sample` against the continuous `cdf`.
pub fn ks(sample: &[f64], cdf: &dyn Fn(f64) -> f64) -> f64 {
    ks_transformed(sample.iter().map(|&x| cdf(x)).collect())
}

/// Anderson–Darling statistic A² of `sample` against the continuous `cdf`.
pub fn anderson_darling(sample: &[f64], cdf: &dyn Fn(f64) -> f64) -> f64 {
    anderson_darling_transformed(sample.iter().map(|&x| cdf(x)).collect())
}

/// Kolmogorov–Smirnov statistic of probability-integral transforms `u` against U(0, 1).
pub fn ks_transformed(mut u: Vec<f64>) -> f64 {
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    u.iter()
        .enumerate()
        .map(|(i, &f)| (f - i as f64 / n).max((i + 1) as f64 / n - f))
        .fold(0.0, f64::max)
}

/// Anderson–Darling statistic A² = −n − Σᵢ (2i − 1)/n · [ln uᵢ + ln(1 − u₍ₙ₊₁₋ᵢ₎)] of
/// probability-integral transforms `u` against U(0, 1). Transforms that rounded to 0 or 1 are
/// taken as 2⁻⁵³ from the end (a term then weighs at most 37·(2n − 1)/n², not infinity).
pub fn anderson_darling_transformed(mut u: Vec<f64>) -> f64 {
    u.sort_by(f64::total_cmp);
    let n = u.len();
    let edge = f64::EPSILON / 2.0;
    let u: Vec<f64> = u.into_iter().map(|f| f.clamp(edge, 1.0 - edge)).collect();
    let sum: f64 = (0..n)
        .map(|i| (2 * i + 1) as f64 * (u[i].ln() + (-u[n - 1 - i]).ln_1p()))
        .sum();
    -(n as f64) - sum / n as f64
}

/// Whether strace is on the PATH, for the crash tests that kill or signal the binary at a chosen
/// system call. Without it such a test is skipped, saying so: a newcomer's `cargo test
/// --release` on a fresh machine (which has no strace) passes. Under CI (`CI` set) it must be
/// there, as the NumPy model must: `.ci/run` installs it, so the tests never skip there.
pub fn have_strace() -> bool {
    let found = std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "CI must have strace on the PATH (.ci/run installs it: apt-get install strace)"
    );
    if !found {
        eprintln!("skipped: this test needs strace on the PATH (apt-get install strace)");
    }
    found
}

/// `strace -f -qq -o /dev/null`, with which the crash tests kill or signal the binary at a
/// chosen system call (`-e inject=...`); a test calling it starts with [`have_strace`].
pub fn strace() -> std::process::Command {
    assert!(
        have_strace(),
        "this test needs strace on the PATH (apt-get install strace)"
    );
    let mut cmd = std::process::Command::new("strace");
    cmd.args(["-f", "-qq", "-o", "/dev/null"]);
    cmd
}

/// Runs `treatysim ARGS` in `dir` with `env` set (killed after ten minutes, so that a command
/// stuck reading a FIFO fails the test instead of hanging it): its exit code and what it
/// printed on stderr.
pub fn exit_and_stderr(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = treatysim(dir);
    cmd.args(args).env_remove("TREATYSIM_SCENARIOS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.timeout(std::time::Duration::from_secs(600));
    code_and_stderr(&cmd.output().expect("the binary starts"))
}

/// Ranks from 1, ties given their average rank.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut rank = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let average = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            rank[k] = average;
        }
        i = j + 1;
    }
    rank
}

/// Pearson correlation.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Spearman rank correlation.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

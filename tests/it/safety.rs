//! Promises of SPEC §7 that issue #17 found broken: a folder holding another run's or pool's
//! results is never overwritten silently; stale root rows agree with their folders again once
//! any command has written into `--out`; every output path is probed before the first trial;
//! labels that differ only in case are refused.

use crate::common;

use common::{ScenarioText, workdir};
use std::path::Path;

/// `treatysim ARGS --out out` in `dir` (given ten minutes at most, so that a read of
/// `/dev/zero` or a FIFO fails the test instead of hanging it): its exit code and stderr.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    common::exit_and_stderr(dir, &[args, &["--out", "out"]].concat(), &[])
}

/// `run` that must succeed.
fn ok(dir: &Path, args: &[&str]) {
    let (status, stderr) = run(dir, args);
    assert_eq!(status, Some(0), "{args:?}: {stderr}");
}

/// A work folder with `scenarios/ok.toml` and `scenarios/other.toml` (200 trials each, one
/// uncertain parameter, different summit rates).
fn two_scenarios() -> tempfile::TempDir {
    let text = |rate: &str| {
        ScenarioText::bilateral()
            .set("simulation.trials", "200")
            .set("process.summit_rate", rate)
            .dist("party.japan.will", "beta(6, 4)")
            .text()
    };
    workdir(&[("ok.toml", &text("0.3")), ("other.toml", &text("0.2"))])
}

/// Every file of `<out>/NAME` as a reader sees it.
fn folder(out: &Path, name: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out.join(name))
        .expect("folder")
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| {
            let bytes = std::fs::read(e.path()).ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), bytes))
        })
        .collect();
    files.sort();
    files
}

/// `pool` into a folder holding a variant (`run --as`), and `run --as` into a pool's folder:
/// both refused with exit 2, the folder and the root row as they were.
#[test]
fn a_pool_and_a_variant_never_overwrite_each_other() {
    let dir = two_scenarios();
    let d = dir.path();
    let out = d.join("out");
    ok(
        d,
        &["run", "ok", "--as", "V1", "--samples-format", "parquet"],
    );
    let variant = folder(&out, "V1");
    let root = std::fs::read(out.join("summary.csv")).expect("root summary");
    let (status, stderr) = run(d, &["pool", "V1", "ok", "other"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains("holds results of scenario 'ok'"),
        "{stderr}"
    );
    assert!(folder(&out, "V1") == variant, "the variant's files changed");
    assert_eq!(std::fs::read(out.join("summary.csv")).expect("root"), root);
    ok(d, &["pool", "P1", "ok", "other"]);
    let pool = folder(&out, "P1");
    let root = std::fs::read(out.join("summary.csv")).expect("root summary");
    for args in [
        &["run", "ok", "--as", "P1"][..],
        &["run", "other", "--as", "P1"],
    ] {
        let (status, stderr) = run(d, args);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("holds results of"), "{args:?}: {stderr}");
        assert!(
            folder(&out, "P1") == pool,
            "{args:?}: the pool's files changed"
        );
        assert_eq!(std::fs::read(out.join("summary.csv")).expect("root"), root);
    }
    // The same pool again replaces its own results.
    ok(d, &["pool", "P1", "ok", "other", "--seed", "8"]);
}

/// The root summary's row of `name`.
fn root_row(out: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(out.join("summary.csv")).expect("root summary");
    text.lines()
        .find(|l| l.starts_with(&format!("{name},")))
        .unwrap_or_default()
        .to_string()
}

/// The one row of `<out>/NAME/summary.csv`.
fn folder_row(out: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(out.join(name).join("summary.csv")).expect("summary");
    text.lines().nth(1).expect("a row").to_string()
}

/// What a process killed between publishing `ok`'s folder and renaming the root summary into
/// place leaves: the root row of the run before (here, made up) beside the folder's new one.
fn make_stale(out: &Path) {
    let path = out.join("summary.csv");
    let text = std::fs::read_to_string(&path).expect("root summary");
    let fresh = folder_row(out, "ok");
    let mut fields: Vec<&str> = fresh.split(',').collect();
    fields[6] = "0.0525";
    let stale = fields.join(",");
    std::fs::write(&path, text.replace(&fresh, &stale)).expect("write");
    assert_ne!(root_row(out, "ok"), folder_row(out, "ok"));
}

/// Every command that writes into `--out` brings a stale root row back into agreement with its
/// folder, and `plot` draws the folder's number, never the stale one.
#[test]
fn every_writer_repairs_stale_root_rows() {
    let dir = two_scenarios();
    let d = dir.path();
    let out = d.join("out");
    ok(d, &["run", "ok"]);
    ok(d, &["plot"]);
    let drawn = std::fs::read(out.join("summary.svg")).expect("summary.svg");
    let sweep = ["sweep", "ok", "--param", "process.summit_rate=0.1,0.2"];
    let commands: [&[&str]; 10] = [
        &sweep,
        &[&sweep[..], &["--shard", "1/2"]].concat(),
        &["sensitivity", "ok"],
        &["sensitivity", "ok", "--shard", "1/2"],
        &["run", "other", "--shard", "1/2"],
        &["compare", "ok", "other"],
        &["score"],
        &["plot"],
        &["run", "other", "--shard", "2/2"],
        &["merge", "other"],
    ];
    for args in commands {
        make_stale(&out);
        let stale = std::fs::read(out.join("summary.csv")).expect("root summary");
        let (status, stderr) = run(d, args);
        if args[0] == "score" {
            // score finds no run with a [resolution]: refused, so it writes nothing, the
            // repair included (SPEC §7: nothing is written until every check has passed).
            assert_eq!(status, Some(2), "{args:?}: {stderr}");
            assert_eq!(std::fs::read(out.join("summary.csv")).expect("root"), stale);
            continue;
        }
        assert_eq!(status, Some(0), "{args:?}: {stderr}");
        assert_eq!(
            root_row(&out, "ok"),
            folder_row(&out, "ok"),
            "{args:?} left the stale row"
        );
        if args[0] == "plot" {
            let now = std::fs::read(out.join("summary.svg")).expect("summary.svg");
            assert!(now == drawn, "plot drew the stale row");
        }
    }
}

/// Commands that would simulate for ever (`--trials 1e12`) fail at once, before the first
/// trial, when what they will write cannot be written: a file name too long for the file
/// system, a file where their folder goes.
#[test]
fn unwritable_outputs_fail_before_the_first_trial() {
    let long = "x".repeat(125);
    let text = ScenarioText::bilateral()
        .dist("party.japan.will", "beta(6, 4)")
        .text();
    let with_event = ScenarioText::bilateral()
        .event(&format!(
            "name = \"{}\"\nmonth = \"2020-06\"\nprobability = 0.5\neffects = {{ \"process.summit_rate\" = -0.1 }}",
            "e".repeat(250)
        ))
        .text();
    let dir = workdir(&[
        ("ok.toml", text.as_str()),
        (&format!("{long}a.toml"), &text),
        (&format!("{long}b.toml"), &text),
        ("ev.toml", &with_event),
    ]);
    let d = dir.path();
    std::fs::create_dir_all(d.join("out/ok")).expect("folder");
    std::fs::write(d.join("out/ok/shards"), "a file where the shards go").expect("write");
    let forever = ["--trials", "1e12"];
    let (a, b) = (format!("{long}a"), format!("{long}b"));
    let key = format!("event.{}.probability=0.1,0.2", "e".repeat(250));
    let commands: [(&[&str], i32, &str); 5] = [
        (&["compare", &a, &b], 2, "255"),
        (&["sweep", "ev", "--param", &key], 2, "255"),
        (&["run", "ok", "--shard", "1/2"], 1, "shards"),
        (
            &[
                "sweep",
                "ok",
                "--param",
                "process.summit_rate=0.1,0.2",
                "--shard",
                "1/2",
            ],
            1,
            "shards",
        ),
        (&["sensitivity", "ok", "--shard", "1/2"], 1, "shards"),
    ];
    for (args, code, says) in commands {
        let output = common::treatysim(d)
            .args(args)
            .args(forever)
            .args(["--out", "out"])
            .timeout(std::time::Duration::from_secs(600))
            .output()
            .expect("the binary starts");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// A label or name that differs only in case from a folder already in `--out` is refused by
/// every command that writes a folder (run, run --as, pool, sweep, sensitivity, a shard).
#[test]
fn names_that_differ_only_in_case_are_refused() {
    let dir = two_scenarios();
    let d = dir.path();
    ok(d, &["run", "ok", "--as", "Variant"]);
    let before = folder(&d.join("out"), "Variant");
    let commands: [&[&str]; 6] = [
        &["run", "ok", "--as", "variant"],
        &["run", "other", "--as", "VARIANT"],
        &["pool", "variant", "ok", "other"],
        &[
            "sweep",
            "ok",
            "--as",
            "variant",
            "--param",
            "process.summit_rate=0.1,0.2",
        ],
        &["sensitivity", "ok", "--as", "vaRiant"],
        &["run", "ok", "--as", "variant", "--shard", "1/2"],
    ];
    for args in commands {
        let (status, stderr) = run(d, args);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("differs only in case"),
            "{args:?}: {stderr}"
        );
    }
    assert!(folder(&d.join("out"), "Variant") == before);
    let mut names: Vec<String> = std::fs::read_dir(d.join("out"))
        .expect("out")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    assert_eq!(names, ["Variant", "summary.csv"]);
}

/// The guide's reader for other programs (Python's standard library: resolve the folder once,
/// check the SHA-256s of run.toml) runs as written on a real run and prints the summary's
/// probability and the timeline's last cumulative probability, which are equal.
#[test]
fn the_guides_stdlib_reader_reads_one_run() {
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide.md"))
            .expect("the guide");
    let marker = "<!-- tested: tests/it/safety.rs, the stdlib reader -->\n```python\n";
    let start = guide.find(marker).expect("the marked snippet") + marker.len();
    let snippet = &guide[start..start + guide[start..].find("```").expect("its end")];
    let dir = two_scenarios();
    let d = dir.path();
    ok(d, &["run", "ok"]);
    ok(
        d,
        &["sweep", "ok", "--param", "process.summit_rate=0.1,0.2"],
    );
    std::fs::write(d.join("reader.py"), snippet).expect("write");
    let output = std::process::Command::new("python3")
        .current_dir(d)
        .args(["reader.py", "out/ok"])
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let printed = String::from_utf8_lossy(&output.stdout);
    let (header, rows) = common::read_csv(&d.join("out/ok/summary.csv"));
    let probability = &rows[0][header
        .iter()
        .position(|c| c == "probability")
        .expect("column")];
    assert_eq!(printed, format!("{probability} {probability}\n"));
}

/// `plot` estimates the memory its CSV files need and refuses past `--max-memory` with exit 2,
/// before it writes anything.
#[test]
fn plot_refuses_past_max_memory() {
    let dir = two_scenarios();
    let d = dir.path();
    ok(d, &["run", "ok"]);
    let (status, stderr) = run(d, &["plot", "--max-memory", "1K"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains("more than --max-memory 1.0 KiB"),
        "{stderr}"
    );
    assert!(!d.join("out/ok/timeline.svg").exists());
    ok(d, &["plot", "--max-memory", "1G"]);
    assert!(d.join("out/ok/timeline.svg").exists());
}

/// A work folder with `scenarios/ok.toml` and `scenarios/other.toml` as [`two_scenarios`],
/// both resolved (not signed), so that `score` reads both folders.
fn two_resolved_scenarios() -> tempfile::TempDir {
    let text = |rate: &str| {
        ScenarioText::bilateral()
            .set("simulation.trials", "200")
            .set("process.summit_rate", rate)
            .dist("party.japan.will", "beta(6, 4)")
            .raw("[resolution]\noutcome = \"not signed\"")
            .text()
    };
    workdir(&[("ok.toml", &text("0.3")), ("other.toml", &text("0.2"))])
}

/// Rewrites `<out>/NAME/FILE` in place (through treatysim's link, as `sed -i
/// --follow-symlinks` does) with `edit` applied to its text; with `reseal`, also puts the new
/// SHA-256 into `run.toml`, as someone covering their tracks would.
fn edit_in_place(out: &Path, name: &str, file: &str, edit: &dyn Fn(&str) -> String, reseal: bool) {
    let path = out.join(name).join(file);
    let old = std::fs::read(&path).expect("read");
    let new = edit(&String::from_utf8(old.clone()).expect("text"));
    assert_ne!(new.as_bytes(), old, "the edit changed nothing");
    std::fs::write(&path, &new).expect("write");
    if reseal {
        let toml = out.join(name).join("run.toml");
        let text = std::fs::read_to_string(&toml).expect("run.toml");
        let key = format!("\"{file}\" = ");
        let sealed: Vec<String> = text
            .lines()
            .map(|line| match line.starts_with(&key) {
                true => format!("{key}\"{}\"", treatysim::digest::sha256_hex(new.as_bytes())),
                false => line.to_string(),
            })
            .collect();
        assert_ne!(
            sealed.join("\n") + "\n",
            text,
            "no hash of {file} in run.toml"
        );
        std::fs::write(&toml, sealed.join("\n") + "\n").expect("write");
    }
}

/// `field` (a column of `summary.csv`) of a summary row set to `value`.
fn with_field(row: &str, column: usize, value: &str) -> String {
    let mut fields: Vec<&str> = row.split(',').collect();
    fields[column] = value;
    fields.join(",")
}

/// Finding A: a folder's `summary.csv` edited by hand never reaches `<out>/summary.csv`. A
/// command that needs that folder (`score`) refuses it with exit 2 before writing anything (the
/// repair of another, stale row included); any other command goes on, leaves that folder's
/// root row as it was, and warns naming the file; values out of range are refused even when
/// run.toml's SHA-256 was updated to match.
#[test]
fn hand_edited_folder_summaries_never_reach_the_root_summary() {
    let dir = two_resolved_scenarios();
    let d = dir.path();
    let out = d.join("out");
    ok(d, &["run", "ok"]);
    ok(d, &["run", "other"]);
    let other_row = root_row(&out, "other");
    assert_eq!(other_row, folder_row(&out, "other"));
    // Seed 777, p = 0.9 outside its own interval: what the fuzzer's edit wrote.
    edit_in_place(
        &out,
        "other",
        "summary.csv",
        &|text| {
            text.replace(
                &other_row,
                &with_field(&with_field(&other_row, 3, "777"), 6, "0.9"),
            )
        },
        false,
    );
    make_stale(&out);
    let before = common::outputs::everything(&out);
    let (status, stderr) = run(d, &["score"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains("out/other/summary.csv") && stderr.contains("SHA-256"),
        "{stderr}"
    );
    assert!(
        common::outputs::everything(&out) == before,
        "score wrote before it refused"
    );
    // Another scenario's run goes on, repairs ok's stale row, and leaves other's row alone.
    let (status, stderr) = run(d, &["run", "ok", "--seed", "3"]);
    assert_eq!(status, Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: 'out/other/summary.csv' was changed since it was written")
            && stderr.contains("SHA-256")
            && stderr.contains("so it was not copied into 'out/summary.csv'")
            && stderr.contains("its row of other was kept as it was"),
        "{stderr}"
    );
    assert_eq!(root_row(&out, "other"), other_row);
    assert_eq!(root_row(&out, "ok"), folder_row(&out, "ok"));
    // Resealed edits: the SHA-256 matches, the values do not make a summary.
    for (column, value, says) in [
        (2, "-5", "trials '-5'"),
        (7, "1e400", "std_error '1e400'"),
        (6, "0.0001", "ci95_low"),
        (1, "psychic", "estimator 'psychic'"),
    ] {
        let now = folder_row(&out, "other");
        edit_in_place(
            &out,
            "other",
            "summary.csv",
            &|text| text.replace(&now, &with_field(&other_row, column, value)),
            true,
        );
        make_stale(&out);
        let (status, stderr) = run(
            d,
            &["sweep", "ok", "--param", "process.summit_rate=0.1,0.2"],
        );
        assert_eq!(status, Some(0), "{stderr}");
        assert!(
            stderr.contains("'out/other/summary.csv': its ")
                && stderr.contains("was not copied")
                && stderr.contains(says),
            "{says}: {stderr}"
        );
        assert_eq!(root_row(&out, "other"), other_row, "{says}");
        assert_eq!(root_row(&out, "ok"), folder_row(&out, "ok"), "{says}");
    }
    // --quiet silences the warning; rerunning the folder brings its row back.
    let (status, stderr) = run(d, &["run", "ok", "--quiet"]);
    assert_eq!((status, stderr.as_str()), (Some(0), ""));
    ok(d, &["run", "other"]);
    assert_eq!(root_row(&out, "other"), folder_row(&out, "other"));
}

/// Finding C: a shard (of run, with or without samples, sweep and sensitivity) refuses a
/// malformed `<out>/summary.csv`, which every command writing into `--out` brings up to date,
/// before it simulates or writes anything: no shard file, no samples part.
#[test]
fn shards_refuse_a_foreign_root_summary_before_writing() {
    let dir = two_scenarios();
    let d = dir.path();
    let out = d.join("out");
    std::fs::create_dir_all(&out).expect("out");
    std::fs::write(out.join("summary.csv"), "scenario,estimator\nfoo\n").expect("write");
    let before = common::outputs::everything(&out);
    let commands: [&[&str]; 5] = [
        &["run", "ok", "--shard", "1/2"],
        &["run", "ok", "--shard", "2/2", "--samples"],
        &["run", "ok", "--shard", "1/2", "--samples-format", "parquet"],
        &[
            "sweep",
            "ok",
            "--shard",
            "1/2",
            "--param",
            "process.summit_rate=0.1,0.3",
        ],
        &["sensitivity", "ok", "--shard", "1/2"],
    ];
    for args in commands {
        let (status, stderr) = run(d, args);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("'out/summary.csv' is not a treatysim summary")
                && stderr.contains("its columns are scenario,estimator"),
            "{args:?}: {stderr}"
        );
        assert!(
            common::outputs::everything(&out) == before,
            "{args:?} wrote before it refused"
        );
    }
}

/// Finding I: the names `run.toml` holds (the scenario, the label) are checked by the name
/// rule where the file is read: a path there is refused with exit 2 naming the file and the
/// key, never looked up, and nothing is written.
#[test]
fn names_read_from_run_toml_are_never_paths() {
    let dir = two_resolved_scenarios();
    let d = dir.path();
    let out = d.join("out");
    ok(d, &["run", "ok"]);
    std::fs::copy(d.join("scenarios/ok.toml"), d.join("elsewhere.toml")).expect("copy");
    let elsewhere = d.join("elsewhere.toml").display().to_string();
    for (key, from, to) in [
        (
            "'scenario'",
            "scenario = \"ok\"",
            format!("scenario = \"{elsewhere}\""),
        ),
        (
            "'scenario'",
            "scenario = \"ok\"",
            "scenario = \"../../../../etc/x\"".into(),
        ),
        ("'label'", "label = \"ok\"", "label = \"../ok\"".into()),
    ] {
        edit_in_place(&out, "ok", "run.toml", &|t| t.replace(from, &to), false);
        let before = common::outputs::everything(&out);
        for args in [&["score", "ok"][..], &["score"]] {
            let (status, stderr) = run(d, args);
            assert_eq!(status, Some(2), "{to}: {stderr}");
            assert!(
                stderr.contains("out/ok/run.toml: not a treatysim run.toml")
                    && stderr.contains(key)
                    && stderr.contains("not a valid name"),
                "{to}: {stderr}"
            );
            assert!(common::outputs::everything(&out) == before, "{to}: written");
        }
        edit_in_place(&out, "ok", "run.toml", &|t| t.replace(&to, from), false);
    }
    let (status, stderr) = run(d, &["score", "ok"]);
    assert_eq!(status, Some(0), "{stderr}");
    // A pool's members, read from its resolved text, are names too.
    ok(d, &["run", "other"]);
    ok(d, &["pool", "P", "ok", "other"]);
    let (status, stderr) = run(d, &["score", "P"]);
    assert_eq!(status, Some(0), "{stderr}");
    let to = format!("# member {elsewhere}");
    edit_in_place(
        &out,
        "P",
        "run.toml",
        &|t| t.replacen("# member ok", &to, 1),
        false,
    );
    let before = common::outputs::everything(&out);
    let (status, stderr) = run(d, &["score", "P"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains("out/P/run.toml: not a treatysim run.toml")
            && stderr.contains("# member")
            && stderr.contains("not a valid name"),
        "{stderr}"
    );
    assert!(common::outputs::everything(&out) == before);
}

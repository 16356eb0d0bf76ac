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
        let (status, stderr) = run(d, args);
        // score finds no run with a [resolution]: refused, after the repair.
        let expected = if args[0] == "score" { 2 } else { 0 };
        assert_eq!(status, Some(expected), "{args:?}: {stderr}");
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

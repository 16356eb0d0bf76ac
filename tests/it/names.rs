//! Names and paths (SPEC §7, issue #9 items 3 and 7): nothing is ever written outside
//! `--out`, whatever a name looks like, and messages never echo a control character raw, since
//! names, paths and file contents are echoed in them and must not drive the terminal (move the
//! cursor, change colours, forge a line).
//!
//! Every path a command writes is `<out>`, `<out>/NAME` or `<out>/NAME/shards` joined with a
//! file name, NAME a scenario name (`[A-Za-z0-9][A-Za-z0-9_.-]*`, so never `.` or `..`) or a
//! name read from a file and checked the same way; the other part of a sweep's file name, its
//! keys, may hold an event's name, which is checked to make one file name. These tests try
//! every command with every shape of a bad name, and names read from edited shard files.

use crate::common;

use common::{ScenarioText, exit_and_stderr, workdir};
use std::path::PathBuf;

/// Whether `text` holds a control character other than the line ends between messages.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n' || ('\u{202a}'..='\u{202e}').contains(c))
        .collect()
}

#[test]
fn control_characters_in_names_and_paths_are_escaped_in_messages() {
    let text = ScenarioText::bilateral()
        .set("simulation.trials", "200")
        .text();
    let dir = workdir(&[("ok.toml", &text)]);
    // Each case: the arguments, the exit code, and what stderr must say (escaped).
    let cases: [(&[&str], i32, &str); 7] = [
        (&["run", "a\u{1b}[31mb"], 2, "a\\u{1b}[31mb"),
        (
            &["run", "dir\u{1b}]0;title\u{7}/x.toml"],
            2,
            "\\u{1b}]0;title\\u{7}",
        ),
        (&["check", "two\nlines"], 2, "two\\nlines"),
        (&["show", "\u{202e}reversed"], 2, "\\u{202e}reversed"),
        (
            &["sweep", "tab\there", "--param", "process.summit_rate=0.1"],
            2,
            "tab\\there",
        ),
        (&["merge", "bell\u{7}"], 2, "bell\\u{7}"),
        (&["run", "ok", "--out", "out\u{1b}[2J"], 0, "out\\u{1b}[2J"),
    ];
    for (args, code, expected) in cases {
        let (status, stderr) = exit_and_stderr(dir.path(), args, &[]);
        assert_eq!(status, Some(code), "{args:?}: {stderr}");
        assert_eq!(raw_controls(&stderr), [], "{args:?}: {stderr:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr:?}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// `list` prints one line per scenario, whatever its description holds.
#[test]
fn list_escapes_control_characters_in_descriptions() {
    let text = ScenarioText::bilateral()
        .set(
            "description",
            "\"clears\\u001b[2J the screen\\nand forges a line\"",
        )
        .text();
    let dir = workdir(&[("x.toml", &text)]);
    let output = common::treatysim(dir.path())
        .arg("list")
        .output()
        .expect("the binary starts");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        "x  clears\\u{1b}[2J the screen\\nand forges a line\n"
    );
}

/// A work folder whose `scenarios/` holds `ok.toml` (the bilateral scenario, 200 trials) and
/// the dot-named files `..toml`, `...toml` and `.hidden.toml`, and whose `a/b/out` holds a run
/// of `ok`, so that a write above `--out` would land in the work folder, where it is seen;
/// `a/b` holds a copy of its `timeline.csv`.
fn nested_out() -> tempfile::TempDir {
    let text = ScenarioText::bilateral()
        .set("simulation.trials", "200")
        .text();
    let files = [
        ("ok.toml", text.as_str()),
        ("..toml", &text),
        ("...toml", &text),
        (".hidden.toml", &text),
    ];
    let dir = workdir(&files);
    let (status, stderr) = exit_and_stderr(dir.path(), &["run", "ok", "--out", "a/b/out"], &[]);
    assert_eq!(status, Some(0), "{stderr}");
    // Results above --out: `plot ..` would draw them, and write beside them.
    std::fs::copy(
        dir.path().join("a/b/out/ok/timeline.csv"),
        dir.path().join("a/b/timeline.csv"),
    )
    .expect("copy");
    dir
}

/// Every command, given a name that is not one folder inside `--out`, refuses it with exit
/// code 2 and writes nothing anywhere.
#[test]
fn every_command_refuses_names_that_are_not_one_folder_inside_out() {
    let dir = nested_out();
    let d = dir.path();
    let before = common::everything(d);
    let names = [
        ".",
        "..",
        "...",
        ".hidden",
        "",
        "../x",
        "a/..",
        "/",
        "x/.",
        "scenarios/..toml",
        "scenarios/...toml",
        "scenarios/.hidden.toml",
        "x\ny",
        "x\u{1b}[2J",
        "a b",
        "ünï",
        "-",
    ];
    let out = ["--out", "a/b/out"];
    for name in names {
        let commands: [Vec<&str>; 10] = [
            vec!["run", name],
            vec!["sweep", name, "--param", "process.summit_rate=0.1"],
            vec!["sensitivity", name],
            vec!["compare", "ok", name],
            vec!["compare", name, "ok"],
            vec!["merge", name],
            vec!["plot", name],
            vec!["check", name],
            vec!["show", name],
            vec!["new", name, "--signatories", "a,b"],
        ];
        for mut args in commands {
            if !matches!(args[0], "check" | "show" | "new") {
                args.extend(out);
            }
            let (status, stderr) = exit_and_stderr(d, &args, &[]);
            // A name that is a path to a missing file is refused as such (exit 2 too).
            assert_eq!(status, Some(2), "{args:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            assert!(
                common::everything(d) == before,
                "{args:?} wrote something: {stderr}"
            );
        }
    }
}

/// A scenario named by a path, however it is written, files its results under its stem in
/// `--out`, and nowhere else.
#[test]
fn a_scenario_named_by_a_path_is_filed_under_its_stem() {
    let dir = nested_out();
    let d = dir.path();
    let absolute = d.join("scenarios/ok.toml");
    let absolute = absolute.to_str().expect("UTF-8 path");
    for path in [
        "scenarios/ok.toml",
        "./scenarios/../scenarios/ok.toml",
        absolute,
    ] {
        let before = common::everything(d);
        let (status, stderr) = exit_and_stderr(
            d,
            &["run", path, "--trials", "100", "--out", "a/b/out"],
            &[],
        );
        assert_eq!(status, Some(0), "{path}: {stderr}");
        let changed: Vec<PathBuf> = common::everything(d)
            .into_iter()
            .filter(|(p, bytes)| before.get(p) != Some(bytes))
            .map(|(p, _)| p)
            .collect();
        assert!(!changed.is_empty(), "{path}: nothing written");
        for p in &changed {
            let inside = p.starts_with(d.join("a/b/out/ok")) || p == &d.join("a/b/out/summary.csv");
            assert!(inside, "{path}: wrote {}", p.display());
        }
    }
}

/// An event's name may hold a `/`; a sweep of its probability would make a path of the file
/// name `sweep-event.NAME.probability.csv`. Refused before anything is simulated, sharded or
/// not, and nothing is written.
#[test]
fn a_sweep_key_that_is_not_a_file_name_is_refused() {
    let text = ScenarioText::bilateral()
        .set("simulation.trials", "200")
        .event("name = \"up/../../../escape\"\nmonth = \"2020-06\"\nprobability = 0.5\neffects = { \"party.japan.will\" = -0.1 }")
        .text();
    let dir = workdir(&[("x.toml", &text)]);
    let d = dir.path();
    let before = common::everything(d);
    let key = "event.up/../../../escape.probability=0,1";
    for shard in [None, Some("1/2")] {
        let mut args = vec!["sweep", "x", "--param", key, "--out", "out"];
        args.extend(shard.map(|s| ["--shard", s]).into_iter().flatten());
        let (status, stderr) = exit_and_stderr(d, &args, &[]);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("a file name cannot hold '/'"), "{stderr}");
        assert!(common::everything(d) == before, "{args:?} wrote something");
    }
}

/// Names read from shard files are checked as names given on the command line: a shard whose
/// scenario is not the one merged, or whose sweep keys make a path, is refused before anything
/// is written.
#[test]
fn merge_refuses_names_from_edited_shard_files() {
    let dir = nested_out();
    let d = dir.path();
    let out = d.join("a/b/out");
    let out_arg = ["--out", "a/b/out"];
    let shard = |args: &[&str]| {
        let (status, stderr) = exit_and_stderr(d, &[args, &out_arg[..]].concat(), &[]);
        assert_eq!(status, Some(0), "{args:?}: {stderr}");
    };
    let edits: [(&[&str], &str, &str); 3] = [
        (
            &["run", "ok", "--shard", "1/1"],
            "scenario = \"ok\"",
            "scenario = \"../../../escape\"",
        ),
        (
            &["run", "ok", "--shard", "1/1"],
            "scenario = \"ok\"",
            "scenario = \"other\"",
        ),
        (
            &[
                "sweep",
                "ok",
                "--param",
                "process.summit_rate=0.1,0.2",
                "--shard",
                "1/1",
            ],
            "keys = [\"process.summit_rate\"]",
            "keys = [\"../../../../escape\"]",
        ),
    ];
    for (command, from, to) in edits {
        let shards = out.join("ok/shards");
        let _ = std::fs::remove_dir_all(&shards);
        shard(command);
        for entry in std::fs::read_dir(&shards).expect("shards") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).expect("shard");
                assert!(text.contains(from), "{text}");
                std::fs::write(&path, text.replace(from, to)).expect("edit");
            }
        }
        let before = common::everything(d);
        let (status, stderr) = exit_and_stderr(d, &["merge", "ok", "--out", "a/b/out"], &[]);
        assert_eq!(status, Some(2), "{to}: {stderr}");
        assert!(
            common::everything(d) == before,
            "{to}: merge wrote something: {stderr}"
        );
    }
}

/// A scenario's folder that is a symbolic link could lead out of `--out`: every command that
/// writes into it refuses it, and nothing is written where it leads.
#[test]
fn a_scenario_folder_that_is_a_link_is_refused_by_every_writer() {
    let dir = nested_out();
    let d = dir.path();
    let out = d.join("a/b/out");
    let (status, stderr) =
        exit_and_stderr(d, &["run", "ok", "--shard", "1/1", "--out", "a/b/out"], &[]);
    assert_eq!(status, Some(0), "{stderr}");
    std::fs::rename(out.join("ok"), d.join("elsewhere")).expect("move");
    std::os::unix::fs::symlink(d.join("elsewhere"), out.join("ok")).expect("link");
    let before = common::everything(d);
    let commands: [&[&str]; 7] = [
        &["run", "ok"],
        &["run", "ok", "--shard", "1/2"],
        &["sweep", "ok", "--param", "process.summit_rate=0.1"],
        &["sensitivity", "ok"],
        &["sensitivity", "ok", "--shard", "1/2"],
        &["merge", "ok"],
        &["plot", "ok"],
    ];
    for args in commands {
        let (status, stderr) = exit_and_stderr(d, &[args, &["--out", "a/b/out"][..]].concat(), &[]);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is a symbolic link"), "{args:?}: {stderr}");
        assert!(common::everything(d) == before, "{args:?} wrote something");
    }
}

/// Finding H: a scenario name, `--as` label or pool label ending in `.csv`, `.svg`, `.png`,
/// `.toml` or `.parquet` (in any case) would make `<out>/NAME/` collide with a file treatysim
/// writes at the root of `--out` (`scores.csv`, `summary.svg`, `compare-A-vs-B.csv`, …): it is
/// refused with exit 2 before anything is written, by every command that files results under
/// a name, and when read back from `<out>/summary.csv`.
#[test]
fn names_of_the_files_at_the_root_of_out_are_refused() {
    let text = ScenarioText::bilateral()
        .set("simulation.trials", "200")
        .text();
    let dir = workdir(&[
        ("ok.toml", &text),
        ("other.toml", &text),
        ("summary.csv.toml", &text),
    ]);
    let d = dir.path();
    let out = d.join("out");
    let (status, stderr) = exit_and_stderr(d, &["run", "ok", "--out", "out"], &[]);
    assert_eq!(status, Some(0), "{stderr}");
    let before = common::outputs::everything(&out);
    let sweep = ["sweep", "ok", "--param", "process.summit_rate=0.1,0.2"];
    let cases: [(&[&str], &str); 12] = [
        (&["run", "ok", "--as", "scores.csv"], "\"scores.csv\""),
        (&["run", "ok", "--as", "summary.svg"], "\"summary.svg\""),
        (&["run", "ok", "--as", "timelines.SVG"], "\"timelines.SVG\""),
        (
            &["run", "ok", "--as", "calibration.csv"],
            "\"calibration.csv\"",
        ),
        (
            &["run", "ok", "--as", "calibration.svg"],
            "\"calibration.svg\"",
        ),
        (
            &["run", "ok", "--as", "compare-ok-vs-other.csv"],
            "\"compare-ok-vs-other.csv\"",
        ),
        (&["run", "ok", "summary.csv"], "\"summary.csv\""),
        (&["run", "summary.csv.toml"], "\"summary.csv\""),
        (&["pool", "summary.svg", "ok", "other"], "\"summary.svg\""),
        (
            &[&sweep[..], &["--as", "x.parquet"]].concat(),
            "\"x.parquet\"",
        ),
        (&["sensitivity", "ok", "--as", "x.png"], "\"x.png\""),
        (
            &["run", "ok", "--as", "a.run.toml", "--shard", "1/2"],
            "\"a.run.toml\"",
        ),
    ];
    for (args, name) in cases {
        let (status, stderr) = exit_and_stderr(d, &[args, &["--out", "out"]].concat(), &[]);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(name)
                && stderr.contains("is not a valid name")
                && stderr.contains("root of --out"),
            "{args:?}: {stderr}"
        );
        assert!(
            common::outputs::everything(&out) == before,
            "{args:?} wrote before it refused"
        );
    }
    let (status, stderr) = exit_and_stderr(d, &["check", "summary.csv"], &[]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("root of --out"), "{stderr}");
    // Read back from the root summary: a row named after a root file is refused, by line.
    let root = out.join("summary.csv");
    let text = std::fs::read_to_string(&root).expect("root summary");
    let row = text.lines().nth(1).expect("ok's row");
    std::fs::write(
        &root,
        format!("{text}{}\n", row.replacen("ok,", "scores.csv,", 1)),
    )
    .expect("write");
    let before = common::outputs::everything(&out);
    let (status, stderr) = exit_and_stderr(d, &["run", "other", "--out", "out"], &[]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains("'out/summary.csv' is not a treatysim summary: line 3")
            && stderr.contains("\"scores.csv\""),
        "{stderr}"
    );
    assert!(common::outputs::everything(&out) == before);
}

/// A name that fits its own folder could still make a file too long to write
/// (`compare-A-vs-B.run.toml` holds two names): scenario names and labels may be at most 100
/// bytes, refused with exit 2 and the limit before anything is written (they exited 1 with the
/// system's "File name too long"). Two names of 100 bytes make every file; a folder written
/// under a longer name by an earlier version is still read.
#[test]
fn names_longer_than_a_hundred_bytes_are_refused_and_old_ones_still_read() {
    let text = ScenarioText::bilateral()
        .set("simulation.trials", "200")
        .text();
    let (longest, too_long) = ("l".repeat(100), "t".repeat(101));
    let file_of = |name: &str| format!("{name}.toml");
    let dir = workdir(&[
        ("ok.toml", &text),
        (&file_of(&longest), &text),
        (&file_of(&too_long), &text),
    ]);
    let d = dir.path();
    let out = d.join("out");
    let (status, stderr) = exit_and_stderr(d, &["run", "ok", "--out", "out"], &[]);
    assert_eq!(status, Some(0), "{stderr}");
    let before = common::outputs::everything(&out);
    let label = "u".repeat(101);
    let cases: [&[&str]; 6] = [
        &["run", &too_long],
        &["run", "ok", "--as", &label],
        &["compare", "ok", "ok", "--as", &label],
        &["pool", &label, "ok", "ok"],
        &["sensitivity", "ok", "--as", &label],
        &["sweep", &too_long, "--param", "process.summit_rate=0.1,0.2"],
    ];
    for args in cases {
        let (status, stderr) = exit_and_stderr(d, &[args, &["--out", "out"]].concat(), &[]);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("101 bytes long") && stderr.contains("at most 100"),
            "{args:?}: {stderr}"
        );
        assert!(
            common::outputs::everything(&out) == before,
            "{args:?} wrote before it refused"
        );
    }
    let (status, stderr) = exit_and_stderr(d, &["check", &too_long], &[]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("101 bytes long"), "{stderr}");
    // `list` names the file it passes over, with the rule.
    let (status, stderr) = exit_and_stderr(d, &["list"], &[]);
    assert_eq!(status, Some(0), "{stderr}");
    assert!(stderr.contains("101 bytes long"), "{stderr}");

    // The longest names make every file, the comparison's of two of them included.
    let (status, stderr) =
        exit_and_stderr(d, &["compare", &longest, &longest, "--out", "out"], &[]);
    assert_eq!(status, Some(0), "{stderr}");
    assert!(
        out.join(format!("compare-{longest}-vs-{longest}.run.toml"))
            .is_file()
    );

    // A root summary row and a folder under a 150-byte name, as 0.2.0 could write them, are
    // read: another run keeps the row.
    let old = "o".repeat(150);
    let (status, stderr) = exit_and_stderr(d, &["run", "ok", "--out", "old"], &[]);
    assert_eq!(status, Some(0), "{stderr}");
    let old_out = d.join("old");
    std::fs::rename(old_out.join("ok"), old_out.join(&old)).expect("rename");
    let root = old_out.join("summary.csv");
    let summary = std::fs::read_to_string(&root).expect("root summary");
    std::fs::write(&root, summary.replacen("\nok,", &format!("\n{old},"), 1)).expect("write");
    let (status, stderr) = exit_and_stderr(d, &["run", &longest, "--out", "old"], &[]);
    assert_eq!(status, Some(0), "{stderr}");
    let summary = std::fs::read_to_string(&root).expect("root summary");
    assert!(
        summary.contains(&format!("\n{old},")) && summary.contains(&format!("\n{longest},")),
        "{summary}"
    );
}

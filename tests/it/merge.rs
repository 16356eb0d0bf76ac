//! The library's merge (issue #20 item 1): `api::merge` of a shards folder, then
//! `api::write_merged`, writes the bytes `treatysim merge` writes (the command now calls them),
//! and `api::merge` of shard texts held in memory (the Python package's way) checks them as
//! the command does: a sweep's shards are not a run, an edited or missing shard is refused
//! naming it, and a key file is honoured.

use crate::common::{self, ok_shipped, outside_shards};
use std::path::Path;
use treatysim::api::{self, MergeOptions, MergedOutput, Shards, Written};

/// Three shards of a run and of a sweep of the baseline, into `<dir>/<out>`, the key in
/// `key` (a file name in `dir`) sealing them when given.
fn shards(dir: &Path, out: &str, key: Option<&str>) {
    let sealed: Vec<&str> = key.map_or_else(Vec::new, |k| vec!["--key-file", k]);
    for k in ["3/3", "1/3", "2/3"] {
        let flags = ["--trials", "5001", "--shard", k, "--out", out];
        let run = ["run", "baseline"];
        ok_shipped(dir, &[&run[..], &flags, &sealed].concat());
        let sweep = ["sweep", "baseline", "--param", "party.japan.will=0.3,0.6"];
        ok_shipped(dir, &[&sweep[..], &flags, &sealed].concat());
    }
}

/// The texts of the shard files of `output` in `<folder>/baseline/shards/`, each with its file
/// name.
fn texts(folder: &Path, output: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir(folder.join("baseline/shards"))
        .expect("shards folder")
        .map(|e| e.expect("entry").path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_string();
            (name.starts_with(&format!("{output}-")) && name.ends_with(".toml")).then(|| {
                let text = std::fs::read_to_string(&path).expect("shard file");
                (name, text)
            })
        })
        .collect();
    found.sort();
    found
}

#[test]
fn the_library_merge_of_a_folder_writes_what_the_command_writes() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let d = dir.path();
    shards(d, "cli", None);
    shards(d, "lib", None);
    ok_shipped(d, &["merge", "baseline", "--out", "cli"]);
    let options = MergeOptions {
        shards: Shards::Folder {
            out: d.join("lib"),
            name: "baseline".into(),
        },
        key_file: None,
    };
    let merged = api::merge(&options).expect("the shards merge");
    assert_eq!(merged.len(), 2, "a run and a sweep");
    for m in &merged {
        assert_eq!(m.shards, 3);
        match (
            api::write_merged(&d.join("lib"), m).expect("written"),
            &m.output,
        ) {
            (Written::Run(run), MergedOutput::Run(_)) => {
                assert_eq!(run.summary.tally.trials, 5001);
                assert_eq!(m.output_name, "run");
            }
            (Written::Sweep(sweep, path), MergedOutput::Sweep(_)) => {
                assert_eq!(sweep.points, vec![vec![0.3], vec![0.6]]);
                assert_eq!(path, d.join("lib/baseline/sweep-party.japan.will.csv"));
            }
            _ => panic!("{}: written as another output", m.output_name),
        }
    }
    // Command lines aside (this process is not `treatysim merge`), the same files.
    common::assert_same_files(
        &outside_shards(&d.join("cli")),
        &outside_shards(&d.join("lib")),
        "api::merge against treatysim merge",
    );
}

#[test]
fn the_library_merge_of_texts_checks_them_as_the_command_does() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let d = dir.path();
    std::fs::write(d.join("key"), "secret\n").expect("key file");
    std::fs::write(d.join("other"), "another secret").expect("key file");
    shards(d, "out", Some("key"));
    let folder = d.join("out");
    let merge = |texts: Vec<(String, String)>, key: Option<&str>| {
        api::merge(&MergeOptions {
            shards: Shards::Texts(texts),
            key_file: key.map(|k| d.join(k)),
        })
    };
    // The run's texts, under their key or without one (texts are checked against a key file
    // only): the run the folder's merge gives.
    let whole = api::merge(&MergeOptions {
        shards: Shards::Folder {
            out: folder.clone(),
            name: "baseline".into(),
        },
        key_file: Some(d.join("key")),
    })
    .expect("the folder merges");
    let run = |merged: Vec<api::Merged>| merged.into_iter().next().expect("one").into_run();
    let from_folder = run(whole
        .into_iter()
        .filter(|m| m.output_name == "run")
        .collect())
    .expect("a run");
    for key in [Some("key"), None] {
        let merged = run(merge(texts(&folder, "run"), key).expect("texts merge")).expect("run");
        assert_eq!(merged.summary.tally, from_folder.summary.tally);
        assert_eq!(
            merged.summary.timeline_csv(),
            from_folder.summary.timeline_csv()
        );
    }
    // Refusals, each naming what is wrong.
    let refused = |texts: Vec<(String, String)>, key: Option<&str>, expect: &[&str]| {
        let error = merge(texts, key).and_then(run).expect_err("refused");
        assert_eq!(error.exit_code(), 2, "{error}");
        let message = error.to_string();
        for fragment in expect {
            assert!(message.contains(fragment), "{fragment:?} not in {message}");
        }
    };
    refused(
        texts(&folder, "sweep"),
        None,
        &["'sweep-party.japan.will' is not a run's shard"],
    );
    refused(
        texts(&folder, "run")[..2].to_vec(),
        None,
        &["is missing shard(s) 3/3"],
    );
    let mut edited = texts(&folder, "run");
    edited[1].1 = edited[1].1.replacen("trials = 5001", "trials = 5002", 1);
    refused(edited, None, &["run-2-of-3.toml", "the shard was edited"]);
    refused(
        texts(&folder, "run"),
        Some("other"),
        &["run-1-of-3.toml", "HMAC does not match the key"],
    );
    refused(
        texts(&folder, "run"),
        Some("missing"),
        &["shard key file", "missing", "cannot read it"],
    );
    // A key file of line ends only: refused, not taken as an empty key that anyone can forge.
    std::fs::write(d.join("blank"), "\n\r\n").expect("blank key file");
    refused(
        texts(&folder, "run"),
        Some("blank"),
        &["shard key file", "blank", "is empty", "at least one byte"],
    );
}

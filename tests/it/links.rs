//! Symbolic links and other files that are not regular files below `--out` (SPEC §7, issue #17
//! item 1): nothing is ever written, created or deleted outside `--out` whatever links it
//! holds, and only regular files are read as shards and outputs. Each test plants a link (or a
//! FIFO) where treatysim opens something, runs every command that opens it, and checks that
//! the command refused with exit 2 and that what the link leads to is untouched.

use crate::common;

use common::{ScenarioText, workdir};
use std::path::{Path, PathBuf};

/// `treatysim ARGS --out out` in `dir` (given ten minutes at most, so that a read of
/// `/dev/zero` or a FIFO fails the test instead of hanging it): its exit code and stderr.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    common::exit_and_stderr(dir, &[args, &["--out", "out"]].concat(), &[])
}

/// A work folder with `scenarios/ok.toml` and `other.toml` (200 trials, one uncertain
/// parameter) and a run of it in `out/ok`.
fn with_a_run() -> tempfile::TempDir {
    let text = ScenarioText::bilateral()
        .set("simulation.trials", "200")
        .dist("party.japan.will", "beta(6, 4)")
        // Resolved, so that `score` has a run to score and gets as far as taking the lock.
        .raw("[resolution]\noutcome = \"not signed\"")
        .text();
    let dir = workdir(&[("ok.toml", text.as_str()), ("other.toml", text.as_str())]);
    let (status, stderr) = run(dir.path(), &["run", "ok"]);
    assert_eq!(status, Some(0), "{stderr}");
    dir
}

/// `elsewhere/`, outside `--out`, with files a command following a link would replace or
/// delete.
fn elsewhere(d: &Path) -> PathBuf {
    let elsewhere = d.join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("folder");
    std::fs::write(elsewhere.join("run-1-of-2.toml"), "victim").expect("write");
    std::fs::write(elsewhere.join(".treatysim-victim.tmp"), "victim").expect("write");
    elsewhere
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(made.success());
}

/// `<out>/NAME/shards` as a link: no shard command writes, replaces or deletes anything where it
/// leads, and merge reads nothing from there.
#[test]
fn a_shards_folder_that_is_a_link_is_refused() {
    let dir = with_a_run();
    let d = dir.path();
    let elsewhere = elsewhere(d);
    std::os::unix::fs::symlink(&elsewhere, d.join("out/ok/shards")).expect("link");
    let before = common::everything(d);
    let commands: [&[&str]; 4] = [
        &["run", "ok", "--shard", "1/2", "--samples"],
        &[
            "sweep",
            "ok",
            "--param",
            "process.summit_rate=0.1,0.2",
            "--shard",
            "1/2",
        ],
        &["sensitivity", "ok", "--shard", "1/2"],
        &["merge", "ok"],
    ];
    for args in commands {
        let (status, stderr) = run(d, args);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is a symbolic link"), "{args:?}: {stderr}");
        assert!(
            common::everything(d) == before,
            "{args:?} changed something"
        );
    }
}

/// `<out>/.treatysim.lock` as a link: no command creates or opens what it leads to; those that
/// take the lock refuse with exit 2.
#[test]
fn a_lock_file_that_is_a_link_is_never_followed() {
    let dir = with_a_run();
    let d = dir.path();
    let (status, stderr) = run(d, &["run", "ok", "--shard", "1/1"]);
    assert_eq!(status, Some(0), "{stderr}");
    let target = d.join("target");
    std::os::unix::fs::symlink(&target, d.join("out/.treatysim.lock")).expect("link");
    let commands: [&[&str]; 8] = [
        &["run", "ok"],
        &["sweep", "ok", "--param", "process.summit_rate=0.1,0.2"],
        &["sensitivity", "ok"],
        &["pool", "both", "ok", "other"],
        &["merge", "ok"],
        &["compare", "ok", "other"],
        &["score"],
        &["plot"],
    ];
    for args in commands {
        let (status, stderr) = run(d, args);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is a symbolic link"), "{args:?}: {stderr}");
        assert!(
            std::fs::symlink_metadata(&target).is_err(),
            "{args:?} created the lock link's target"
        );
    }
}

/// Shards and samples parts that are links to `/dev/zero` or FIFOs are refused at once (not
/// read for ever, not waited on).
#[test]
fn merge_reads_only_regular_files() {
    let dir = with_a_run();
    let d = dir.path();
    let shards = d.join("out/ok/shards");
    let (status, stderr) = run(d, &["run", "ok", "--shard", "1/2", "--samples"]);
    assert_eq!(status, Some(0), "{stderr}");
    let second = shards.join("run-2-of-2.toml");
    let part = shards.join("samples-1-of-2.csv");
    std::os::unix::fs::symlink("/dev/zero", &second).expect("link");
    let (status, stderr) = run(d, &["merge", "ok"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    std::fs::remove_file(&second).expect("remove");
    mkfifo(&second);
    let (status, stderr) = run(d, &["merge", "ok"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("is a FIFO, not a regular file"), "{stderr}");
    std::fs::remove_file(&second).expect("remove");
    let (status, stderr) = run(d, &["run", "ok", "--shard", "2/2", "--samples"]);
    assert_eq!(status, Some(0), "{stderr}");
    std::fs::remove_file(&part).expect("remove");
    std::os::unix::fs::symlink("/dev/zero", &part).expect("link");
    let before = common::everything(&d.join("out"));
    let (status, stderr) = run(d, &["merge", "ok"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    assert!(
        common::everything(&d.join("out")) == before,
        "merge wrote something"
    );
}

/// Outputs that are links or FIFOs are refused by the commands that read them: the root
/// summary (every writer of runs), a run's files in its version folder (plot).
#[test]
fn outputs_that_are_not_regular_files_are_refused() {
    let dir = with_a_run();
    let d = dir.path();
    let out = d.join("out");
    let summary = out.join("summary.csv");
    let root = std::fs::read(&summary).expect("root summary");
    std::fs::remove_file(&summary).expect("remove");
    std::os::unix::fs::symlink("/dev/zero", &summary).expect("link");
    for args in [&["run", "ok"][..], &["plot"]] {
        let (status, stderr) = run(d, args);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is a symbolic link"), "{args:?}: {stderr}");
    }
    std::fs::remove_file(&summary).expect("remove");
    std::fs::write(&summary, root).expect("restore");
    let version = std::fs::read_link(out.join("ok/.run")).expect("the .run link");
    let timeline = out.join("ok").join(version).join("timeline.csv");
    std::fs::remove_file(&timeline).expect("remove");
    mkfifo(&timeline);
    let before = common::everything(&out);
    for args in [&["plot", "ok"][..], &["plot"]] {
        let (status, stderr) = run(d, args);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is a FIFO"), "{args:?}: {stderr}");
        assert!(
            common::everything(&out) == before,
            "{args:?} wrote something"
        );
    }
}

/// `<out>/scores.csv` as a link or a FIFO: `score` refused a link only after reading what it
/// leads to (the first line of a file outside `--out` was quoted in its message), and hung
/// forever opening a FIFO. Both are refused unread, with exit 2, and nothing is written.
#[test]
fn a_scores_file_that_is_not_a_regular_file_is_refused_unread() {
    let dir = with_a_run();
    let d = dir.path();
    let out = d.join("out");
    let secret = d.join("secret.csv");
    std::fs::write(&secret, "SECRET-LINE\n").expect("write");
    let scores = out.join("scores.csv");
    std::os::unix::fs::symlink(&secret, &scores).expect("link");
    let before = common::everything(&out);
    let (status, stderr) = run(d, &["score"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    assert!(
        !stderr.contains("SECRET"),
        "read through the link: {stderr}"
    );
    assert!(common::everything(&out) == before, "score wrote something");
    std::fs::remove_file(&scores).expect("remove");
    mkfifo(&scores);
    let before = common::everything(&out);
    let mut child = std::process::Command::new(common::bin())
        .args(["score", "--out", "out"])
        .current_dir(d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("treatysim");
    let began = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break Some(status);
        }
        if began.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let output = child.wait_with_output().expect("stderr");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let status = status.unwrap_or_else(|| panic!("score still reading a FIFO after 20 s"));
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is a FIFO"), "{stderr}");
    assert!(common::everything(&out) == before, "score wrote something");
}

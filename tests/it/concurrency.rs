//! Many treatysim processes writing into one `--out` at once (SPEC §7).
//!
//! - Twenty `run`s of different scenarios at once keep all twenty rows of `<out>/summary.csv`,
//!   each equal to its folder's `summary.csv`; so do twenty `merge`s. Each is repeated over
//!   several rounds, since a lost update shows only when two writers interleave.
//! - After a crash between a folder's `summary.csv` and the root file, the next command that
//!   writes into `--out` makes every row agree with its folder again.
//! - Temporary files left by a killed writer are removed by the next command writing into that
//!   folder; those of a live writer are kept.
//!
//! The scenarios are copies of the shipped `baseline.toml` (with every shipped file beside them,
//! so whatever it extends is there too), never scenario text written here, so these tests do not
//! depend on the scenario format.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Barrier};

/// Writers started at once in each round.
const WRITERS: usize = 20;

/// Trials per run: small, so that the processes' writes overlap rather than queue.
const TRIALS: &str = "2000";

/// A work folder whose `scenarios/` holds every shipped scenario file and `WRITERS` copies of
/// `baseline.toml` named `copy_00`, `copy_01`, ...; returns the folder and the copies' names.
fn copies_of_baseline() -> (tempfile::TempDir, Vec<String>) {
    let dir = common::workdir(&[]);
    let scenarios = dir.path().join("scenarios");
    let shipped = common::shipped_scenarios();
    for entry in std::fs::read_dir(&shipped).expect("shipped scenarios") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_name().expect("file name");
            std::fs::copy(&path, scenarios.join(name)).expect("copy a shipped scenario");
        }
    }
    let names: Vec<String> = (0..WRITERS).map(|i| format!("copy_{i:02}")).collect();
    for name in &names {
        std::fs::copy(
            shipped.join("baseline.toml"),
            scenarios.join(format!("{name}.toml")),
        )
        .expect("copy baseline.toml");
    }
    (dir, names)
}

/// Runs `treatysim` once per argument list, all started together (each from its own thread,
/// released by one barrier), and asserts that every one succeeded.
fn all_at_once(dir: &Path, commands: Vec<Vec<String>>) {
    let start = Arc::new(Barrier::new(commands.len()));
    let threads: Vec<_> = commands
        .into_iter()
        .map(|args| {
            let dir = dir.to_path_buf();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let mut cmd = common::treatysim(&dir);
                cmd.args(&args);
                start.wait();
                let output: Output = cmd.output().expect("the binary starts");
                (args, output)
            })
        })
        .collect();
    for thread in threads {
        let (args, output) = thread.join().expect("thread");
        assert!(
            output.status.success(),
            "treatysim {} failed ({}):\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Argument lists as owned strings.
fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

/// Asserts that `<out>/summary.csv` holds exactly one row for each of `names` and that each row
/// equals the one row of `<out>/NAME/summary.csv`.
fn assert_every_row_kept(out: &Path, names: &[String], round: usize) {
    let (header, rows) = common::read_csv(&out.join("summary.csv"));
    let kept: Vec<&str> = rows.iter().map(|row| row[0].as_str()).collect();
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !kept.contains(&n.as_str()))
        .collect();
    assert!(
        missing.is_empty() && kept.len() == names.len(),
        "round {round}: <out>/summary.csv kept {} of {} rows; missing {missing:?}",
        kept.len(),
        names.len()
    );
    for row in &rows {
        let (folder_header, folder_rows) = common::read_csv(&out.join(&row[0]).join("summary.csv"));
        assert_eq!(folder_header, header, "round {round}: {}", row[0]);
        assert_eq!(
            folder_rows.as_slice(),
            std::slice::from_ref(row),
            "round {round}: the row of {} differs from its folder's summary.csv",
            row[0]
        );
    }
}

#[test]
fn concurrent_runs_keep_every_row() {
    let (dir, names) = copies_of_baseline();
    for round in 0..5 {
        let out = format!("out-{round}");
        let commands = names
            .iter()
            .map(|name| args(&["run", name, "--trials", TRIALS, "--out", &out]))
            .collect();
        all_at_once(dir.path(), commands);
        assert_every_row_kept(&dir.path().join(&out), &names, round);
    }
}

#[test]
fn concurrent_merges_keep_every_row() {
    let (dir, names) = copies_of_baseline();
    for round in 0..3 {
        let out = format!("out-{round}");
        // Shards write only under <out>/NAME/shards/, so they may as well run together too.
        let shards = names
            .iter()
            .flat_map(|name| {
                let out = &out;
                ["1/2", "2/2"].map(move |shard| {
                    args(&[
                        "run", name, "--trials", TRIALS, "--shard", shard, "--out", out,
                    ])
                })
            })
            .collect();
        all_at_once(dir.path(), shards);
        let merges = names
            .iter()
            .map(|name| args(&["merge", name, "--out", &out]))
            .collect();
        all_at_once(dir.path(), merges);
        assert_every_row_kept(&dir.path().join(&out), &names, round);
        let (header, rows) = common::read_csv(&dir.path().join(&out).join("summary.csv"));
        for row in &rows {
            assert_eq!(common::field(&header, row, "trials"), 2000.0, "{}", row[0]);
        }
    }
}

/// A run killed after writing its folder but before updating `<out>/summary.csv` leaves the
/// root row stale (or missing, for a first run); the next write into `--out` repairs both.
#[test]
fn rows_agree_with_their_folders_again_after_a_crash() {
    let (dir, names) = copies_of_baseline();
    let ok = |parts: &[&str]| {
        common::treatysim(dir.path()).args(parts).assert().success();
    };
    let (stale, missing, other) = (&names[0], &names[1], &names[2]);
    ok(&["run", stale, "--trials", TRIALS, "--out", "out"]);
    ok(&["run", stale, missing, "--trials", "3000", "--out", "later"]);
    // What a crash after the folder's files and before the root file leaves behind: a whole
    // run, its run.toml with the SHA-256 of each file included.
    let out = dir.path().join("out");
    let later = dir.path().join("later");
    for name in [stale, missing] {
        std::fs::create_dir_all(out.join(name)).expect("folder");
        for file in ["summary.csv", "timeline.csv", "run.toml"] {
            std::fs::copy(later.join(name).join(file), out.join(name).join(file)).expect("copy");
        }
    }
    ok(&["run", other, "--trials", TRIALS, "--out", "out"]);
    let expected = vec![stale.clone(), missing.clone(), other.clone()];
    assert_every_row_kept(&out, &expected, 0);
    let (header, rows) = common::read_csv(&out.join("summary.csv"));
    assert_eq!(common::field(&header, &rows[0], "trials"), 3000.0);
}

/// Temporary files (`.treatysim-*.tmp`) anywhere under `dir`.
#[cfg(unix)]
fn temporaries(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if name.starts_with(".treatysim-") && name.ends_with(".tmp") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// A child process, killed (SIGKILL) and reaped when dropped, so that a failed assertion never
/// leaves it stopped.
#[cfg(unix)]
struct Killed(std::process::Child);

#[cfg(unix)]
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A live writer's temporary file survives other writers in its folder; once the writer is
/// killed (SIGKILL: no clean-up), the next writer into that folder removes it. A temporary
/// file another process holds locked is kept too, and a stale one in `<out>` itself goes.
#[cfg(unix)]
#[test]
fn stale_temporary_files_are_removed_and_live_ones_kept() {
    let (dir, names) = copies_of_baseline();
    let name = &names[0];
    let out = dir.path().join("out");
    let folder = out.join(name);
    let bin = env!("CARGO_BIN_EXE_treatysim");
    // A long run streaming samples: its samples.csv is a temporary file until it ends.
    let writer = std::process::Command::new(bin)
        .current_dir(dir.path())
        .args(["run", name, "--samples", "--threads", "1"])
        .args(["--trials", "1000000000", "--out", "out"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut writer = Killed(writer);
    let began = std::time::Instant::now();
    while temporaries(&out).is_empty() {
        assert!(
            began.elapsed() < std::time::Duration::from_secs(60),
            "the long run wrote no temporary file"
        );
        assert!(
            writer.0.try_wait().expect("try_wait").is_none(),
            "the long run ended early"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // Past the instant between creating its temporary file and locking it; then stopped, it
    // is alive but writes nothing more.
    std::thread::sleep(std::time::Duration::from_millis(200));
    common::signal(writer.0.id(), "STOP");
    let live = temporaries(&out);
    assert_eq!(live.len(), 1, "{live:?}");
    assert!(live[0].starts_with(&folder), "{live:?}");
    // A temporary file this test process holds locked, as a writer does.
    let held_path = folder.join(".treatysim-held.tmp");
    let held = std::fs::File::create(&held_path).expect("held temporary file");
    held.lock().expect("lock");
    // One left unlocked in <out>, as a killed writer leaves it.
    let planted = out.join(".treatysim-planted.tmp");
    std::fs::write(&planted, "partial").expect("planted temporary file");

    let run = || {
        common::treatysim(dir.path())
            .args(["run", name, "--trials", TRIALS, "--out", "out"])
            .assert()
            .success();
    };
    run();
    assert!(
        live[0].exists(),
        "a live writer's temporary file was removed"
    );
    assert!(held_path.exists(), "a locked temporary file was removed");
    assert!(
        !planted.exists(),
        "a stale temporary file in <out> was kept"
    );

    common::signal(writer.0.id(), "KILL");
    let _ = writer.0.wait();
    assert!(
        live[0].exists(),
        "SIGKILL left no temporary file to clean up"
    );
    run();
    assert_eq!(
        temporaries(&out),
        std::slice::from_ref(&held_path),
        "the killed writer's temporary file was kept"
    );
    drop(held);
    run();
    assert_eq!(temporaries(&out), Vec::<PathBuf>::new());
}

/// What `score` and `plot` write from `<out>/baseline` (`scores.csv`, and the run's
/// `timeline.svg`), run in `dir`; for a reader that failed, its command and stderr.
fn read_with_score_and_plot(dir: &Path, out: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let scenarios = common::shipped_scenarios();
    let scenarios = scenarios.to_str().expect("UTF-8 path");
    let mut written = Vec::new();
    for (args, file) in [
        (
            vec!["score", "baseline", "--out", out, "--scenarios", scenarios],
            "scores.csv",
        ),
        (
            vec!["plot", "baseline", "--out", out],
            "baseline/timeline.svg",
        ),
    ] {
        let output = common::treatysim(dir)
            .args(&args)
            .output()
            .expect("the binary starts");
        if !output.status.success() {
            return Err(format!(
                "treatysim {} failed ({}): {}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        written.push(std::fs::read(dir.join(out).join(file)).expect("written"));
    }
    let plot = written.pop().expect("plot");
    let score = written.pop().expect("score");
    Ok((score, plot))
}

/// treatysim's readers resolve a run's folder once (SPEC §7, issue #17 item 4): while a writer
/// republishes `baseline` into one `--out` over and over, alternating two versions (seeds 1
/// and 2), `score` (which checks every file it reads against run.toml's SHA-256s) and `plot`
/// read it in a loop. Each must succeed, and each output must be byte for byte what it is on
/// one version alone: the first seed's or the second's, never a mix of the two.
#[test]
fn readers_see_one_version_while_a_run_is_republished() {
    const ROUNDS: usize = 12;
    let dir = common::workdir(&[]);
    let d = dir.path();
    let scenarios = common::shipped_scenarios();
    let run = move |d: &Path, seed: &str, out: &str| {
        common::treatysim(d)
            .args(["run", "baseline", "--trials", "2000", "--seed", seed])
            .args(["--out", out, "--scenarios"])
            .arg(&scenarios)
            .output()
            .expect("the binary starts")
    };
    let seeds = ["1", "2"];
    let versions: Vec<(Vec<u8>, Vec<u8>)> = seeds
        .iter()
        .map(|seed| {
            let out = format!("alone-{seed}");
            assert!(run(d, seed, &out).status.success());
            read_with_score_and_plot(d, &out).expect("readers of a quiet folder")
        })
        .collect();
    assert_ne!(versions[0].0, versions[1].0, "the versions' scores differ");
    assert_ne!(versions[0].1, versions[1].1, "the versions' plots differ");
    assert!(run(d, seeds[0], "live").status.success());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (d, stop, run) = (d.to_path_buf(), Arc::clone(&stop), run.clone());
        std::thread::spawn(move || {
            let mut published = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let output = run(&d, seeds[(published + 1) % 2], "live");
                assert!(
                    output.status.success(),
                    "{}",
                    String::from_utf8_lossy(&output.stderr)
                );
                published += 1;
            }
            published
        })
    };
    let mut seen = [0usize; 2];
    let mut failure = None;
    for round in 0..ROUNDS {
        match read_with_score_and_plot(d, "live") {
            Ok(read) => {
                let score = versions.iter().position(|v| v.0 == read.0);
                let plot = versions.iter().position(|v| v.1 == read.1);
                match (score, plot) {
                    (Some(s), Some(p)) => {
                        seen[s] += 1;
                        seen[p] += 1;
                    }
                    _ => {
                        failure = Some(format!(
                            "round {round}: a reader's output is neither version's (score: \
                             {score:?}, plot: {plot:?}):\n{}",
                            String::from_utf8_lossy(&read.0)
                        ));
                        break;
                    }
                }
            }
            Err(why) => {
                failure = Some(format!("round {round}: {why}"));
                break;
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let published = writer.join().expect("writer");
    assert_eq!(failure, None);
    assert!(
        published >= 2,
        "the writer republished only {published} times while the readers read: nothing was \
         tested ({seen:?})"
    );
}

/// The mechanism behind `plot`'s and `score`'s one-version reads, made deterministic: the run
/// is republished (another seed) between the reader's first and second file. The reader must
/// notice, read again, and return both files of the new version; a reader that resolved the
/// folder per file, or never read again, would return one file of each version (or fail on
/// the removed one).
#[test]
fn a_folder_republished_between_two_files_is_read_again_whole() {
    let dir = common::workdir(&[]);
    let d = dir.path();
    let run = |seed: &str| {
        common::ok_shipped(
            d,
            &[
                "run", "baseline", "--trials", "2000", "--seed", seed, "--out", "out",
            ],
        )
    };
    run("1");
    let folder = d.join("out/baseline");
    let read =
        |path: PathBuf| std::fs::read(&path).map_err(|e| treatysim::Error::io("read", &path, e));
    let first_summary = std::fs::read(folder.join("summary.csv")).expect("summary");
    let mut calls = 0;
    let (summary, timeline) = treatysim::export::RunFolder::read_current(&folder, |version| {
        calls += 1;
        let summary = read(version.path("summary.csv"))?;
        if calls == 1 {
            assert_eq!(summary, first_summary, "the first read is seed 1's");
            run("2");
        }
        let timeline = read(version.path("timeline.csv"))?;
        Ok((summary, timeline))
    })
    .expect("a read of one whole version");
    assert_eq!(calls, 2, "the republished folder was read again, once");
    assert_ne!(summary, first_summary, "the summary is the new version's");
    assert_eq!(
        summary,
        std::fs::read(folder.join("summary.csv")).expect("summary")
    );
    assert_eq!(
        timeline,
        std::fs::read(folder.join("timeline.csv")).expect("timeline"),
        "the timeline is the new version's, as the summary"
    );
}

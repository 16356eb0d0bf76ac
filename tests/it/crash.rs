//! Failures and crashes while writing (SPEC §7, issue #9 item 2): a reader never sees the files
//! of two runs mixed in one `<out>/NAME/`, whenever the writer dies or fails, and every check
//! comes before the first write.
//!
//! - Killed at every system call that changes a folder (each K-th `mkdir`, `symlink`,
//!   `rename`, `link`, `unlink`, `rmdir`..., by `strace -e inject=SYSCALL:signal=SIGKILL:when=K`),
//!   a `run` or `merge` leaves `<out>/NAME/` showing the old run whole or the new run whole
//!   (compared byte for byte with both), and the folder's other files (sweeps, shards)
//!   untouched; the next command writing into the folder (a `sweep`, which does not hold the
//!   lock on `--out`) removes what the killed one left, and the next `run` of another scenario
//!   makes every row of `<out>/summary.csv` agree with its folder. Three starting points: a
//!   folder written by this version, a folder of plain files (as treatysim 0.2 wrote them), and
//!   shards merged over an earlier run.
//! - A full disk at every write and every `fsync` (strace `error=ENOSPC`), and a real full disk
//!   (a 1 MiB tmpfs, when this process may mount one), fail with exit code 1 and leave
//!   everything byte for byte as it was, with no temporary file.
//! - A read-only `--out` or scenario folder (run as an unprivileged user when the tests run as
//!   root, who could write anyway), a root `summary.csv` that is not treatysim's, a scenario
//!   folder that is a link out of `--out` or a run file that is a folder: refused before
//!   anything is simulated or written.

use crate::common;
use common::kill::{
    WRITES, assert_kills_leave_one_whole_run, assert_rows_agree, copy_tree, leftovers, ok, traced,
    treatysim,
};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The run the kill tests make over `base/`: another seed and trial count than its runs.
const RUN: [&str; 6] = ["run", "baseline", "--trials", "3000", "--seed", "2"];

/// A work folder with `base/`: an earlier run of the baseline with samples, a sweep and a shard
/// in its folder, and a run of mason.
fn earlier_outputs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let d = dir.path();
    let commands: [&[&str]; 4] = [
        &[
            "run",
            "baseline",
            "--trials",
            "2000",
            "--seed",
            "1",
            "--samples",
        ],
        &["run", "mason", "--trials", "500"],
        &[
            "sweep",
            "baseline",
            "--param",
            "process.summit_rate=0.2,0.4",
            "--trials",
            "500",
        ],
        &["run", "baseline", "--trials", "1000", "--shard", "1/2"],
    ];
    for args in commands {
        ok(d, &[args, &["--out", "base"]].concat());
    }
    dir
}

/// A run killed at any point leaves the old run or the new one, whole: over a folder written
/// by this version (the new run has no samples, so `samples.csv` must go with the old run).
#[test]
fn a_killed_run_leaves_one_whole_run() {
    if !common::have_strace() {
        return;
    }
    let dir = earlier_outputs();
    assert_kills_leave_one_whole_run(dir.path(), &dir.path().join("base"), &RUN, 5, 3);
}

/// The same over a folder of plain files, as treatysim 0.2 wrote them: converting it to the
/// layout never shows anything else either.
#[test]
fn a_killed_run_over_plain_files_leaves_one_whole_run() {
    if !common::have_strace() {
        return;
    }
    let dir = earlier_outputs();
    let base = dir.path().join("base");
    // Plain copies of what a reader sees, in place of the links (the sweep's too).
    let folder = base.join("baseline");
    for entry in std::fs::read_dir(&folder).expect("folder") {
        let path = entry.expect("entry").path();
        let link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink());
        if link && path.file_name().is_some_and(|n| n != ".run") {
            let bytes = std::fs::read(&path).expect("read");
            std::fs::remove_file(&path).expect("remove link");
            std::fs::write(&path, bytes).expect("plain file");
        }
    }
    let version = std::fs::read_link(folder.join(".run")).expect(".run");
    std::fs::remove_dir_all(folder.join(version)).expect("remove version");
    std::fs::remove_file(folder.join(".run")).expect("remove .run");
    assert!(std::fs::symlink_metadata(folder.join("summary.csv")).is_ok_and(|m| m.is_file()));
    let command = [&RUN[..], &["--samples"]].concat();
    assert_kills_leave_one_whole_run(dir.path(), &base, &command, 8, 3);
}

/// A merge killed at any point leaves the old run or the merged one, whole.
#[test]
fn a_killed_merge_leaves_one_whole_run() {
    if !common::have_strace() {
        return;
    }
    let dir = earlier_outputs();
    let base = dir.path().join("base");
    std::fs::remove_dir_all(base.join("baseline/shards")).expect("remove shards");
    for shard in ["1/2", "2/2"] {
        let flags = ["--samples", "--shard", shard, "--out", "base"];
        ok(dir.path(), &[&RUN[..], &flags].concat());
    }
    assert_kills_leave_one_whole_run(dir.path(), &base, &["merge", "baseline"], 5, 3);
}

/// Runs `samples` (the run's samples flags) over a copy of the earlier outputs with the `k`-th
/// call of each of `syscalls` in every thread failing with ENOSPC, for k = 1 up to `most` or the
/// first run that succeeds; asserts that each failed run exits with code 1 and the message and
/// leaves every file as it was, with no temporary file. The number of failed runs.
fn full_disk_runs(samples: &[&str], syscalls: &[&str], most: usize) -> usize {
    let dir = earlier_outputs();
    let base = dir.path().join("base");
    let before = common::snapshot(&base);
    let out = dir.path().join("out");
    let args = [&RUN[..], samples, &["--out", "out"]].concat();
    let mut failures = 0;
    for syscall in syscalls {
        for k in 1..=most {
            let _ = std::fs::remove_dir_all(&out);
            copy_tree(&base, &out);
            let output = traced(
                dir.path(),
                syscall,
                &format!("error=ENOSPC:when={k}"),
                &args,
            );
            let stderr = String::from_utf8_lossy(&output.stderr);
            let context = format!("ENOSPC at {syscall} #{k}: {stderr}");
            if output.status.success() {
                break;
            }
            failures += 1;
            assert_eq!(output.status.code(), Some(1), "{context}");
            // strace counts calls thread by thread: the first write of the main thread, which
            // writes nothing but the error message, fails too when k = 1.
            assert!(
                stderr.contains("No space left on device") || (k == 1 && stderr.is_empty()),
                "{context}"
            );
            assert!(common::snapshot(&out) == before, "{context}: files changed");
            assert_eq!(leftovers(&out), Vec::<PathBuf>::new(), "{context}");
        }
    }
    failures
}

/// A full disk at any write or flush: exit code 1, a message saying so, and every file as it
/// was, with no temporary file, right away.
#[test]
fn a_full_disk_at_any_write_changes_nothing() {
    if !common::have_strace() {
        return;
    }
    let failures = full_disk_runs(&["--samples"], &WRITES, usize::MAX);
    assert!(failures >= 10, "only {failures} writes failed");
}

/// A full disk at the first writes and flushes of a run writing `samples.parquet`, whose file
/// is written by a thread of its own (strace counts each thread's calls, so `when=K` fails the
/// K-th of every thread's): exit code 1, the message, and every file as it was.
#[test]
fn a_full_disk_under_parquet_samples_changes_nothing() {
    if !common::have_strace() {
        return;
    }
    let failures = full_disk_runs(&["--samples-format", "parquet"], &["write", "fsync"], 3);
    assert!(failures >= 3, "only {failures} runs failed");
}

/// A real full disk: a 1 MiB tmpfs holding an earlier run, then a run whose samples do not fit.
/// Needs the right to mount (root); skipped, saying so, without it.
#[test]
fn a_real_full_disk_changes_nothing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("out");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&out)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(out.clone());
    let d = dir.path();
    ok(
        d,
        &[
            "run",
            "baseline",
            "--trials",
            "1000",
            "--samples",
            "--out",
            "out",
        ],
    );
    ok(d, &["run", "mason", "--trials", "1000", "--out", "out"]);
    let before = common::snapshot(&out);
    // CSV samples, then Parquet's (written by their own threads: the error comes back from
    // the thread writing the file).
    for format in ["csv", "parquet"] {
        let output = treatysim(
            d,
            &[
                "run",
                "baseline",
                "--trials",
                "20000",
                "--samples-format",
                format,
                "--out",
                "out",
            ],
        )
        .output()
        .expect("treatysim");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{format}: {stderr}");
        assert!(
            stderr.contains("No space left on device"),
            "{format}: {stderr}"
        );
        assert!(common::snapshot(&out) == before, "{format}: files changed");
        assert_eq!(leftovers(&out), Vec::<PathBuf>::new(), "{format}");
    }
    // Space enough for a run without samples: it replaces the old one, samples included.
    ok(d, &["run", "baseline", "--trials", "20000", "--out", "out"]);
    assert!(!out.join("baseline/samples.csv").exists());
    assert_rows_agree(&out, "after the full disk");
}

/// Whether this process runs as root, who may write into read-only folders.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// A read-only `--out`, or a read-only scenario folder: refused before anything is simulated
/// (`--trials 1e12` would take hours) with exit code 1, everything as it was. As root the
/// command runs as `nobody` (setpriv), since root may write anyway, from copies of the binary
/// and the scenarios outside the checkout, which `nobody` may not be able to enter.
#[test]
fn read_only_folders_are_refused_before_any_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = earlier_outputs();
    let d = dir.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = d.join("base");
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    // Everything writable by the user the command runs as, as it would be for its owner.
    for path in common::files_under(&out).into_iter().chain([
        out.clone(),
        out.join("baseline"),
        out.join("mason"),
    ]) {
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_symlink()) {
            let dir = path.is_dir();
            mode(&path, if dir { 0o777 } else { 0o666 });
        }
    }
    for version in std::fs::read_dir(out.join("baseline")).expect("folder") {
        let path = version.expect("entry").path();
        if path.is_dir() {
            mode(&path, 0o777);
        }
    }
    // As root the command runs as `nobody`, who may not enter the checkout (a clone in a 0700
    // folder, root's home): the binary and the scenarios it needs are copied into `d`, which
    // everyone may enter.
    let (program, scenarios) = if is_root() {
        let program = d.join("treatysim");
        std::fs::copy(common::bin(), &program).expect("copy the binary");
        mode(&program, 0o755);
        let scenarios = d.join("shipped");
        std::fs::create_dir(&scenarios).expect("folder");
        for entry in std::fs::read_dir(common::shipped_scenarios()).expect("scenarios") {
            let path = entry.expect("entry").path();
            let copy = scenarios.join(path.file_name().expect("name"));
            std::fs::copy(&path, &copy).expect("copy a scenario");
            mode(&copy, 0o644);
        }
        mode(&scenarios, 0o755);
        (program, scenarios)
    } else {
        (PathBuf::from(common::bin()), common::shipped_scenarios())
    };
    let before = common::snapshot(&out);
    for read_only in [out.clone(), out.join("baseline")] {
        mode(&read_only, 0o555);
        let nobody: &[&str] = if is_root() {
            &[
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
            ]
        } else {
            &[]
        };
        let output = Command::new("timeout")
            .current_dir(d)
            .args(["-s", "KILL", "60"])
            .args(nobody)
            .arg(&program)
            .args([
                "run",
                "baseline",
                "--samples",
                "--trials",
                "1e12",
                "--out",
                "base",
                "--scenarios",
            ])
            .arg(&scenarios)
            .output()
            .expect("treatysim");
        mode(&read_only, 0o777);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let context = format!("{} read-only: {stderr}", read_only.display());
        assert_eq!(output.status.code(), Some(1), "{context}");
        assert!(stderr.contains("Permission denied"), "{context}");
        assert!(
            stderr.contains(&format!(
                "'{}'",
                read_only.strip_prefix(d).expect("in d").display()
            )),
            "{context}"
        );
        assert!(common::snapshot(&out) == before, "{context}: files changed");
        assert_eq!(leftovers(&out), Vec::<PathBuf>::new(), "{context}");
    }
}

/// A root `summary.csv` that is not treatysim's (other columns, a row with a bad name or a
/// missing field, two rows of one scenario, a folder) is refused with exit code 2 before
/// anything is simulated (`--trials 1e12`) or written, by `run` and by `merge`; so are a
/// scenario folder that is a link out of `--out`, a run file that is a folder, and an `--out`
/// that is a file.
#[test]
fn outputs_that_are_not_treatysims_are_refused_before_any_write() {
    let dir = earlier_outputs();
    let d = dir.path();
    let base = d.join("base");
    let (header, rows) = common::read_csv(&base.join("summary.csv"));
    let header = header.join(",");
    let row = rows[0].join(",");
    let foreign_roots: [(&str, String); 5] = [
        ("its columns are", "name,value\nbaseline,1\n".to_string()),
        (
            "not a valid name",
            format!("{header}\n../x{}\n", &row[row.find(',').expect(",")..]),
        ),
        (
            "fields where the header has",
            format!("{header}\nbaseline,1\n"),
        ),
        ("a second row", format!("{header}\n{row}\n{row}\n")),
        ("it is a folder", String::new()),
    ];
    let out = d.join("out");
    let run = [
        "run",
        "baseline",
        "--samples",
        "--trials",
        "1e12",
        "--out",
        "out",
    ];
    let merge = ["merge", "baseline", "--out", "out"];
    let refused = |args: &[&str], expected: &str| {
        let before = common::snapshot(&out);
        let output = treatysim(d, args).output().expect("treatysim");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let context = format!("{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(2), "{context}");
        assert!(stderr.contains(expected), "{context}");
        assert!(common::snapshot(&out) == before, "{context}: files changed");
        assert_eq!(leftovers(&out), Vec::<PathBuf>::new(), "{context}");
    };
    // `out`: a copy of `base` with the shard that completes its shards.
    let fresh_out = || {
        let _ = std::fs::remove_dir_all(&out);
        copy_tree(&base, &out);
        ok(
            d,
            &[
                "run", "baseline", "--trials", "1000", "--shard", "2/2", "--out", "out",
            ],
        );
    };
    for (expected, text) in &foreign_roots {
        fresh_out();
        let root = out.join("summary.csv");
        std::fs::remove_file(&root).expect("remove");
        if text.is_empty() {
            std::fs::create_dir(&root).expect("folder");
        } else {
            std::fs::write(&root, text).expect("write");
        }
        refused(&run, expected);
        refused(&merge, expected);
    }
    // A scenario folder that is a link to a folder outside --out.
    fresh_out();
    let outside = d.join("outside");
    std::fs::create_dir(&outside).expect("outside");
    std::fs::rename(out.join("baseline"), outside.join("baseline")).expect("move");
    std::os::unix::fs::symlink(outside.join("baseline"), out.join("baseline")).expect("link");
    let outside_before = common::snapshot(&outside);
    refused(&run, "is a symbolic link");
    refused(&merge, "is a symbolic link");
    assert!(
        common::snapshot(&outside) == outside_before,
        "wrote outside --out"
    );
    // A run file that is a folder.
    let _ = std::fs::remove_dir_all(&out);
    copy_tree(&base, &out);
    std::fs::remove_file(out.join("baseline/samples.csv")).expect("remove");
    std::fs::create_dir(out.join("baseline/samples.csv")).expect("folder");
    refused(&run, "is a folder where treatysim writes");
    // --out a file.
    let _ = std::fs::remove_dir_all(&out);
    std::fs::write(&out, "").expect("file");
    let output = treatysim(d, &run).output().expect("treatysim");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a folder"));
}

/// Where symbolic links cannot be made (FAT and the like; simulated by failing every `symlink`
/// with EPERM), runs still work, with plain files renamed into place one by one, and a run
/// without `--samples` still removes the samples of the run before.
#[test]
fn without_symbolic_links_runs_write_plain_files() {
    if !common::have_strace() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let d = dir.path();
    let folder = d.join("out/baseline");
    for (samples, seed) in [(true, "1"), (false, "2")] {
        let mut args = vec!["run", "baseline", "--trials", "1000", "--seed", seed];
        if samples {
            args.push("--samples");
        }
        args.extend(["--out", "out"]);
        let output = traced(d, "symlink,symlinkat", "error=EPERM", &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {stderr}");
        for file in ["summary.csv", "timeline.csv"] {
            let kind = std::fs::symlink_metadata(folder.join(file)).expect(file);
            assert!(kind.is_file(), "{file} is not a plain file");
        }
        assert_eq!(folder.join("samples.csv").exists(), samples);
        assert!(!folder.join(".run").exists());
        assert_rows_agree(&d.join("out"), &format!("{args:?}"));
        assert_eq!(leftovers(&d.join("out")), Vec::<PathBuf>::new());
    }
}

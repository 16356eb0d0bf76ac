//! Kill-and-check: the crash tests' machinery for killing or failing the binary at chosen
//! system calls (through strace) and checking that `<out>/NAME/` shows the old run or the new
//! run whole, with the folder's other files untouched and nothing left behind.

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// System calls that change a folder's entries, where the writer is killed in turn.
pub const MUTATIONS: [&str; 12] = [
    "mkdir",
    "mkdirat",
    "symlink",
    "symlinkat",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "unlink",
    "unlinkat",
    "rmdir",
];

/// System calls through which a full disk shows.
pub const WRITES: [&str; 6] = [
    "write",
    "writev",
    "pwrite64",
    "fsync",
    "fdatasync",
    "copy_file_range",
];

/// A run's files, as `<out>/NAME/` shows them, `run.toml` included.
pub const RUN_FILES: [&str; 4] = ["summary.csv", "timeline.csv", "samples.csv", "run.toml"];

/// `treatysim ARGS --scenarios <shipped>` in `dir`, killed if still running after a minute
/// (a check that came after the simulation would leave `--trials 1e12` running for hours).
pub fn treatysim(dir: &Path, args: &[&str]) -> Command {
    treatysim_as(dir, &[], args)
}

/// [`treatysim`] run through `wrapper` (`setpriv ...`), if not empty.
pub fn treatysim_as(dir: &Path, wrapper: &[&str], args: &[&str]) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.current_dir(dir)
        .args(["-s", "KILL", "60"])
        .args(wrapper)
        .arg(common::bin())
        .args(args)
        .args(common::shipped_args(args));
    cmd
}

/// Runs `treatysim ARGS` in `dir` and expects success.
pub fn ok(dir: &Path, args: &[&str]) {
    let output = treatysim(dir, args).output().expect("treatysim");
    assert!(
        output.status.success(),
        "treatysim {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A run's files in `folder` as a reader sees them (file name → bytes; absent ones absent).
/// In `run.toml`, the command line's `--out reference` (where the reference run was written)
/// reads `--out out`.
pub fn run_files(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    RUN_FILES
        .iter()
        .filter_map(|f| {
            std::fs::read(folder.join(f)).ok().map(|b| {
                let b = if *f == "run.toml" {
                    String::from_utf8(b)
                        .expect("UTF-8")
                        .replace("\"--out\", \"reference\"", "\"--out\", \"out\"")
                        .into_bytes()
                } else {
                    b
                };
                (f.to_string(), b)
            })
        })
        .collect()
}

/// [`run_files`] but `run.toml`, which other commands writing into the folder update.
pub fn run_data(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = run_files(folder);
    files.remove("run.toml");
    files
}

/// Asserts that `<folder>/run.toml` describes exactly the files beside it: every file it lists
/// is there with that SHA-256, and every run file there is listed.
pub fn assert_run_toml_agrees(folder: &Path, context: &str) {
    let path = folder.join("run.toml");
    let toml = treatysim::export::RunToml::read(&path)
        .unwrap_or_else(|e| panic!("{context}: {e}"))
        .unwrap_or_else(|| panic!("{context}: no run.toml"));
    for (file, hash) in &toml.files {
        let bytes = std::fs::read(folder.join(file))
            .unwrap_or_else(|e| panic!("{context}: run.toml lists {file}, absent: {e}"));
        assert_eq!(
            &treatysim::digest::sha256_hex(&bytes),
            hash,
            "{context}: {file} disagrees with run.toml"
        );
    }
    for file in RUN_FILES.iter().filter(|f| **f != "run.toml") {
        if folder.join(file).exists() {
            assert!(
                toml.files.contains_key(*file),
                "{context}: {file} is not in run.toml"
            );
        }
    }
}

/// Everything else a reader sees under `folder`.
pub fn other_files(folder: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = common::snapshot(folder);
    files.retain(|path, _| !RUN_FILES.iter().any(|f| path == Path::new(f)));
    files
}

/// Copies a folder tree, symbolic links as links.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().expect("file type");
        if kind.is_symlink() {
            let link = std::fs::read_link(&source).expect("read link");
            std::os::unix::fs::symlink(link, &target).expect("symlink");
        } else if kind.is_dir() {
            copy_tree(&source, &target);
        } else {
            std::fs::copy(&source, &target).expect("copy");
        }
    }
}

/// What writers left under `out`: temporary files and links, version folders that `.run` does
/// not point to, links that lead nowhere, and the lock file.
pub fn leftovers(out: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let current = std::fs::read_link(dir.join(".run")).ok();
        for entry in entries {
            let entry = entry.expect("entry");
            let (path, name) = (entry.path(), entry.file_name());
            let kind = entry.file_type().expect("file type");
            let dangling = kind.is_symlink() && std::fs::metadata(&path).is_err();
            let hidden = name.to_string_lossy().starts_with('.');
            let ours = name == ".run" || current.as_deref() == Some(Path::new(&name));
            if dangling || (hidden && !ours) {
                found.push(path);
            } else if kind.is_dir() {
                stack.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Asserts that `<out>/summary.csv` has a row for each folder holding a summary, equal to the
/// folder's one row.
pub fn assert_rows_agree(out: &Path, context: &str) {
    let (_, rows) = common::read_csv(&out.join("summary.csv"));
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(out).expect("out") {
        let path = entry.expect("entry").path();
        if path.join("summary.csv").is_file() {
            let (_, own) = common::read_csv(&path.join("summary.csv"));
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let row = rows.iter().find(|r| r[0] == name);
            assert_eq!(row, own.first(), "{context}: the row of {name}");
            folders.push(name);
        }
    }
    assert_eq!(rows.len(), folders.len(), "{context}: rows {rows:?}");
}

/// For a diagnostic: which run each file shows.
pub fn describe(
    got: &BTreeMap<String, Vec<u8>>,
    old: &BTreeMap<String, Vec<u8>>,
    new: &BTreeMap<String, Vec<u8>>,
) -> String {
    RUN_FILES
        .iter()
        .map(|f| {
            let which = match (got.get(*f), old.get(*f), new.get(*f)) {
                (None, _, _) => "absent",
                (g, o, _) if g == o => "old",
                (g, _, n) if g == n => "new",
                _ => "neither",
            };
            format!("{f}: {which}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `treatysim ARGS` (with `--scenarios <shipped>`) in `dir` under strace, with `inject` applied
/// to `syscalls` (comma-separated; those this architecture lacks, such as `rename` on arm64,
/// are ignored).
pub fn traced(dir: &Path, syscalls: &str, inject: &str, args: &[&str]) -> Output {
    let set: Vec<String> = syscalls.split(',').map(|s| format!("?{s}")).collect();
    let set = set.join(",");
    common::strace()
        .current_dir(dir)
        .arg("-e")
        .arg(format!("trace={set}"))
        .arg("-e")
        .arg(format!("inject={set}:{inject}"))
        .arg(common::bin())
        .args(args)
        .args(common::shipped_args(args))
        .output()
        .expect("strace")
}

/// [`kill_everywhere`], asserting that at least `olds` kills left the old run and at least
/// `news` the new one (each outcome must be seen, or the kills missed the switch).
pub fn assert_kills_leave_one_whole_run(
    dir: &Path,
    base: &Path,
    command: &[&str],
    olds: usize,
    news: usize,
) {
    let (old, new) = kill_everywhere(dir, base, command);
    eprintln!("{old} kills left the old run, {new} the new");
    assert!(old >= olds && new >= news, "{old} old, {new} new");
}

/// Kills `command` (with `--out out`) at every call of every system call that changes a
/// folder, each time on a fresh copy of the folder `base` as `out`, and checks what the module
/// says; `NAME` is `baseline`. Returns how many kills left the old run and how many the new.
pub fn kill_everywhere(dir: &Path, base: &Path, command: &[&str]) -> (usize, usize) {
    // What the command writes when it is not killed.
    let reference = dir.join("reference");
    copy_tree(base, &reference);
    let mut args = command.to_vec();
    args.extend(["--out", "reference"]);
    ok(dir, &args);
    let new = run_files(&reference.join("baseline"));
    std::fs::remove_dir_all(&reference).expect("remove");
    let old = run_files(&base.join("baseline"));
    let others = other_files(&base.join("baseline"));
    assert_ne!(old, new);
    let mut args = command.to_vec();
    args.extend(["--out", "out"]);
    let out = dir.join("out");
    let (mut olds, mut news) = (0, 0);
    for syscall in MUTATIONS {
        for k in 1.. {
            let _ = std::fs::remove_dir_all(&out);
            copy_tree(base, &out);
            let output = traced(dir, syscall, &format!("signal=SIGKILL:when={k}"), &args);
            let context = format!("{command:?} killed at {syscall} #{k}");
            if output.status.signal() != Some(9) {
                assert!(
                    output.status.success(),
                    "{context}: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                assert_eq!(
                    run_files(&out.join("baseline")),
                    new,
                    "{syscall} not killed"
                );
                break;
            }
            let folder = out.join("baseline");
            let got = run_files(&folder);
            if got == old {
                olds += 1;
            } else if got == new {
                news += 1;
            } else {
                panic!("{context}: two runs mixed: {}", describe(&got, &old, &new));
            }
            assert!(
                other_files(&folder) == others,
                "{context}: other files changed"
            );
            assert_run_toml_agrees(&folder, &context);
            // The root summary is whole (renamed into place), if behind.
            common::read_csv(&out.join("summary.csv"));
            // A command that writes into the folder without the lock on --out removes what
            // the killed one left, and changes nothing a reader sees of the run.
            ok(
                dir,
                &[
                    "sweep",
                    "baseline",
                    "--param",
                    "process.summit_rate=0.3",
                    "--trials",
                    "100",
                    "--out",
                    "out",
                ],
            );
            assert_eq!(leftovers(&folder), Vec::<PathBuf>::new(), "{context}");
            let mut data = got.clone();
            data.remove("run.toml");
            assert!(
                run_data(&folder) == data,
                "{context}: tidying changed the run"
            );
            assert_run_toml_agrees(&folder, &context);
            // The next run into --out brings every row up to date and leaves nothing behind.
            ok(dir, &["run", "mason", "--trials", "100", "--out", "out"]);
            assert_rows_agree(&out, &context);
            assert_eq!(leftovers(&out), Vec::<PathBuf>::new(), "{context}");
        }
    }
    (olds, news)
}

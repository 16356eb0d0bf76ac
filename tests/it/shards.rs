//! Scale-out (SPEC §9): `--shard K/N` and `treatysim merge`, through the binary, and the
//! example scripts in `examples/`.
//!
//! The central property: running N shards (in any order) and merging them writes exactly the
//! bytes the unsharded command writes. Every test works in a fresh temporary folder and reads
//! the shipped scenarios in place.

use crate::common;

use common::{read_csv, shipped_scenarios, treatysim};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Trials of most tests: not divisible by 3 or 7, and three 4096-trial blocks (so N = 7 is
/// more shards than blocks, and shard boundaries fall inside blocks).
const TRIALS: &str = "10001";
const SEED: &str = "11";

/// `treatysim ARGS --scenarios <shipped>` in `dir` (`merge` and `plot` read no scenario
/// and take no `--scenarios`).
fn sim(dir: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = treatysim(dir);
    cmd.args(args);
    if !matches!(args.first(), Some(&"merge" | &"plot")) {
        cmd.arg("--scenarios").arg(shipped_scenarios());
    }
    cmd
}

/// Runs a command ([`common::ok_shipped`]) and expects success.
fn ok(dir: &Path, args: &[&str]) {
    common::ok_shipped(dir, args);
}

/// Runs a command ([`common::rejected_shipped`]), expects it refused (exit code 2, an error
/// line, no panic), and returns its stderr.
fn refused(dir: &Path, args: &[&str]) -> String {
    common::rejected_shipped(dir, args, &[])
}

/// Every file under `root` (relative path → bytes), `shards/` folders included or not.
fn snapshot(root: &Path, with_shards: bool) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = common::snapshot(root);
    if !with_shards {
        files.retain(|path, _| !path.components().any(|c| c.as_os_str() == "shards"));
    }
    files
}

/// Asserts that `merged` holds exactly the files of `unsharded` (outside `shards/`), byte for
/// byte, and that they include `expected` (paths relative to the output folder).
fn assert_same_outputs(unsharded: &Path, merged: &Path, expected: &[&str]) {
    let a = snapshot(unsharded, false);
    let b = snapshot(merged, false);
    for name in expected {
        assert!(
            a.contains_key(Path::new(name)),
            "the unsharded command did not write {name}; it wrote {:?}",
            a.keys().collect::<Vec<_>>()
        );
    }
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "merge wrote other files than the unsharded command ({} vs {})",
        merged.display(),
        unsharded.display()
    );
    for (path, bytes) in &a {
        let other = &b[path];
        if bytes != other {
            let (x, y) = (
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(other),
            );
            let line = x
                .lines()
                .zip(y.lines())
                .position(|(p, q)| p != q)
                .unwrap_or(x.lines().count().min(y.lines().count()));
            panic!(
                "{} differs from the unsharded file at line {}:\n  unsharded: {:?}\n  merged:    {:?}",
                path.display(),
                line + 1,
                x.lines().nth(line),
                y.lines().nth(line)
            );
        }
    }
}

/// 1..=n in a shuffled order (fixed per `salt`), never the natural one when n > 1.
fn shuffled(n: u64, salt: u64) -> Vec<u64> {
    let mut order: Vec<u64> = (1..=n).collect();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ salt.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in (1..order.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    if n > 1 && order.windows(2).all(|w| w[0] < w[1]) {
        order.reverse();
    }
    order
}

/// Runs `command NAME ARGS --shard K/N` for every K, in a shuffled order.
fn run_shards(dir: &Path, command: &[&str], n: u64, args: &[&str]) {
    for k in shuffled(n, n ^ command.len() as u64) {
        let shard = format!("{k}/{n}");
        let mut all: Vec<&str> = command.to_vec();
        all.extend_from_slice(args);
        all.extend(["--shard", shard.as_str()]);
        ok(dir, &all);
    }
}

/// The concatenation of argument lists.
fn cat<'a>(parts: &[&[&'a str]]) -> Vec<&'a str> {
    parts.concat()
}

fn out_arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temporary path")
}

/// The scenario column of a summary.csv.
fn summary_scenarios(path: &Path) -> Vec<String> {
    let (header, rows) = read_csv(path);
    assert_eq!(header[0], "scenario");
    rows.into_iter().map(|r| r[0].clone()).collect()
}

/// The sharded `run` with --samples, for one estimator, against the unsharded one.
fn run_matches_unsharded(estimator: &str, trials: &str, shard_counts: &[u64]) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let a = dir.join("a");
    let run = [
        "--trials",
        trials,
        "--seed",
        SEED,
        "--estimator",
        estimator,
        "--samples",
    ];
    // Rows of other scenarios in <out>/summary.csv (both sort after "baseline"): the merge's
    // upsert must keep them and put baseline's row first.
    let others = |out: &Path| {
        for name in ["mason", "hindsight_2020"] {
            ok(
                dir,
                &["run", name, "--trials", "2000", "--out", out_arg(out)],
            );
        }
    };
    others(&a);
    let mut args = vec!["run", "baseline", "--out", out_arg(&a)];
    args.extend(run);
    ok(dir, &args);
    for &n in shard_counts {
        let b = dir.join(format!("b{n}"));
        others(&b);
        let before = snapshot(&b, false);
        run_shards(
            dir,
            &["run", "baseline"],
            n,
            &cat(&[&["--out", out_arg(&b)], &run]),
        );
        // Shards write only under shards/: no summary, no timeline, <out>/summary.csv as it was.
        assert_eq!(snapshot(&b, false), before, "a shard wrote outside shards/");
        let shards = b.join("baseline/shards");
        for k in 1..=n {
            assert!(shards.join(format!("run-{k}-of-{n}.toml")).is_file());
            assert!(shards.join(format!("samples-{k}-of-{n}.csv")).is_file());
        }
        ok(dir, &["merge", "baseline", "--out", out_arg(&b)]);
        assert_same_outputs(
            &a,
            &b,
            &[
                "summary.csv",
                "baseline/summary.csv",
                "baseline/timeline.csv",
                "baseline/samples.csv",
            ],
        );
        assert_eq!(
            summary_scenarios(&b.join("summary.csv")),
            ["baseline", "hindsight_2020", "mason"]
        );
        // Merging again gives the same files.
        ok(dir, &["merge", "baseline", "--out", out_arg(&b)]);
        assert_same_outputs(&a, &b, &[]);
    }
}

#[test]
fn run_shards_merge_to_the_unsharded_files_conditional() {
    run_matches_unsharded("conditional", TRIALS, &[3, 7]);
}

#[test]
fn run_shards_merge_to_the_unsharded_files_indicator() {
    run_matches_unsharded("indicator", TRIALS, &[3, 7]);
}

/// 13 blocks of trials: shards of several blocks (N = 4) and shards smaller than a block whose
/// boundaries fall inside blocks (N = 13).
#[test]
fn run_shards_spanning_many_blocks() {
    run_matches_unsharded("conditional", "50001", &[4, 13]);
}

/// A multilateral scenario (three issues, two outside parties, a leader who may leave), named
/// by its path: its parameter columns and leader-exit months merge as exactly as the
/// baseline's.
#[test]
fn multilateral_run_shards_merge_to_the_unsharded_files() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let (a, b) = (dir.join("a"), dir.join("b"));
    let name = "israel_saudi_normalisation";
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/scenarios")
        .join(format!("{name}.toml"));
    let run = ["--trials", TRIALS, "--seed", SEED, "--samples"];
    ok(
        dir,
        &cat(&[&["run", out_arg(&path), "--out", out_arg(&a)], &run]),
    );
    run_shards(
        dir,
        &["run", out_arg(&path)],
        3,
        &cat(&[&["--out", out_arg(&b)], &run]),
    );
    ok(dir, &["merge", name, "--out", out_arg(&b)]);
    let files = ["summary", "timeline", "samples"].map(|f| format!("{name}/{f}.csv"));
    let mut expected = vec!["summary.csv"];
    expected.extend(files.iter().map(String::as_str));
    assert_same_outputs(&a, &b, &expected);
    let (header, _) = read_csv(&b.join(format!("{name}/samples.csv")));
    assert!(
        header.iter().any(|h| h == "party.israel.leader_exit_month"),
        "{header:?}"
    );
}

/// More shards than trials: some shards are empty, and the merge is still exact.
#[test]
fn more_shards_than_trials() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    for estimator in ["conditional", "indicator"] {
        let a = dir.join(format!("a-{estimator}"));
        let b = dir.join(format!("b-{estimator}"));
        let run = ["--trials", "5", "--estimator", estimator, "--samples"];
        ok(
            dir,
            &cat(&[&["run", "baseline", "--out", out_arg(&a)], &run]),
        );
        run_shards(
            dir,
            &["run", "baseline"],
            7,
            &cat(&[&["--out", out_arg(&b)], &run]),
        );
        ok(dir, &["merge", "baseline", "--out", out_arg(&b)]);
        assert_same_outputs(
            &a,
            &b,
            &[
                "baseline/summary.csv",
                "baseline/timeline.csv",
                "baseline/samples.csv",
            ],
        );
    }
}

/// A sweep over one parameter (N = 3) and two (N = 7), each estimator once.
#[test]
fn sweep_shards_merge_to_the_unsharded_files() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let cases: [(&[&str], &str, u64, &str); 2] = [
        (
            &["--param", "party.japan.will=0:1:0.25"],
            "baseline/sweep-party.japan.will.csv",
            3,
            "conditional",
        ),
        (
            &[
                "--param",
                "party.japan.will=0.2,0.8",
                "--param",
                "party.russia.will=0.3:0.6:0.15",
            ],
            "baseline/sweep-party.japan.will-party.russia.will.csv",
            7,
            "indicator",
        ),
    ];
    for (i, (params, file, n, estimator)) in cases.into_iter().enumerate() {
        let a = dir.join(format!("a{i}"));
        let b = dir.join(format!("b{i}"));
        let common = cat(&[
            params,
            &["--trials", TRIALS, "--seed", SEED, "--estimator", estimator],
        ]);
        ok(
            dir,
            &cat(&[&["sweep", "baseline", "--out", out_arg(&a)], &common]),
        );
        run_shards(
            dir,
            &["sweep", "baseline"],
            n,
            &cat(&[&["--out", out_arg(&b)], &common]),
        );
        assert!(!b.join(file).exists(), "a sweep shard wrote {file}");
        ok(dir, &["merge", "baseline", "--out", out_arg(&b)]);
        assert_same_outputs(&a, &b, &[file]);
        let (_, rows) = read_csv(&b.join(file));
        assert_eq!(rows.len(), if i == 0 { 5 } else { 6 });
    }
}

/// Sensitivity with N = 3 (default bins, conditional) and N = 7 (4 bins, indicator).
#[test]
fn sensitivity_shards_merge_to_the_unsharded_files() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let cases: [(u64, &[&str]); 2] = [
        (3, &["--estimator", "conditional"]),
        (7, &["--estimator", "indicator", "--bins", "4"]),
    ];
    for (n, extra) in cases {
        let a = dir.join(format!("a{n}"));
        let b = dir.join(format!("b{n}"));
        let common = cat(&[extra, &["--trials", TRIALS, "--seed", SEED]]);
        ok(
            dir,
            &cat(&[&["sensitivity", "baseline", "--out", out_arg(&a)], &common]),
        );
        run_shards(
            dir,
            &["sensitivity", "baseline"],
            n,
            &cat(&[&["--out", out_arg(&b)], &common]),
        );
        assert!(
            snapshot(&b, false).is_empty(),
            "a sensitivity shard wrote outside shards/"
        );
        ok(dir, &["merge", "baseline", "--out", out_arg(&b)]);
        assert_same_outputs(
            &a,
            &b,
            &["baseline/sensitivity.csv", "baseline/sensitivity_bins.csv"],
        );
    }
}

/// One merge writes every output whose shards are in the folder, each with its own N.
#[test]
fn one_merge_writes_run_sweep_and_sensitivity_together() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let (a, b) = (dir.join("a"), dir.join("b"));
    let common = ["--trials", "9000", "--seed", SEED];
    let sweep = cat(&[&["--param", "issue.security.leverage.us=0,0.5,1"], &common]);
    // b starts with an unsharded togo run: merge must overwrite it with the same bytes.
    for out in [&a, &b] {
        ok(
            dir,
            &cat(&[&["run", "togo", "--out", out_arg(out)], &common]),
        );
    }
    ok(
        dir,
        &cat(&[&["sweep", "togo", "--out", out_arg(&a)], &sweep]),
    );
    ok(
        dir,
        &cat(&[&["sensitivity", "togo", "--out", out_arg(&a)], &common]),
    );
    let ob = ["--out", out_arg(&b)];
    run_shards(dir, &["run", "togo"], 2, &cat(&[&ob, &common]));
    run_shards(dir, &["sweep", "togo"], 5, &cat(&[&ob, &sweep]));
    run_shards(dir, &["sensitivity", "togo"], 4, &cat(&[&ob, &common]));
    ok(dir, &["merge", "togo", "--out", out_arg(&b)]);
    assert_same_outputs(
        &a,
        &b,
        &[
            "summary.csv",
            "togo/summary.csv",
            "togo/timeline.csv",
            "togo/sweep-issue.security.leverage.us.csv",
            "togo/sensitivity.csv",
            "togo/sensitivity_bins.csv",
        ],
    );
}

/// Shards read the same scenario from different folders (another working directory, another
/// machine's checkout): the scenario is the same, so they merge, to the same bytes.
#[test]
fn shards_reading_the_scenario_from_other_folders_merge() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let (a, b) = (dir.join("a"), dir.join("b"));
    ok(
        dir,
        &["run", "baseline", "--trials", TRIALS, "--out", out_arg(&a)],
    );
    // A copy of the shipped scenarios in another folder.
    let copy = dir.join("checkout");
    std::fs::create_dir_all(copy.join("scenarios")).expect("mkdir");
    for entry in std::fs::read_dir(shipped_scenarios()).expect("scenarios") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(
                &path,
                copy.join("scenarios").join(path.file_name().unwrap()),
            )
            .expect("copy");
        }
    }
    let shipped = shipped_scenarios();
    let shipped = out_arg(&shipped);
    // (working directory, --scenarios) of shards 1, 2 and 3.
    let runs: [(&Path, &str); 3] = [
        (dir, shipped),
        (Path::new(env!("CARGO_MANIFEST_DIR")), "scenarios"),
        (&copy, "scenarios"),
    ];
    for (k, (cwd, scenarios)) in runs.into_iter().enumerate() {
        let shard = format!("{}/3", k + 1);
        treatysim(cwd)
            .args(["run", "baseline", "--trials", TRIALS, "--out", out_arg(&b)])
            .args(["--scenarios", scenarios, "--shard", &shard])
            .assert()
            .success();
    }
    ok(dir, &["merge", "baseline", "--out", out_arg(&b)]);
    assert_same_outputs(
        &a,
        &b,
        &[
            "summary.csv",
            "baseline/summary.csv",
            "baseline/timeline.csv",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Refusals: exit 2, a message naming the problem, and nothing written by merge.

/// A folder `b` with the three shards of `run baseline --samples` (N = 3, 6000 trials unless
/// `extra(k)`, shard k's extra arguments, gives --trials).
fn three_shards(dir: &Path, extra: impl Fn(u64) -> Vec<&'static str>) -> PathBuf {
    let b = dir.join("b");
    for k in [2u64, 3, 1] {
        let shard = format!("{k}/3");
        let more = extra(k);
        let mut args = vec!["run", "baseline", "--samples", "--out", out_arg(&b)];
        args.extend(["--shard", &shard]);
        if !more.contains(&"--trials") {
            args.extend(["--trials", "6000"]);
        }
        args.extend(more.iter().copied());
        ok(dir, &args);
    }
    b
}

/// `merge baseline --out b` is refused with a message holding every one of `needles`, and
/// writes nothing: the folder is as it was, and no merged file exists.
fn merge_refused(dir: &Path, b: &Path, needles: &[&str]) -> String {
    let before = snapshot(b, true);
    let stderr = refused(dir, &["merge", "baseline", "--out", out_arg(b)]);
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "the refusal should mention {needle:?}: {stderr}"
        );
    }
    assert_eq!(
        snapshot(b, true),
        before,
        "a refused merge changed the folder"
    );
    for merged in [
        "summary.csv",
        "baseline/summary.csv",
        "baseline/timeline.csv",
        "baseline/samples.csv",
        "baseline/sensitivity.csv",
        "baseline/sensitivity_bins.csv",
    ] {
        assert!(!b.join(merged).exists(), "a refused merge wrote {merged}");
    }
    stderr
}

/// Rewrites the body of the shard file at `path` (all but its checksum line) with `edit`, and
/// writes it back with the checksum recomputed: a deliberate forgery, which only the checks of
/// the content can catch. Panics if `edit` changes nothing, so that a test cannot pass on an
/// edit that missed.
fn forge(path: &Path, edit: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(path).expect("read shard");
    let (first, body) = text.split_once('\n').expect("a checksum line");
    assert!(first.starts_with("sha256 = \""), "{first}");
    let edited = edit(body);
    assert_ne!(
        edited,
        body,
        "the edit of {} changed nothing",
        path.display()
    );
    let sealed = format!(
        "sha256 = \"{}\"\n{edited}",
        treatysim::shard::sha256_hex(edited.as_bytes())
    );
    std::fs::write(path, sealed).expect("write shard");
}

/// A shard file's TOML array `key = [...]` (of the first such line), as integers.
fn sums(body: &str, key: &str) -> Vec<u128> {
    let prefix = format!("{key} = [");
    let line = body
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {key} line"));
    line[prefix.len()..line.len() - 1]
        .split(',')
        .map(|x| x.trim().trim_matches('"').parse().expect("a whole number"))
        .collect()
}

/// `body` with the line `key = [...]` replaced by `values`.
fn with_sums(body: &str, key: &str, values: &[u128]) -> String {
    let prefix = format!("{key} = [");
    let list: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    body.lines()
        .map(|l| {
            if l.starts_with(&prefix) {
                format!("{prefix}{}]", list.join(", "))
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn the_three_shards_of_the_refusal_tests_do_merge() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    ok(tmp.path(), &["merge", "baseline", "--out", out_arg(&b)]);
    assert!(b.join("baseline/samples.csv").is_file());
}

#[test]
fn a_missing_shard_is_refused_and_named() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    std::fs::remove_file(b.join("baseline/shards/run-2-of-3.toml")).expect("remove");
    merge_refused(tmp.path(), &b, &["2/3", "missing"]);
    // Two missing: both named.
    std::fs::remove_file(b.join("baseline/shards/run-3-of-3.toml")).expect("remove");
    merge_refused(tmp.path(), &b, &["2/3", "3/3"]);
}

#[test]
fn a_missing_samples_part_is_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    std::fs::remove_file(b.join("baseline/shards/samples-3-of-3.csv")).expect("remove");
    merge_refused(tmp.path(), &b, &["samples-3-of-3.csv"]);
}

#[test]
fn a_duplicated_shard_is_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    let shards = b.join("baseline/shards");
    std::fs::copy(
        shards.join("run-1-of-3.toml"),
        shards.join("run-1-of-3 copy.toml"),
    )
    .expect("copy");
    merge_refused(tmp.path(), &b, &["1/3", "more than once"]);
}

#[test]
fn shards_of_different_n_are_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = dir.join("b");
    for shard in ["1/2", "2/3"] {
        ok(
            dir,
            &[
                "run",
                "baseline",
                "--trials",
                "6000",
                "--out",
                out_arg(&b),
                "--shard",
                shard,
            ],
        );
    }
    merge_refused(dir, &b, &["number of shards"]);
    // A complete set of 3 beside a stray shard of another N: still refused.
    for shard in ["1/3", "3/3"] {
        ok(
            dir,
            &[
                "run",
                "baseline",
                "--trials",
                "6000",
                "--out",
                out_arg(&b),
                "--shard",
                shard,
            ],
        );
    }
    merge_refused(
        dir,
        &b,
        &[
            "number of shards",
            "holds shards of 2 splits of 'run'",
            "1 of N = 2 (run-*-of-2.toml), 3 of N = 3 (run-*-of-3.toml)",
            "shards left from an earlier split stay until removed",
            "baseline/shards' and rerun every shard",
        ],
    );
    // As the message says: without the earlier split's file, the shards merge.
    std::fs::remove_file(b.join("baseline/shards/run-1-of-2.toml")).expect("remove");
    ok(dir, &["merge", "baseline", "--out", out_arg(&b)]);
}

/// Issue #12 item 6: a misspelt NAME is refused (exit 2, nothing written) with the closest
/// scenario that has shards in --out, else the closest in the scenarios folder, else no
/// suggestion.
#[test]
fn a_misspelt_name_is_refused_with_a_suggestion() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = three_shards(dir, |_| vec![]);
    let before = snapshot(&b, true);
    let refused_here = |name: &str| {
        let stderr = refused(dir, &["merge", name, "--out", out_arg(&b)]);
        assert!(
            stderr.starts_with(&format!("error: no shards for '{name}'")),
            "{stderr}"
        );
        assert_eq!(
            snapshot(&b, true),
            before,
            "a refused merge changed the folder"
        );
        assert!(!b.join(name).exists(), "a refused merge created {name}");
        stderr
    };
    let stderr = refused_here("basline");
    assert!(
        stderr.contains("did you mean `baseline`? (") && stderr.contains("has its shards"),
        "{stderr}"
    );
    // No shards under a close name: the scenarios folder's names.
    std::fs::create_dir(dir.join("scenarios")).expect("mkdir");
    std::fs::write(dir.join("scenarios/ceasefire.toml"), "").expect("write");
    let stderr = refused_here("ceasfire");
    assert!(
        stderr.contains("did you mean `ceasefire`? (otherwise run with --shard K/N first)"),
        "{stderr}"
    );
    let stderr = refused_here("zzz");
    assert!(
        !stderr.contains("did you mean") && stderr.contains("run with --shard K/N first"),
        "{stderr}"
    );
}

/// Three shards of which shard `odd` ran with `flags`: their merge is refused with every one
/// of `needles` in the message, and writes nothing ([`merge_refused`]).
fn one_disagreeing_shard_is_refused(odd: u64, flags: &[&'static str], needles: &[&str]) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(
        tmp.path(),
        |k| {
            if k == odd { flags.to_vec() } else { vec![] }
        },
    );
    merge_refused(tmp.path(), &b, needles);
}

#[test]
fn shards_with_a_different_seed_are_refused() {
    one_disagreeing_shard_is_refused(2, &["--seed", "5"], &["seed", "run-2-of-3.toml"]);
}

#[test]
fn shards_with_different_trials_are_refused() {
    one_disagreeing_shard_is_refused(3, &["--trials", "6001"], &["trials", "run-3-of-3.toml"]);
}

#[test]
fn shards_with_a_different_estimator_are_refused() {
    one_disagreeing_shard_is_refused(1, &["--estimator", "indicator"], &["estimator"]);
}

#[test]
fn shards_of_a_different_resolved_scenario_are_refused() {
    one_disagreeing_shard_is_refused(2, &["--set", "party.japan.will=0.5"], &["scenario"]);
}

#[test]
fn shards_with_and_without_samples_are_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = dir.join("b");
    for (shard, samples) in [("1/2", true), ("2/2", false)] {
        let mut args = vec!["run", "baseline", "--trials", "6000", "--out", out_arg(&b)];
        args.extend(["--shard", shard]);
        if samples {
            args.push("--samples");
        }
        ok(dir, &args);
    }
    merge_refused(dir, &b, &["--samples"]);
}

#[test]
fn no_shards_are_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = dir.join("b");
    // No output folder at all.
    let stderr = refused(dir, &["merge", "baseline", "--out", out_arg(&b)]);
    assert!(stderr.contains("no shards"), "{stderr}");
    assert!(!b.exists(), "a refused merge created {}", b.display());
    // An unsharded run, but no shards folder.
    ok(
        dir,
        &["run", "baseline", "--trials", "3000", "--out", out_arg(&b)],
    );
    let before = snapshot(&b, true);
    let stderr = refused(dir, &["merge", "baseline", "--out", out_arg(&b)]);
    assert!(stderr.contains("shards"), "{stderr}");
    assert_eq!(
        snapshot(&b, true),
        before,
        "a refused merge changed the folder"
    );
    // An empty shards folder.
    std::fs::create_dir_all(b.join("baseline/shards")).expect("mkdir");
    let stderr = refused(dir, &["merge", "baseline", "--out", out_arg(&b)]);
    assert!(stderr.contains("no shard files"), "{stderr}");
    assert_eq!(
        snapshot(&b, true),
        before,
        "a refused merge changed the folder"
    );
}

#[test]
fn a_corrupt_shard_is_refused_and_named() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    let path = b.join("baseline/shards/run-2-of-3.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    // Cut in half.
    std::fs::write(&path, &text[..text.len() / 2]).expect("write");
    merge_refused(tmp.path(), &b, &["run-2-of-3.toml"]);
    // Not TOML at all.
    std::fs::write(&path, "garbage = [\n").expect("write");
    merge_refused(
        tmp.path(),
        &b,
        &["run-2-of-3.toml", "not a treatysim shard"],
    );
    // TOML, but not a shard.
    std::fs::write(&path, "output = \"run\"\n").expect("write");
    merge_refused(
        tmp.path(),
        &b,
        &["run-2-of-3.toml", "not a treatysim shard"],
    );
    // A shard whose tally was edited: its checksum no longer matches.
    let edited = text.replacen("trials = \"2000\"", "trials = \"1999\"", 1);
    assert_ne!(
        edited, text,
        "the shard file holds its tally's trials as \"2000\""
    );
    std::fs::write(&path, &edited).expect("write");
    merge_refused(tmp.path(), &b, &["run-2-of-3.toml", "edited", "SHA-256"]);
    // The same edit with the checksum recomputed: its trials no longer add up.
    std::fs::write(&path, &text).expect("write");
    forge(&path, |body| {
        body.replacen("trials = \"2000\"", "trials = \"1999\"", 1)
    });
    merge_refused(tmp.path(), &b, &["run-2-of-3.toml", "1999 trials"]);
}

/// Sweep shards must agree on the swept points, not only on the swept keys: summing the
/// tallies of different points would label one point's result with another's value.
#[test]
fn sweep_shards_of_different_points_are_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = dir.join("b");
    for (shard, values) in [("1/3", "0.1,0.2"), ("2/3", "0.1,0.2"), ("3/3", "0.3,0.4")] {
        let param = format!("party.japan.will={values}");
        ok(
            dir,
            &[
                "sweep",
                "baseline",
                "--param",
                &param,
                "--trials",
                "3000",
                "--out",
                out_arg(&b),
                "--shard",
                shard,
            ],
        );
    }
    merge_refused(dir, &b, &["param"]);
    assert!(!b.join("baseline/sweep-party.japan.will.csv").exists());
}

/// Sensitivity shards must agree on the bins (`--bins`), which the resolved scenario does not
/// show.
#[test]
fn sensitivity_shards_of_different_bins_are_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = dir.join("b");
    for (shard, bins) in [("1/2", "10"), ("2/2", "5")] {
        ok(
            dir,
            &[
                "sensitivity",
                "baseline",
                "--bins",
                bins,
                "--trials",
                "3000",
                "--out",
                out_arg(&b),
                "--shard",
                shard,
            ],
        );
    }
    merge_refused(dir, &b, &["bins"]);
}

/// A refused merge writes nothing, even when the group that fails is not the first: here the
/// run's shards are complete and sound, and a sensitivity shard's tally was tampered with.
#[test]
fn a_refused_merge_writes_no_group() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = dir.join("b");
    for command in ["run", "sensitivity"] {
        run_shards(
            dir,
            &[command, "baseline"],
            2,
            &["--trials", "3000", "--out", out_arg(&b)],
        );
    }
    let path = b.join("baseline/shards/sensitivity-2-of-2.toml");
    forge(&path, |body| {
        body.replacen("trials = \"1500\"", "trials = \"1499\"", 1)
    });
    merge_refused(dir, &b, &["trials", "sensitivity"]);
}

// ---------------------------------------------------------------------------------------------
// Tampered shards (issue #9): each case the issue lists, refused with exit 2 and nothing written.
// A plain edit is caught by the checksum; `forge` recomputes it, as a deliberate forger would,
// to show which check of the content catches the edit on its own.

/// Every shard of `b`'s run, for edits that must touch all of them to get past the checks of
/// agreement.
fn run_shard_paths(b: &Path) -> Vec<PathBuf> {
    (1..=3)
        .map(|k| b.join(format!("baseline/shards/run-{k}-of-3.toml")))
        .collect()
}

/// The issue's 12.7% instead of 5.5%: one shard's sums multiplied by 5.
#[test]
fn sums_multiplied_by_five_are_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    let path = b.join("baseline/shards/run-2-of-3.toml");
    let original = std::fs::read_to_string(&path).expect("read");
    let times_five = |body: &str, keys: &[&str]| {
        keys.iter().fold(body.to_string(), |body, key| {
            let five: Vec<u128> = sums(&body, key).iter().map(|x| 5 * x).collect();
            with_sums(&body, key, &five)
        })
    };
    // Edited by hand: the checksum.
    let (first, body) = original.split_once('\n').expect("checksum line");
    std::fs::write(
        &path,
        format!("{first}\n{}", times_five(body, &["sum", "sum_sq"])),
    )
    .expect("write");
    merge_refused(tmp.path(), &b, &["run-2-of-3.toml", "edited"]);
    // Forged, Σc only: (Σc)² > trials · Σc², which no set of probabilities allows.
    std::fs::write(&path, &original).expect("write");
    forge(&path, |body| times_five(body, &["sum"]));
    merge_refused(
        tmp.path(),
        &b,
        &["run-2-of-3.toml", "(Σc)² exceeds trials · Σc²"],
    );
    // Forged, both sums ×5 beyond what any trials could give: Σc² above the trials.
    std::fs::write(&path, &original).expect("write");
    forge(&path, |body| {
        let sq: Vec<u128> = sums(body, "sum_sq").iter().map(|x| 40 * x).collect();
        with_sums(&times_five(body, &["sum"]), "sum_sq", &sq)
    });
    merge_refused(tmp.path(), &b, &["run-2-of-3.toml", "exceeds the sum"]);
}

/// The issue's wrapped 7e15 probability: a month's cumulative sum below the month before.
#[test]
fn decreasing_sums_are_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    let path = b.join("baseline/shards/run-1-of-3.toml");
    forge(&path, |body| {
        let mut sum = sums(body, "sum");
        sum[5] = sum[4] - 4096;
        with_sums(body, "sum", &sum)
    });
    merge_refused(
        tmp.path(),
        &b,
        &["run-1-of-3.toml", "month 6 are below those of month 5"],
    );
}

/// The issue's `trials = "0"` (probability 1, NaN): in one shard, in every shard, and in the
/// tallies.
/// The remaining probability's cross sum Σc·c_last is checked like the other sums: one below
/// Σc² is refused before anything is written, naming the shard and the month.
#[test]
fn a_forged_cross_sum_is_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    let path = b.join("baseline/shards/run-2-of-3.toml");
    forge(&path, |body| {
        let mut cross = sums(body, "sum_cross");
        cross[7] = sums(body, "sum_sq")[7] - 4096;
        with_sums(body, "sum_cross", &cross)
    });
    merge_refused(
        tmp.path(),
        &b,
        &[
            "run-2-of-3.toml",
            "the cross sum Σc·c_last of month 8 is outside [Σc², min(Σc, Σc_last²)]",
        ],
    );
}

#[test]
fn zero_trials_are_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    let paths = run_shard_paths(&b);
    let originals: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect();
    let restore = || {
        for (p, text) in paths.iter().zip(&originals) {
            std::fs::write(p, text).expect("write");
        }
    };
    let zero_run = |body: &str| body.replacen("trials = \"6000\"", "trials = \"0\"", 1);
    forge(&paths[1], zero_run);
    merge_refused(tmp.path(), &b, &["run-2-of-3.toml", "0 trials"]);
    restore();
    for p in &paths {
        forge(p, zero_run);
    }
    merge_refused(tmp.path(), &b, &["0 trials"]);
    restore();
    // The tally's own count, in one shard and then, with its sums emptied, in every shard.
    forge(&paths[2], |body| {
        body.replacen("trials = \"2000\"", "trials = \"0\"", 1)
    });
    merge_refused(tmp.path(), &b, &["run-3-of-3.toml", "0 trials"]);
    restore();
    for p in &paths {
        forge(p, |body| {
            let months = sums(body, "sum").len();
            let zeros = vec![0; months];
            let body = zero_run(body).replacen("trials = \"2000\"", "trials = \"0\"", 1);
            with_sums(&with_sums(&body, "sum", &zeros), "sum_sq", &zeros)
        });
    }
    merge_refused(tmp.path(), &b, &["0 trials"]);
}

/// The issue's relabelled deadline: the resolved scenario's window edited in every shard (so
/// that they agree), or the seed it states.
#[test]
fn a_relabelled_deadline_is_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    let paths = run_shard_paths(&b);
    let original = std::fs::read_to_string(&paths[0]).expect("read");
    assert!(original.contains("deadline = \"2021-09\""));
    std::fs::write(
        &paths[0],
        original.replacen("deadline = \"2021-09\"", "deadline = \"2022-09\"", 1),
    )
    .expect("write");
    merge_refused(tmp.path(), &b, &["run-1-of-3.toml", "edited"]);
    std::fs::write(&paths[0], &original).expect("write");
    for p in &paths {
        forge(p, |body| {
            body.replacen("deadline = \"2021-09\"", "deadline = \"2022-09\"", 1)
        });
    }
    merge_refused(tmp.path(), &b, &["months", "the scenario's window"]);
    for p in &paths {
        forge(p, |body| {
            body.replacen("deadline = \"2022-09\"", "deadline = \"2021-09\"", 1)
                .replacen("seed = 20200120", "seed = 7", 1)
        });
    }
    merge_refused(tmp.path(), &b, &["seed"]);
}

/// The issue's truncated or replaced samples part.
#[test]
fn a_truncated_or_replaced_samples_part_is_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    let shards = b.join("baseline/shards");
    let part = shards.join("samples-2-of-3.csv");
    let original = std::fs::read(&part).expect("read");
    std::fs::write(&part, &original[..original.len() / 2]).expect("write");
    merge_refused(tmp.path(), &b, &["samples-2-of-3.csv", "truncated"]);
    // Replaced by another shard's rows: well-formed, but not this shard's.
    std::fs::copy(shards.join("samples-1-of-3.csv"), &part).expect("copy");
    merge_refused(tmp.path(), &b, &["samples-2-of-3.csv", "replaced"]);
    // One row edited, same length.
    let mut edited = original.clone();
    let at = edited
        .iter()
        .rposition(|b| b.is_ascii_digit())
        .expect("a digit");
    edited[at] = if edited[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&part, &edited).expect("write");
    merge_refused(tmp.path(), &b, &["samples-2-of-3.csv"]);
    std::fs::write(&part, &original).expect("write");
    ok(tmp.path(), &["merge", "baseline", "--out", out_arg(&b)]);
}

/// A folder, a non-UTF-8 file or a stray file in `shards/` is invalid input (exit 2), not
/// an I/O failure.
#[test]
fn a_folder_or_a_foreign_file_in_shards_is_invalid_input() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let b = three_shards(tmp.path(), |_| vec![]);
    let shards = b.join("baseline/shards");
    for folder in ["extra.toml", "extra"] {
        std::fs::create_dir(shards.join(folder)).expect("mkdir");
        merge_refused(tmp.path(), &b, &[folder, "folder"]);
        std::fs::remove_dir(shards.join(folder)).expect("rmdir");
    }
    let path = shards.join("run-2-of-3.toml");
    let original = std::fs::read(&path).expect("read");
    let mut latin1 = original.clone();
    latin1.extend_from_slice(b"# caf\xe9\n");
    std::fs::write(&path, &latin1).expect("write");
    merge_refused(tmp.path(), &b, &["run-2-of-3.toml", "UTF-8"]);
    std::fs::write(&path, &original).expect("write");
    std::fs::write(shards.join("notes.txt"), "my notes").expect("write");
    merge_refused(tmp.path(), &b, &["notes.txt"]);
    std::fs::remove_file(shards.join("notes.txt")).expect("remove");
    // A shard of another scenario.
    let other = tmp.path().join("other");
    ok(
        tmp.path(),
        &[
            "run",
            "mason",
            "--trials",
            "6000",
            "--out",
            out_arg(&other),
            "--shard",
            "1/3",
        ],
    );
    std::fs::copy(
        other.join("mason/shards/run-1-of-3.toml"),
        shards.join("run-1-of-3.toml"),
    )
    .expect("copy");
    merge_refused(tmp.path(), &b, &["run-1-of-3.toml", "'mason'", "foreign"]);
}

/// Issue #9, item 3: a shard whose scenario name was edited to a path must not make merge
/// write there. The same for a sweep's keys, which name its file.
#[test]
fn names_read_from_shards_cannot_leave_the_output_folder() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = three_shards(dir, |_| vec![]);
    let paths = run_shard_paths(&b);
    let escape = dir.join("escape");
    let absolute = escape.join("abs");
    for name in [
        absolute.to_str().expect("UTF-8 path"),
        "../../escape/rel",
        "..",
    ] {
        for p in &paths {
            let quoted = format!("scenario = {name:?}");
            forge(p, |body| {
                body.replacen("scenario = \"baseline\"", &quoted, 1)
            });
        }
        merge_refused(dir, &b, &["not a valid name"]);
        for p in &paths {
            let quoted = format!("scenario = {name:?}");
            forge(p, |body| {
                body.replacen(&quoted, "scenario = \"baseline\"", 1)
            });
        }
    }
    assert!(!escape.exists(), "merge wrote outside --out");
    // A sweep key edited to a path: not a key of the scenario.
    let s = dir.join("s");
    run_shards(
        dir,
        &["sweep", "baseline", "--param", "party.japan.will=0.2,0.4"],
        2,
        &["--trials", "3000", "--out", out_arg(&s)],
    );
    for k in 1..=2 {
        let old = s.join(format!(
            "baseline/shards/sweep-party.japan.will-{k}-of-2.toml"
        ));
        forge(&old, |body| {
            body.replace("party.japan.will", "../../../escape/x")
        });
    }
    let stderr = refused(dir, &["merge", "baseline", "--out", out_arg(&s)]);
    assert!(stderr.contains("escape"), "{stderr}");
    assert!(!escape.exists(), "merge wrote outside --out");
    assert!(!s.join("baseline").read_dir().expect("folder").any(|e| {
        e.expect("entry")
            .file_name()
            .to_string_lossy()
            .ends_with(".csv")
    }));
    // merge's own argument.
    let stderr = refused(dir, &["merge", "../b", "--out", out_arg(&s)]);
    assert!(stderr.contains("not a valid name"), "{stderr}");
}

/// Issue #9, item 4: shard files with `shards = 0`, empty tallies or empty bins made merge
/// panic; they are invalid input.
#[test]
fn zero_shards_empty_tallies_and_empty_bins_are_refused_without_a_panic() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = three_shards(dir, |_| vec![]);
    let paths = run_shard_paths(&b);
    let originals: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect();
    for p in &paths {
        forge(p, |body| body.replacen("shards = 3", "shards = 0", 1));
    }
    merge_refused(dir, &b, &["shard 1/0"]);
    for (p, text) in paths.iter().zip(&originals) {
        std::fs::write(p, text).expect("write");
        forge(p, |body| {
            let body = with_sums(body, "sum", &[]);
            let body = with_sums(&body, "sum_sq", &[]);
            with_sums(&body, "sum_cross", &[])
        });
    }
    merge_refused(dir, &b, &["0, 0 and 0 months", "the scenario's window"]);
    for (p, text) in paths.iter().zip(&originals) {
        std::fs::write(p, text).expect("write");
    }
    // A huge N: the missing shards are counted, not listed one by one.
    for p in &paths {
        forge(p, |body| {
            body.replacen("shards = 3", "shards = 18446744073709551615", 1)
        });
    }
    merge_refused(
        dir,
        &b,
        &["missing shard(s) 4/", "and 18446744073709551602 more"],
    );

    let s = dir.join("s");
    run_shards(
        dir,
        &["sensitivity", "baseline", "--bins", "4"],
        2,
        &["--trials", "3000", "--out", out_arg(&s)],
    );
    for k in 1..=2 {
        forge(
            &s.join(format!("baseline/shards/sensitivity-{k}-of-2.toml")),
            |body| {
                body.lines()
                    .map(|l| match l.split_once(" = ") {
                        Some(("high", _)) => "high = []".to_string(),
                        _ => l.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            },
        );
    }
    let stderr = refused(dir, &["merge", "baseline", "--out", out_arg(&s)]);
    assert!(stderr.contains("bins"), "{stderr}");
    assert!(!s.join("baseline/sensitivity.csv").exists());
}

#[test]
fn bad_shard_arguments_are_refused_on_the_command_line() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let out = dir.join("out");
    for command in [
        &["run", "baseline"][..],
        &["sweep", "baseline", "--param", "party.japan.will=0.1,0.2"],
        &["sensitivity", "baseline"],
    ] {
        for shard in [
            "0/3", "4/3", "x", "3", "1/0", "0/0", "-1/3", "1/3/5", "1.5/3", "",
        ] {
            // `--shard=VALUE`, so that clap takes "-1/3" as a value, not as an option.
            let shard = format!("--shard={shard}");
            let mut args = command.to_vec();
            args.extend(["--trials", "1000", "--out", out_arg(&out), &shard]);
            let stderr = refused(dir, &args);
            assert!(stderr.contains("--shard"), "{args:?}: {stderr}");
        }
        // And the plain form.
        let mut args = command.to_vec();
        args.extend(["--trials", "1000", "--out", out_arg(&out), "--shard", "4/3"]);
        let stderr = refused(dir, &args);
        assert!(stderr.contains("'4/3'"), "{args:?}: {stderr}");
    }
    assert!(!out.exists(), "a refused command wrote {}", out.display());
}

#[test]
fn precision_cannot_be_sharded() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let out = dir.join("out");
    let stderr = refused(
        dir,
        &[
            "run",
            "baseline",
            "--precision",
            "0.01",
            "--shard",
            "1/3",
            "--out",
            out_arg(&out),
        ],
    );
    assert!(stderr.contains("--precision"), "{stderr}");
    assert!(!out.exists(), "a refused command wrote {}", out.display());
}

// ---------------------------------------------------------------------------------------------
// The example scripts.

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// Runs `bash examples/gnu-parallel.sh` with `env`, and checks its merged files against an
/// unsharded run.
fn gnu_parallel_script(dir: &Path, env: &[(&str, &str)]) -> Output {
    let (a, b) = (dir.join("a"), dir.join("b"));
    ok(
        dir,
        &["run", "baseline", "--trials", TRIALS, "--out", out_arg(&a)],
    );
    let output = std::process::Command::new("bash")
        .arg(example("gnu-parallel.sh"))
        .current_dir(dir)
        .env("TREATYSIM", env!("CARGO_BIN_EXE_treatysim"))
        .env("SCENARIOS", shipped_scenarios())
        .env("OUT", &b)
        .env("TRIALS", TRIALS)
        .envs(env.iter().copied())
        .output()
        .expect("run bash");
    assert!(
        output.status.success(),
        "examples/gnu-parallel.sh failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for k in 1..=8 {
        assert!(
            b.join(format!("baseline/shards/run-{k}-of-8.toml"))
                .is_file()
        );
    }
    assert_same_outputs(
        &a,
        &b,
        &[
            "summary.csv",
            "baseline/summary.csv",
            "baseline/timeline.csv",
        ],
    );
    output
}

#[test]
fn gnu_parallel_example_falls_back_to_xargs() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let output = gnu_parallel_script(tmp.path(), &[("TREATYSIM_NO_PARALLEL", "1")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("xargs"), "{stderr}");
}

#[test]
fn gnu_parallel_example_with_gnu_parallel() {
    let gnu = std::process::Command::new("parallel")
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("GNU parallel"));
    if !gnu {
        eprintln!(
            "note: GNU parallel is not installed; examples/gnu-parallel.sh tested with xargs only"
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("temporary folder");
    // A stale shard of another N: the script starts from an empty shards folder.
    let b = tmp.path().join("b");
    ok(
        tmp.path(),
        &[
            "run",
            "baseline",
            "--trials",
            "100",
            "--out",
            out_arg(&b),
            "--shard",
            "1/2",
        ],
    );
    let output = gnu_parallel_script(tmp.path(), &[("JOBS", "3")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("GNU parallel"), "{stderr}");
}

/// The key lines of the Slurm script, its syntax, and a dry run with a stand-in `sbatch`
/// that records its calls and then runs the array tasks and the merge as Slurm would.
#[test]
fn slurm_example() {
    let script = example("slurm.sh");
    let text = std::fs::read_to_string(&script).expect("examples/slurm.sh");
    let array = text
        .lines()
        .find_map(|l| l.strip_prefix("#SBATCH --array=1-"))
        .expect("an #SBATCH --array=1-N directive");
    let n: u64 = array.trim().parse().expect("--array=1-N with a plain N");
    assert!(n > 1);
    for needle in [
        r#"--shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}""#,
        "--dependency=afterok:",
        "sbatch --parsable",
        "merge",
    ] {
        assert!(text.contains(needle), "examples/slurm.sh lacks {needle}");
    }
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .expect("bash -n");
    assert!(status.success(), "bash -n examples/slurm.sh");

    // Dry run. The stand-in sbatch logs its arguments, answers with a job id, and leaves the
    // work to this test.
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let log = dir.join("sbatch.log");
    let sbatch = bin.join("sbatch");
    std::fs::write(
        &sbatch,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\necho \"4242;cluster\"\n",
            log.display()
        ),
    )
    .expect("write sbatch");
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&sbatch)
        .status()
        .expect("chmod");
    let (a, b) = (dir.join("a"), dir.join("b"));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script_env = |cmd: &mut std::process::Command| {
        cmd.current_dir(dir)
            .env("PATH", &path)
            .env("TREATYSIM", env!("CARGO_BIN_EXE_treatysim"))
            .env("SCENARIOS", shipped_scenarios())
            .env("OUT", &b)
            .env("TRIALS", TRIALS)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("SLURM_ARRAY_TASK_COUNT");
    };
    // Submitting: the array, then the merge depending on it.
    let mut submit = std::process::Command::new("bash");
    submit.arg(&script);
    script_env(&mut submit);
    let output = submit.output().expect("run the script");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let calls = std::fs::read_to_string(&log).expect("sbatch was called");
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[0].ends_with("slurm.sh"), "{calls:?}");
    assert!(calls[1].contains("--dependency=afterok:4242 "), "{calls:?}");
    let wrap = calls[1]
        .split_once("--wrap ")
        .expect("the merge is a --wrap command")
        .1;
    assert!(wrap.contains("merge baseline --out"), "{wrap}");
    // The array's tasks, as Slurm runs them (in any order)...
    for k in shuffled(n, 99) {
        let mut task = std::process::Command::new("bash");
        task.arg(&script);
        script_env(&mut task);
        task.env("SLURM_ARRAY_TASK_ID", k.to_string())
            .env("SLURM_ARRAY_TASK_COUNT", n.to_string())
            .env("SLURM_CPUS_PER_TASK", "1");
        let output = task.output().expect("run a task");
        assert!(
            output.status.success(),
            "task {k}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // ...then the merge job's command, as sbatch --wrap runs it (sh -c).
    // Its output captured, not printed among the tests'.
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(wrap)
        .current_dir(dir)
        .output()
        .expect("run the merge");
    assert!(
        output.status.success(),
        "merge: {wrap}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    ok(
        dir,
        &["run", "baseline", "--trials", TRIALS, "--out", out_arg(&a)],
    );
    assert_same_outputs(
        &a,
        &b,
        &[
            "summary.csv",
            "baseline/summary.csv",
            "baseline/timeline.csv",
        ],
    );
}

/// The key lines of the Kubernetes Indexed Job, N the same wherever it appears, and the
/// shard expression giving shards 1..=N for the completion indexes 0..N.
#[test]
fn kubernetes_example() {
    let text = std::fs::read_to_string(example("kubernetes-indexed-job.yaml"))
        .expect("examples/kubernetes-indexed-job.yaml");
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .and_then(|rest| rest.split('#').next())
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("no `{key}` line"))
    };
    assert_eq!(value("completionMode:"), "Indexed");
    let n: u64 = value("completions:").parse().expect("completions: N");
    let parallelism: u64 = value("parallelism:").parse().expect("parallelism: P");
    assert!((1..=n).contains(&parallelism));
    let expression = "--shard $((JOB_COMPLETION_INDEX+1))/";
    let at = text.find(expression).expect("the --shard expression");
    let digits = text[at + expression.len()..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap_or_default();
    let shard_n: u64 = digits.parse().expect("N after the --shard expression");
    assert_eq!(shard_n, n, "--shard …/N differs from completions: N");
    for needle in [
        "treatysim run baseline",
        "--out /results",
        "kind: Job",
        "merge",
    ] {
        assert!(text.contains(needle), "the Job lacks {needle}");
    }
    assert!(text.contains("ReadWriteMany"), "the shared volume");
    // The expression, as the pod's shell evaluates it.
    for index in [0, n - 1] {
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("echo {expression}{digits}"))
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .output()
            .expect("sh");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            format!("--shard {}/{n}", index + 1)
        );
    }
}

/// With a key (`TREATYSIM_SHARD_KEY` when the shards run, `--key-file` at merge), shards carry
/// an HMAC: they merge to the very files unkeyed shards merge to, and each of issue #17's
/// resealed tamperings (the seed changed in both shards, shard 2 replaced by a relabelled copy
/// of shard 1, an event's probability changed in the resolved scenario, a tally changed) is
/// refused, as are shards without an HMAC and a wrong key.
#[test]
fn keyed_shards_refuse_resealed_tamperings() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    std::fs::write(dir.join("key"), "the key\n").expect("key file");
    std::fs::write(dir.join("other-key"), "another key").expect("key file");
    let plain = three_shards(dir, |_| Vec::new());
    ok(dir, &["merge", "baseline", "--out", out_arg(&plain)]);
    let keyed = dir.join("k");
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let args = [
            "run",
            "baseline",
            "--samples",
            "--trials",
            "6000",
            "--shard",
            &shard,
            "--out",
            "k",
        ];
        sim(dir, &args)
            .env("TREATYSIM_SHARD_KEY", "the key")
            .assert()
            .success();
    }
    let shards = keyed.join("baseline/shards");
    let shard = |k: u64| shards.join(format!("run-{k}-of-3.toml"));
    let text = std::fs::read_to_string(shard(1)).expect("shard");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("# hmac-sha256 = \"")),
        "{text}"
    );
    let originals: Vec<Vec<u8>> = (1..=3)
        .map(|k| std::fs::read(shard(k)).expect("shard"))
        .collect();
    let restore = || {
        for (k, bytes) in (1..=3).zip(&originals) {
            std::fs::write(shard(k), bytes).expect("restore");
        }
    };
    let with_key = |b: &Path, key: &str| {
        common::code_and_stderr(
            &sim(
                dir,
                &["merge", "baseline", "--out", out_arg(b), "--key-file", key],
            )
            .output()
            .expect("merge"),
        )
    };
    let tamperings: [(&str, &dyn Fn()); 4] = [
        ("the seed in both shards", &|| {
            for k in [1, 2, 3] {
                forge(&shard(k), |body| {
                    body.replacen("seed = 20200120", "seed = 42", 1)
                });
            }
        }),
        ("shard 2 a relabelled copy of shard 1", &|| {
            std::fs::copy(shard(1), shard(2)).expect("copy");
            forge(&shard(2), |body| {
                body.replacen("shard = 1\n", "shard = 2\n", 1)
            });
        }),
        ("an event's probability", &|| {
            forge(&shard(3), |body| {
                body.replacen("probability = 0.", "probability = 0.9", 1)
            });
        }),
        ("a tally", &|| {
            forge(&shard(2), |body| {
                let mut sum = sums(body, "sum");
                sum[0] += 1;
                with_sums(body, "sum", &sum)
            });
        }),
    ];
    for (what, tamper) in tamperings {
        tamper();
        let before = snapshot(&keyed, true);
        let (status, stderr) = with_key(&keyed, "key");
        assert_eq!(status, Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains("HMAC does not match the key"),
            "{what}: {stderr}"
        );
        assert_eq!(
            snapshot(&keyed, true),
            before,
            "{what}: merge wrote something"
        );
        restore();
    }
    let (status, stderr) = with_key(&keyed, "other-key");
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("HMAC does not match the key"), "{stderr}");
    let (status, stderr) = with_key(&plain, "key");
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("carries no HMAC"), "{stderr}");
    let (status, stderr) = with_key(&keyed, "key");
    assert_eq!(status, Some(0), "{stderr}");
    assert_eq!(snapshot(&keyed, false), snapshot(&plain, false));
}

// ---------------------------------------------------------------------------------------------
// Without a key: merge simulates a sample of each shard's trials again (SPEC §9, issue #17 item
// 6). Every forgery below is resealed with a recomputed SHA-256, as a forger would.

/// `body` with the seed changed to `seed` everywhere it is stated: the shard's own field and
/// its resolved scenario, so that the two still agree.
fn reseeded(body: &str, seed: u64) -> String {
    body.replace("seed = \"20200120\"", &format!("seed = \"{seed}\""))
        .replace("seed = 20200120", &format!("seed = {seed}"))
}

/// The trials the witness of shard `k` of 3 over `trials` samples under `seed`.
fn sampled(seed: u64, k: u64, trials: u64) -> Vec<u128> {
    let range = (k - 1) * trials / 3..k * trials / 3;
    treatysim::shard::witness::sampled_trials(seed, range)
        .into_iter()
        .map(u128::from)
        .collect()
}

/// `body` with `samples_sha256` set to the SHA-256 of the file at `part`.
fn with_samples_sha256(body: &str, part: &Path) -> String {
    let hex = treatysim::shard::sha256_file(part).expect("hash");
    body.lines()
        .map(|l| {
            if l.starts_with("samples_sha256 = ") {
                format!("samples_sha256 = \"{hex}\"")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The event's probability raised in the resolved scenario: outcomes change in most trials.
fn likelier_event(body: &str) -> String {
    body.replacen("probability = 0.3", "probability = 0.9", 1)
}

/// Issue #17's resealed forgeries of `run --shard --samples`, without a key: the seed changed
/// to 42 in every shard (with the witness left alone, and with its trials moved to those seed
/// 42 samples, so that the re-simulation itself must catch it), shard 2 replaced by shard 1
/// relabelled (samples part included; again with the witness's trials moved), the event's probability changed in every shard's
/// resolved scenario, and the witness removed (a 0.2-era or hand-trimmed shard). Each is
/// refused with exit 2, naming the shard file and what disagrees, and writes nothing; the
/// restored shards then merge.
#[test]
fn resealed_forgeries_are_refused_by_resimulation() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = three_shards(dir, |_| Vec::new());
    let shards = b.join("baseline/shards");
    let shard = |k: u64| shards.join(format!("run-{k}-of-3.toml"));
    let part = |k: u64| shards.join(format!("samples-{k}-of-3.csv"));
    let originals: Vec<(Vec<u8>, Vec<u8>)> = (1..=3)
        .map(|k| {
            let read = |p: PathBuf| std::fs::read(p).expect("read");
            (read(shard(k)), read(part(k)))
        })
        .collect();
    let restore = || {
        for (k, (toml, csv)) in (1..=3).zip(&originals) {
            std::fs::write(shard(k), toml).expect("restore");
            std::fs::write(part(k), csv).expect("restore");
        }
    };
    for k in 1..=3 {
        forge(&shard(k), |body| reseeded(body, 42));
    }
    merge_refused(
        dir,
        &b,
        &["run-1-of-3.toml", "witness samples trial", "seed 42"],
    );
    for k in 1..=3 {
        forge(&shard(k), |body| {
            with_sums(body, "trials", &sampled(42, k, 6000))
        });
    }
    merge_refused(
        dir,
        &b,
        &["run-1-of-3.toml", "simulating its trial", "seed 42"],
    );
    restore();
    std::fs::copy(shard(1), shard(2)).expect("copy");
    std::fs::copy(part(1), part(2)).expect("copy");
    forge(&shard(2), |body| {
        body.replacen("shard = 1\n", "shard = 2\n", 1)
    });
    merge_refused(dir, &b, &["run-2-of-3.toml", "witness samples trial"]);
    forge(&shard(2), |body| {
        with_sums(body, "trials", &sampled(20_200_120, 2, 6000))
    });
    merge_refused(dir, &b, &["run-2-of-3.toml", "simulating its trial"]);
    restore();
    for k in 1..=3 {
        forge(&shard(k), likelier_event);
    }
    merge_refused(dir, &b, &["run-1-of-3.toml", "simulating its trial"]);
    restore();
    forge(&shard(3), |body| {
        let at = body.find("\n[witness]").expect("a witness table");
        body[..=at].to_string()
    });
    merge_refused(
        dir,
        &b,
        &[
            "run-3-of-3.toml",
            "no witness",
            "rerun the shard with this version",
        ],
    );
    restore();
    ok(dir, &["merge", "baseline", "--out", out_arg(&b)]);
}

/// A samples part edited with its SHA-256 recomputed in its resealed shard is refused when a
/// sampled trial's row differs from what the trial gives when simulated again: a part (CSV or
/// Parquet) replaced by the same shard's part of another seed, and one sampled row of a CSV
/// part edited.
#[test]
fn resealed_samples_parts_are_refused_by_resimulation() {
    for format in ["csv", "parquet"] {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let dir = tmp.path();
        let make = |folder: &str, seed: &str| {
            for k in 1..=3 {
                let shard = format!("{k}/3");
                let args = [
                    "run",
                    "baseline",
                    "--samples-format",
                    format,
                    "--trials",
                    "6000",
                    "--seed",
                    seed,
                    "--shard",
                    &shard,
                    "--out",
                    folder,
                ];
                ok(dir, &args);
            }
            dir.join(folder).join("baseline/shards")
        };
        let shards = make("b", "20200120");
        let others = make("other", "5");
        let b = dir.join("b");
        let name = format!("samples-2-of-3.{format}");
        let (shard, part) = (shards.join("run-2-of-3.toml"), shards.join(&name));
        let (original, original_part) = (
            std::fs::read(&shard).expect("read"),
            std::fs::read(&part).expect("read"),
        );
        std::fs::copy(others.join(&name), &part).expect("copy");
        forge(&shard, |body| with_samples_sha256(body, &part));
        merge_refused(
            dir,
            &b,
            &[&name, "(trial 2", "column ", "simulating that trial"],
        );
        std::fs::write(&shard, &original).expect("restore");
        std::fs::write(&part, &original_part).expect("restore");
        if format == "csv" {
            // The row of the witness's sixth trial (shard 2 covers trials 2000..4000), its last
            // digit changed.
            let text = String::from_utf8(original.clone()).expect("UTF-8");
            let trial = sums(&text, "trials")[5] as usize;
            let csv = String::from_utf8(original_part.clone()).expect("UTF-8");
            let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
            let row = &mut lines[trial - 2000];
            assert!(row.starts_with(&format!("{trial},")), "{row}");
            let last = row.pop().expect("a character");
            row.push(if last == '1' { '2' } else { '1' });
            std::fs::write(&part, lines.join("\n") + "\n").expect("write");
            forge(&shard, |body| with_samples_sha256(body, &part));
            let stderr = merge_refused(dir, &b, &[&name, &format!("(trial {trial})")]);
            assert!(stderr.contains("simulating that trial"), "{stderr}");
            std::fs::write(&shard, &original).expect("restore");
            std::fs::write(&part, &original_part).expect("restore");
        }
        ok(dir, &["merge", "baseline", "--out", "b"]);
    }
}

/// Sweep and sensitivity shards, forged without a key: the seed changed to 42 in every shard,
/// and the event's probability changed in every shard's resolved scenario. Each is refused,
/// naming the first shard of the forged output; the honest shards then merge.
#[test]
fn resealed_sweep_and_sensitivity_forgeries_are_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = dir.join("b");
    for k in 1..=2 {
        let shard = format!("{k}/2");
        let common_args = ["--trials", "3000", "--shard", &shard, "--out", "b"];
        let sweep = [
            "sweep",
            "baseline",
            "--param",
            "party.japan.will=0.2,0.6",
            "--param",
            "party.russia.will=0.3,0.5",
        ];
        ok(dir, &cat(&[&sweep, &common_args]));
        ok(
            dir,
            &cat(&[&["sensitivity", "baseline", "--bins", "3"], &common_args]),
        );
    }
    let shards = b.join("baseline/shards");
    let outputs = ["sweep-party.japan.will-party.russia.will", "sensitivity"];
    for output in outputs {
        let shard = |k: u64| shards.join(format!("{output}-{k}-of-2.toml"));
        let originals: Vec<Vec<u8>> = (1..=2)
            .map(|k| std::fs::read(shard(k)).expect("read"))
            .collect();
        let restore = || {
            for (k, bytes) in (1..=2).zip(&originals) {
                std::fs::write(shard(k), bytes).expect("restore");
            }
        };
        let first = format!("{output}-1-of-2.toml");
        for k in 1..=2 {
            forge(&shard(k), |body| reseeded(body, 42));
        }
        // A sensitivity shard's bins are the pilot's of its seed: those of seed 42 differ.
        let needle = if output == "sensitivity" {
            "where the pilot of its scenario and seed"
        } else {
            "witness samples"
        };
        merge_refused(dir, &b, &[&first, needle]);
        restore();
        for k in 1..=2 {
            forge(&shard(k), likelier_event);
        }
        merge_refused(dir, &b, &[&first, "simulating its trial"]);
        restore();
    }
    ok(dir, &["merge", "baseline", "--out", "b"]);
}

/// An edit of a shard file's body.
type Forgery = Box<dyn Fn(&str) -> String>;

/// `body` with the value of the first line `key = …` after the first line `marker` replaced
/// by `edit` of it.
fn edit_after(body: &str, marker: &str, key: &str, edit: impl Fn(&str) -> String) -> String {
    let from = body
        .find(&format!("\n{marker}\n"))
        .unwrap_or_else(|| panic!("no {marker}"));
    let prefix = format!("\n{key} = ");
    let at = from
        + body[from..]
            .find(&prefix)
            .unwrap_or_else(|| panic!("no {key}"))
        + prefix.len();
    let end = at + body[at..].find('\n').expect("a line end");
    format!("{}{}{}", &body[..at], edit(&body[at..end]), &body[end..])
}

/// A TOML array's value `["a", "b", …]` or `[a, b, …]` with its element `i` replaced by `to`.
fn element(value: &str, i: usize, to: &str) -> String {
    let mut items: Vec<String> = value
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(", ")
        .map(str::to_string)
        .collect();
    items[i] = to.to_string();
    format!("[{}]", items.join(", "))
}

/// Issue B and F of the fuzzing review: sensitivity shards whose tallies or bins were edited
/// and resealed (no key) are refused with exit 2, naming the file and what is wrong, and
/// nothing is written: a Sobol sum beyond what the trials can add, a bin count that no longer
/// adds up, a bin's largest draw beyond its edge (inf) or smallest outside its distribution
/// (-1), the outcome sum its bins do not add up to, a factor's sums zeroed (within every
/// bound, but below what the sampled trials alone add), and a bin edge changed in one shard
/// (named against the pilot, with the key, its line and both values) or in both (1.8e19). The
/// restored shards then merge.
#[test]
fn resealed_sensitivity_tallies_and_bins_are_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = dir.join("b");
    for k in 1..=2 {
        let shard = format!("{k}/2");
        ok(
            dir,
            &[
                "sensitivity",
                "baseline",
                "--bins",
                "5",
                "--trials",
                "3000",
                "--shard",
                &shard,
                "--out",
                "b",
            ],
        );
    }
    let shards = b.join("baseline/shards");
    let shard = |k: u64| shards.join(format!("sensitivity-{k}-of-2.toml"));
    let originals: Vec<Vec<u8>> = (1..=2)
        .map(|k| std::fs::read(shard(k)).expect("read"))
        .collect();
    let restore = || {
        for (k, bytes) in (1..=2).zip(&originals) {
            std::fs::write(shard(k), bytes).expect("restore");
        }
    };
    let second = "sensitivity-2-of-2.toml";
    let params = "[[payload.sensitivity.tally.params]]";
    let cases: Vec<(Forgery, Vec<&str>)> = vec![
        (
            Box::new(|body| {
                edit_after(
                    body,
                    "[payload.sensitivity.tally.factors.total]",
                    "with_u",
                    |_| "\"99999999999999999999999\"".into(),
                )
            }),
            vec![
                "factors[0].total.with_u = 99999999999999999999999",
                "is outside",
            ],
        ),
        (
            Box::new(|body| edit_after(body, params, "count", |v| element(v, 0, "\"1500\""))),
            vec!["trials, not the tally's 1500"],
        ),
        (
            Box::new(|body| edit_after(body, params, "high", |v| element(v, 1, "inf"))),
            vec!["bin 2 of", "not within its edges"],
        ),
        (
            Box::new(|body| edit_after(body, params, "low", |v| element(v, 0, "-1"))),
            vec!["bin 1 of", "from -1 to", "where its distribution draws"],
        ),
        (
            Box::new(|body| {
                edit_after(body, "[payload.sensitivity.tally]", "outcome", |v| {
                    let x: u128 = v.trim_matches('"').parse().expect("a sum");
                    format!("\"{}\"", x + 4096)
                })
            }),
            vec!["add up to", "not the tally's outcome"],
        ),
        (
            // The last factor (chance) zeroed: every bound holds, the sampled trials do not.
            Box::new(|body| {
                let at = body
                    .rfind("[[payload.sensitivity.tally.factors]]")
                    .expect("factors");
                let (head, tail) = body.split_at(at);
                let end = tail
                    .find("\n[[payload.sensitivity.tally.params]]")
                    .expect("params");
                let zeroed: String = tail[..end]
                    .lines()
                    .map(|l| match l.split_once(" = ") {
                        Some((k, _)) => format!("{k} = \"0\"\n"),
                        None => format!("{l}\n"),
                    })
                    .collect();
                format!("{head}{}{}", zeroed.trim_end_matches('\n'), &tail[end..])
            }),
            vec!["sampled trials", "less than the"],
        ),
        (
            Box::new(|body| {
                edit_after(body, "[[payload.sensitivity.bins]]", "high", |v| {
                    element(v, 2, "inf")
                })
            }),
            vec![
                "[[payload.sensitivity.bins]] number 1",
                ", line ",
                "high[2] (edge 3 of 5) is inf, where the pilot of its scenario and seed",
                "each edge a pilot draw",
            ],
        ),
    ];
    for (edit, needles) in &cases {
        forge(&shard(2), edit);
        let stderr = merge_refused(dir, &b, &cat(&[&[second], needles]));
        assert!(!stderr.contains("sensitivity-1-of-2.toml"), "{stderr}");
        restore();
    }
    // The same edge changed in both shards: they agree, the pilot does not.
    for k in 1..=2 {
        forge(&shard(k), |body| {
            edit_after(body, "[[payload.sensitivity.bins]]", "high", |v| {
                element(v, 1, "1.8e19")
            })
        });
    }
    merge_refused(
        dir,
        &b,
        &[
            "sensitivity-1-of-2.toml",
            "high[1]",
            "is 18000000000000000000, where the pilot",
        ],
    );
    restore();
    ok(dir, &["merge", "baseline", "--out", "b"]);
}

/// Issue E of the fuzzing review: a CSV samples part edited and resealed (its SHA-256
/// recomputed in its shard, no key) in rows that the witness does not sample is refused with
/// exit 2, naming the part, the row, its trial and the column: a draw of -1 or 1e308, a trial
/// renumbered, a row duplicated, one removed, the last removed. A Parquet part replaced by
/// another shard's is refused by its trial column, and one whose draw was set to -1 in place by
/// that column. The restored parts then merge.
#[test]
fn resealed_samples_rows_are_checked_one_by_one() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    let b = three_shards(dir, |_| Vec::new());
    let shards = b.join("baseline/shards");
    let (shard, part) = (
        shards.join("run-2-of-3.toml"),
        shards.join("samples-2-of-3.csv"),
    );
    let (original, original_part) = (
        std::fs::read_to_string(&shard).expect("read"),
        std::fs::read_to_string(&part).expect("read"),
    );
    let witnessed: Vec<u128> = sums(&original, "trials");
    // A trial of shard 2 (2000..4000) that its witness does not sample.
    let trial = (2100..4000u128)
        .find(|t| !witnessed.contains(t))
        .expect("an unsampled trial");
    let row = (trial - 2000) as usize;
    let lines: Vec<String> = original_part.lines().map(str::to_string).collect();
    let with_cell = |column: usize, to: &str| {
        let mut lines = lines.clone();
        let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
        cells[column] = to.to_string();
        lines[row] = cells.join(",");
        lines
    };
    let header = common::read_csv(&{
        ok(
            dir,
            &[
                "run",
                "baseline",
                "--trials",
                "10",
                "--samples",
                "--out",
                "h",
            ],
        );
        dir.join("h/baseline/samples.csv")
    });
    let name = |column: usize| header.0[column].clone();
    let at = format!("row {} (trial {trial})", row + 1);
    let mut duplicated = lines.clone();
    duplicated.insert(row, lines[row].clone());
    let mut removed = lines.clone();
    removed.remove(row);
    let mut short = lines.clone();
    short.pop();
    let cases: Vec<(Vec<String>, Vec<String>)> = vec![
        (
            with_cell(1, "-1"),
            vec![
                at.clone(),
                format!("column 2 '{}'", name(1)),
                "'-1', not a draw".into(),
            ],
        ),
        (
            with_cell(2, "1e308"),
            vec![
                at.clone(),
                format!("column 3 '{}'", name(2)),
                "'1e308', not a draw".into(),
            ],
        ),
        (
            with_cell(0, "5000"),
            vec![
                at.clone(),
                "column 1 'trial'".into(),
                "holds trial '5000'".into(),
            ],
        ),
        (
            duplicated,
            vec![
                format!("row {} (trial {})", row + 2, trial + 1),
                format!("holds trial '{trial}'"),
            ],
        ),
        (
            removed,
            vec![at.clone(), format!("holds trial '{}'", trial + 1)],
        ),
        (short, vec!["holds 1999 rows".into(), "need 2000".into()]),
    ];
    for (edited, needles) in cases {
        std::fs::write(&part, edited.join("\n") + "\n").expect("write");
        forge(&shard, |body| with_samples_sha256(body, &part));
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        merge_refused(dir, &b, &cat(&[&["samples-2-of-3.csv"], &needles]));
        std::fs::write(&shard, &original).expect("restore");
        std::fs::write(&part, &original_part).expect("restore");
    }
    ok(dir, &["merge", "baseline", "--out", out_arg(&b)]);

    // Parquet: shard 2's part replaced by shard 1's, resealed.
    let p = dir.join("p");
    for k in 1..=3 {
        let shard = format!("{k}/3");
        ok(
            dir,
            &[
                "run",
                "baseline",
                "--samples-format",
                "parquet",
                "--trials",
                "6000",
                "--shard",
                &shard,
                "--out",
                "p",
            ],
        );
    }
    let shards = p.join("baseline/shards");
    let part = shards.join("samples-2-of-3.parquet");
    let run = shards.join("run-2-of-3.toml");
    let (original, original_part) = (
        std::fs::read(&run).expect("read"),
        std::fs::read(&part).expect("read"),
    );
    std::fs::copy(shards.join("samples-1-of-3.parquet"), &part).expect("copy");
    forge(&run, |body| with_samples_sha256(body, &part));
    merge_refused(
        dir,
        &p,
        &[
            "samples-2-of-3.parquet",
            "row 1 (trial 2000), column 1 'trial'",
            "holds trial '0'",
        ],
    );
    std::fs::write(&run, &original).expect("restore");
    // An unsampled trial's first draw set to -1 in place: the part's doubles are stored plain
    // (its first draw found as the only occurrence of its 8 bytes, the CSV part's value).
    let (row, at) = (100..lines.len())
        .filter(|&r| !witnessed.contains(&(2000 + r as u128)))
        .find_map(|r| {
            let value: f64 = lines[r].split(',').nth(1)?.parse().ok()?;
            let bytes = value.to_le_bytes();
            let mut found = original_part
                .windows(8)
                .enumerate()
                .filter(|(_, w)| *w == bytes);
            match (found.next(), found.next()) {
                (Some((at, _)), None) => Some((r, at)),
                _ => None,
            }
        })
        .expect("a draw stored once");
    let mut edited = original_part.clone();
    edited[at..at + 8].copy_from_slice(&(-1.0f64).to_le_bytes());
    std::fs::write(&part, edited).expect("write");
    forge(&run, |body| with_samples_sha256(body, &part));
    merge_refused(
        dir,
        &p,
        &[
            "samples-2-of-3.parquet",
            &format!(
                "row {} (trial {}), column 2 '{}'",
                row + 1,
                2000 + row,
                name(1)
            ),
            "'-1', not a draw",
        ],
    );
    std::fs::write(&run, &original).expect("restore");
    std::fs::write(&part, &original_part).expect("restore");
    ok(dir, &["merge", "baseline", "--out", "p"]);
}

/// A model-3 scenario whose Parquet samples parts hold month columns with dictionaries.
const DICTIONARY_PARTS: &str = r#"description = "model 3"
[simulation]
start = "2020-01"
deadline = "2021-09"
trials = 20000
seed = 1
[party.a]
will = "beta(6,3)"
leader_exit_hazard = 0.01
successor_will = "beta(2,5)"
[party.b]
will = "beta(3,5)"
successor_will = 0.3
[party.o]
role = "outside"
indifference = 0.5
[issue.x]
concedes = "a"
demands = "b"
concession = 0.3
demand = 0.5
leverage = { o = 0.3 }
pressure = { o = 0.2 }
dealbreaker = true
concession_drift = 0.005
demand_drift = "-0.01 to 0"
[process]
summit_rate = 0.3
will_volatility = 0.05
signing_threshold = 0.3
decision_noise = 0.08
[[event]]
name = "e1"
month = "2020-03"
until = "2020-12"
probability = 0.5
leader_exit = ["b"]
effects = { "party.b.will" = -0.1 }
[[event]]
name = "e2"
month = "2020-01"
hazard = 0.02
requires = ["e1"]
excludes = []
"#;

/// A Parquet samples part with one byte changed near its footer and resealed (its SHA-256
/// recomputed in its shard, as anyone can) is refused with exit 2 naming the part: the parquet
/// crate, which trusts a file's footer, panicked on these two edits ("column start and length
/// should not be negative", "Decoder for dict should have been set") and merge exited 101
/// (found by the adversarial review). Nothing is written.
#[test]
fn a_resealed_parquet_part_that_breaks_the_reader_is_refused() {
    let dir = common::workdir(&[("m3.toml", DICTIONARY_PARTS)]);
    let d = dir.path();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        common::ok(
            d,
            &[
                "run",
                "m3",
                "--trials",
                "30000",
                "--samples-format",
                "parquet",
                "--shard",
                &shard,
            ],
        );
    }
    let shards = d.join("results/m3/shards");
    let (shard, part) = (
        shards.join("run-2-of-3.toml"),
        shards.join("samples-2-of-3.parquet"),
    );
    let (original, original_part) = (
        std::fs::read(&shard).expect("read"),
        std::fs::read(&part).expect("read"),
    );
    for (from_end, byte) in [(265, 73u8), (1462, 166u8)] {
        let mut edited = original_part.clone();
        let at = edited.len() - from_end;
        assert_ne!(edited[at], byte, "the edit changes the part");
        edited[at] = byte;
        std::fs::write(&part, &edited).expect("write");
        std::fs::write(&shard, &original).expect("restore");
        forge(&shard, |body| with_samples_sha256(body, &part));
        let before = common::snapshot(&d.join("results"));
        let stderr = common::rejected(
            d,
            &["merge", "m3"],
            &["samples-2-of-3.parquet", "not a samples part of this run"],
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(common::snapshot(&d.join("results")), before);
    }
    std::fs::write(&shard, &original).expect("restore");
    std::fs::write(&part, &original_part).expect("restore");
    common::ok(d, &["merge", "m3"]);
}

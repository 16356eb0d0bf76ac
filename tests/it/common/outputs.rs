//! What a command left on disk: the files under a folder, what a reader of it sees, and every
//! entry with its bytes.

use std::path::{Path, PathBuf};

/// Every entry under `root` that is not a folder, hidden ones included, sorted: files and
/// symbolic links (a link is listed, not followed, even to a folder); none when `root` does not
/// exist.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let entry = entry.expect("folder entry");
            if entry.file_type().expect("file type").is_dir() {
                stack.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
}

/// What a reader of `root` sees (path relative to `root` → bytes): every file whose path has no
/// hidden part (not a run's version folders `.run-N`, nor temporary files), read through
/// symbolic links (a link to a folder is entered); a link that leads nowhere is no file. Empty
/// when `root` does not exist. In a `run.toml`, the command lines (`command = `,
/// `shard_command = `) are left out: they name the command, `--out` and `--threads` that
/// produced it, which outputs compared across those must not depend on.
pub fn snapshot(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    for path in files_under(root) {
        let relative = path.strip_prefix(root).expect("under root").to_path_buf();
        let hidden = relative
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            for (inner, bytes) in snapshot(&path) {
                files.insert(relative.join(inner), bytes);
            }
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) if relative.file_name().is_some_and(|n| n == "run.toml") => {
                files.insert(relative, without_command_lines(&bytes));
            }
            Ok(bytes) => {
                files.insert(relative, bytes);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    files
}

/// A `run.toml` without its command lines (see [`snapshot`]).
pub fn without_command_lines(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("command = ") && !l.starts_with("shard_command = "))
        .collect();
    (kept.join("\n") + "\n").into_bytes()
}

/// Every entry under `root`, hidden ones included, with its bytes (folders empty, links as
/// their targets, never followed, FIFOs not read): what a command must leave alone.
pub fn everything(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut entries = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("folder") {
            let entry = entry.expect("entry");
            let path = entry.path();
            let kind = entry.file_type().expect("file type");
            let bytes = if kind.is_symlink() {
                std::fs::read_link(&path)
                    .expect("link")
                    .into_os_string()
                    .into_encoded_bytes()
            } else if kind.is_dir() {
                stack.push(path.clone());
                Vec::new()
            } else if kind.is_file() {
                std::fs::read(&path).expect("read")
            } else {
                // A FIFO: reading it would wait for a writer.
                b"(not a regular file)".to_vec()
            };
            entries.insert(path, bytes);
        }
    }
    entries
}

/// [`snapshot`] of `root` without its `shards/` folders: what a run and its merged shards both
/// leave.
pub fn outside_shards(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    snapshot(root)
        .into_iter()
        .filter(|(path, _)| !path.components().any(|c| c.as_os_str() == "shards"))
        .collect()
}

/// Asserts that `got` holds exactly the files of `expected` (relative path → bytes), each with
/// the same bytes; `context` starts the messages.
pub fn assert_same_files(
    expected: &std::collections::BTreeMap<PathBuf, Vec<u8>>,
    got: &std::collections::BTreeMap<PathBuf, Vec<u8>>,
    context: &str,
) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{context}: files added or removed"
    );
    for (path, bytes) in expected {
        assert!(got[path] == *bytes, "{context}: {} differs", path.display());
    }
}

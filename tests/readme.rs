//! The README's examples run as written: every line of every ```sh block that calls
//! `treatysim`, in README order, in one fresh folder holding a copy of the shipped scenarios.
//! (`cargo` lines are the set-up, exercised by CI itself; other languages' blocks are recipes.)

mod common;

use std::path::Path;
use std::process::Command;

/// The shell lines of the README's ```sh blocks that call treatysim.
fn sh_lines(readme: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed == "```sh";
            continue;
        }
        if in_sh && trimmed.starts_with("treatysim ") {
            let command = trimmed.split("  #").next().unwrap_or(trimmed).trim();
            lines.push(command.to_string());
        }
    }
    lines
}

#[test]
fn readme_examples_run_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let lines = sh_lines(&readme);
    assert!(
        lines.len() >= 5,
        "expected the README to show commands, found {lines:?}"
    );
    let dir = common::workdir(&[]);
    for entry in std::fs::read_dir(common::shipped_scenarios()).expect("scenarios") {
        let path = entry.expect("entry").path();
        std::fs::copy(
            &path,
            dir.path()
                .join("scenarios")
                .join(path.file_name().expect("name")),
        )
        .expect("copy");
    }
    let binary = assert_cmd::cargo::cargo_bin("treatysim");
    let bin_dir = binary.parent().expect("binary folder");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for line in &lines {
        let output = Command::new("bash")
            .args(["-c", line])
            .current_dir(dir.path())
            .env("PATH", &path)
            .output()
            .expect("bash runs");
        assert!(
            output.status.success(),
            "README command failed: {line}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{line}: {stderr}");
    }
}

#[test]
fn sh_blocks_are_extracted() {
    let text = "```sh\ntreatysim list\ncargo test\n```\n```python\ntreatysim no\n```\n```sh\ntreatysim run x  # note\n```";
    assert_eq!(sh_lines(text), vec!["treatysim list", "treatysim run x"]);
}

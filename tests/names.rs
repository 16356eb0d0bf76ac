//! Names and paths (SPEC §7, issue #9): messages never echo a control character raw, since
//! names, paths and file contents are echoed in them and must not drive the terminal (move the
//! cursor, change colours, forge a line).

mod common;

use common::{ScenarioText, workdir};
use std::path::Path;

/// Whether `text` holds a control character other than the line ends between messages.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n' || ('\u{202a}'..='\u{202e}').contains(c))
        .collect()
}

/// Runs `treatysim args` in `dir`; returns the exit code and stderr.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = common::treatysim(dir)
        .args(args)
        .output()
        .expect("the binary starts");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
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
        let (status, stderr) = run(dir.path(), args);
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

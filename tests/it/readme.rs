//! The documentation's examples are real. For each of README.md, docs/guide.md and
//! docs/internals.md, in document order, in a fresh folder of its own holding copies of
//! `scenarios/` and `examples/scenarios/`:
//!
//! - every line of every ```sh block runs, alone, in `bash -c` with the `treatysim` just built
//!   first on PATH, and must exit 0 without a panic. Blank lines, `#` comments and `cargo`
//!   lines (the set-up, which CI runs itself) are skipped. Blocks in other languages (```bash
//!   for cluster scripts and tools, ```python, ```r, ```gnuplot) are shown, not run;
//! - a ```text block right after a ```sh block (nothing but blank lines between) is that
//!   block's output: what its lines print, stdout and stderr merged, exactly, but for the time
//!   and speed in a run's summary line (`0.21 s (0.95M trials/s)`);
//! - every ```toml block is an excerpt of a real file, named on the line before it by
//!   `<!-- excerpt: PATH -->` (PATH from the repository's root): its lines appear in that file,
//!   in a row, exactly as shown;
//! - an image after `<!-- drawn: PATH -->` is, byte for byte, the file PATH that the commands
//!   before it drew in the working folder;
//! - every relative link leads to a file that exists, and every `#anchor` to a heading.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The documents whose examples are checked.
const DOCS: [&str; 3] = ["README.md", "docs/guide.md", "docs/internals.md"];

/// A fenced block: its info string and its lines, with the line numbers (from 0) of its
/// opening and closing fences.
#[derive(Debug)]
struct Block {
    info: String,
    open: usize,
    close: usize,
    body: Vec<String>,
}

/// The fenced blocks of a Markdown text, in order.
fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            let close = (i + 1..lines.len())
                .find(|j| lines[*j].trim() == "```")
                .unwrap_or_else(|| panic!("line {}: a ``` block is never closed", i + 1));
            out.push(Block {
                info: info.trim().to_string(),
                open: i,
                close,
                body: lines[i + 1..close].iter().map(|l| l.to_string()).collect(),
            });
            i = close + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// The lines of a ```sh block that run: not blank, not a comment, not `cargo`.
fn commands(block: &Block) -> Vec<String> {
    block
        .body
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("cargo "))
        .map(str::to_string)
        .collect()
}

/// Text with each run summary's time and speed (`, 0.21 s (0.95M trials/s)`) replaced by
/// `, TIME`, and without trailing newlines.
fn without_timings(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let mut line = line.to_string();
            while let Some(end) = line.find("M trials/s)") {
                let Some(seconds) = line[..end].rfind(" s (") else {
                    break;
                };
                let Some(comma) = line[..seconds].rfind(", ") else {
                    break;
                };
                line.replace_range(comma + 2..end + "M trials/s)".len(), "TIME");
            }
            line
        })
        .collect();
    lines.join("\n").trim_end().to_string()
}

/// The value of a `<!-- KIND: VALUE -->` comment.
fn marker<'a>(line: &'a str, kind: &str) -> Option<&'a str> {
    line.trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim()
        .strip_prefix(kind)?
        .strip_prefix(':')
        .map(str::trim)
}

/// A fresh working folder with copies of the shipped and the example scenarios.
fn workdir(root: &Path) -> tempfile::TempDir {
    let dir = common::workdir(&[]);
    for folder in ["scenarios", "examples/scenarios"] {
        let to = dir.path().join(folder);
        std::fs::create_dir_all(&to).expect("folder");
        for entry in std::fs::read_dir(root.join(folder)).expect(folder) {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|x| x == "toml") {
                std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
            }
        }
    }
    dir
}

/// Runs one line in `dir`; returns what it printed, stdout and stderr merged.
fn run(line: &str, dir: &Path, path_var: &str, doc: &str) -> String {
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("exec 2>&1\n{line}"))
        .current_dir(dir)
        .env("PATH", path_var)
        .env_remove("TREATYSIM_SCENARIOS")
        .output()
        .expect("bash runs");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{doc}: command failed ({}): {line}\n{printed}",
        output.status
    );
    assert!(!printed.contains("panicked"), "{doc}: {line}: {printed}");
    printed
}

/// Runs a document's ```sh blocks and checks their outputs, excerpts and drawn images.
fn check_examples(root: &Path, doc: &str, path_var: &str) -> usize {
    let text = std::fs::read_to_string(root.join(doc)).unwrap_or_else(|e| panic!("{doc}: {e}"));
    let lines: Vec<&str> = text.lines().collect();
    let blocks = blocks(&text);
    let dir = workdir(root);
    let doc_dir = root.join(doc).parent().expect("folder").to_path_buf();
    let mut ran = 0;
    let mut printed = String::new();
    // TREATYSIM_BLESS_DOCS=1 rewrites the outputs and images shown with what the commands
    // print and draw now (then review the diff), instead of failing on a difference.
    let bless = std::env::var_os("TREATYSIM_BLESS_DOCS").is_some();
    let mut blessed: Vec<(usize, usize, String)> = Vec::new();
    let mut after_sh: Option<usize> = None;
    let mut next_block = 0;
    let mut i = 0;
    while i < lines.len() {
        if let Some(block) = blocks.get(next_block).filter(|b| b.open == i) {
            let at = format!("{doc}:{}", block.open + 1);
            match block.info.as_str() {
                "sh" => {
                    printed.clear();
                    for line in commands(block) {
                        printed.push_str(&run(&line, dir.path(), path_var, &at));
                        ran += 1;
                    }
                    after_sh = Some(block.close);
                }
                "text"
                    if after_sh.is_some_and(|close| {
                        lines[close + 1..block.open]
                            .iter()
                            .all(|l| l.trim().is_empty())
                    }) =>
                {
                    let shown = without_timings(&block.body.join("\n"));
                    let real = without_timings(&printed);
                    if bless && shown != real {
                        blessed.push((block.open + 1, block.close, printed.trim_end().to_string()));
                    }
                    assert!(
                        bless || shown == real,
                        "{at}: the output shown is not what the commands print.\n--- shown:\n{shown}\n--- printed:\n{real}\n"
                    );
                }
                "toml" => {
                    let file = (0..block.open)
                        .rev()
                        .map(|j| lines[j])
                        .find(|l| !l.trim().is_empty())
                        .and_then(|l| marker(l, "excerpt"))
                        .unwrap_or_else(|| {
                            panic!("{at}: a ```toml block needs <!-- excerpt: PATH --> on the line before it")
                        });
                    let real = std::fs::read_to_string(root.join(file))
                        .unwrap_or_else(|e| panic!("{at}: {file}: {e}"));
                    let real: Vec<&str> = real.lines().collect();
                    let shown: Vec<&str> = block.body.iter().map(String::as_str).collect();
                    assert!(
                        !shown.is_empty() && real.windows(shown.len()).any(|w| w == shown),
                        "{at}: the TOML shown is not an excerpt of {file}:\n{}",
                        shown.join("\n")
                    );
                }
                _ => {}
            }
            if block.info != "sh" {
                after_sh = None;
            }
            i = block.close + 1;
            next_block += 1;
            continue;
        }
        if let Some(drawn) = marker(lines[i], "drawn") {
            let image = lines
                .get(i + 1)
                .and_then(|l| l.split_once("](").map(|(_, rest)| rest))
                .and_then(|rest| rest.split_once(')').map(|(target, _)| target))
                .unwrap_or_else(|| {
                    panic!("{doc}:{}: <!-- drawn: ... --> must precede an image", i + 1)
                });
            let shown = std::fs::read(doc_dir.join(image))
                .unwrap_or_else(|e| panic!("{doc}:{}: {image}: {e}", i + 2));
            let drawn_now = std::fs::read(dir.path().join(drawn)).unwrap_or_else(|e| {
                panic!(
                    "{doc}:{}: the commands before it drew no {drawn}: {e}",
                    i + 1
                )
            });
            if bless && shown != drawn_now {
                std::fs::write(doc_dir.join(image), &drawn_now).expect("bless an image");
            }
            assert!(
                bless || shown == drawn_now,
                "{doc}:{}: {image} is not the {drawn} that the commands before it draw; copy it over",
                i + 2
            );
        }
        i += 1;
    }
    if !blessed.is_empty() {
        let mut out: Vec<String> = Vec::new();
        let mut from = 0;
        for (start, end, real) in &blessed {
            out.extend(lines[from..*start].iter().map(|l| (*l).to_string()));
            out.extend(real.lines().map(str::to_string));
            from = *end;
        }
        out.extend(lines[from..].iter().map(|l| (*l).to_string()));
        std::fs::write(root.join(doc), out.join("\n") + "\n").expect("bless the document");
    }
    ran
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut in_code = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// The targets of a Markdown text's links and images (outside code blocks).
fn links(text: &str) -> Vec<String> {
    let mut in_code = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            rest = &rest[start + 2..];
            if let Some(end) = rest.find(')') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

#[test]
fn documentation_examples_run_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = assert_cmd::cargo::cargo_bin("treatysim");
    let bin_dir = binary.parent().expect("binary folder");
    let path_var = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for doc in DOCS {
        let ran = check_examples(root, doc, &path_var);
        assert!(ran >= 5, "expected {doc} to show commands, found {ran}");
    }
}

#[test]
fn documentation_links_lead_somewhere() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for doc in DOCS {
        let text = std::fs::read_to_string(root.join(doc)).expect(doc);
        let folder = root.join(doc).parent().expect("folder").to_path_buf();
        for target in links(&text) {
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((&target, ""));
            let file: PathBuf = if file.is_empty() {
                root.join(doc)
            } else {
                folder.join(file)
            };
            assert!(file.exists(), "{doc}: link to {target}: no such file");
            if !fragment.is_empty() {
                let linked = std::fs::read_to_string(&file).expect("linked file");
                assert!(
                    anchors(&linked).iter().any(|a| a == fragment),
                    "{doc}: link to {target}: no heading with that anchor"
                );
            }
        }
    }
}

#[test]
fn the_checks_read_markdown_as_intended() {
    let text = "intro\n```sh\ntreatysim list\n# a comment\ncargo test\n```\n\n```text\nout\n```\n```python\nx\n```";
    let blocks = blocks(text);
    assert_eq!(blocks.len(), 3);
    assert_eq!(commands(&blocks[0]), vec!["treatysim list"]);
    assert_eq!((blocks[1].info.as_str(), blocks[1].open), ("text", 7));
    assert_eq!(
        without_timings(
            "a: P = 5% (95% CI 4%–6%), 200000 trials, conditional, 0.15 s (1.33M trials/s) -> results/a\nb"
        ),
        "a: P = 5% (95% CI 4%–6%), 200000 trials, conditional, TIME -> results/a\nb"
    );
    assert_eq!(
        marker("<!-- excerpt: scenarios/baseline.toml -->", "excerpt"),
        Some("scenarios/baseline.toml")
    );
    assert_eq!(
        anchor(" `new`: a starting scenario"),
        "new-a-starting-scenario"
    );
    assert_eq!(
        links("see [a](docs/guide.md#x) and ![b](img/c.svg)\n```\n[no](link)\n```"),
        vec!["docs/guide.md#x", "img/c.svg"]
    );
}

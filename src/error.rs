//! Error types. Invalid input exits with code 2, every other failure with code 1 (SPEC §2).

use std::path::Path;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input (a scenario file, an argument): the message names where, which key,
    /// what is wrong and what would be accepted.
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, naming the file.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The command was interrupted by SIGINT or SIGTERM; nothing was written for what it was
    /// doing.
    #[error("interrupted; earlier results are untouched")]
    Interrupted,
}

/// Exit code of an interrupted command: 128 + SIGINT, the shell's convention (SPEC §7).
pub const INTERRUPTED_EXIT: i32 = 130;

impl Error {
    /// The process exit code for this error: 2 for invalid input, 130 for an interruption, 1
    /// otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) => 2,
            Error::Interrupted => INTERRUPTED_EXIT,
            Error::Io { .. } => 1,
        }
    }

    /// An I/O error with a context naming the file.
    pub fn io(action: &str, path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            context: format!("could not {action} '{}'", path.display()),
            source,
        }
    }
}

/// `text` with every control character escaped as Rust writes it (`\n`, `\u{1b}`), and so are
/// the characters that reorder text on a terminal (U+202A-U+202E, U+2066-U+2069): for messages
/// that echo names, paths or file contents, which must not move the cursor, change colours or
/// forge lines.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(escape_controls("baseline 0.5 – é"), "baseline 0.5 – é");
        assert!(matches!(
            escape_controls("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(escape_controls("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(escape_controls("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(escape_controls("x\u{7f}\u{9b}y"), "x\\u{7f}\\u{9b}y");
        assert_eq!(escape_controls("abc\u{202e}def"), "abc\\u{202e}def");
    }
}

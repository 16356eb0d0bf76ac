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
    /// The run was interrupted by SIGINT or SIGTERM; nothing was written for it.
    #[error("interrupted; earlier results are untouched")]
    Interrupted,
}

impl Error {
    /// The process exit code for this error: 2 for invalid input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) => 2,
            Error::Io { .. } | Error::Interrupted => 1,
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

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

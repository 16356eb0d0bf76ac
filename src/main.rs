//! The `treatysim` binary: parse the command line, run it, map errors to exit codes.

use clap::Parser;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::Duration;
use treatysim::cli::Cli;
use treatysim::engine::INTERRUPTED;

/// How long an interrupted process may take to stop on its own before it is ended.
const GRACE: Duration = Duration::from_secs(3);

/// Exit code of a process ended by a signal it could not stop for cleanly (128 + SIGINT).
const FORCED_EXIT: i32 = 130;

fn main() {
    let cli = Cli::parse();
    // SIGINT / SIGTERM / SIGHUP: set the flag; simulations stop within a batch of trials, return
    // `Error::Interrupted` and remove their temporary files as they unwind. Whatever does not
    // check the flag (validation, writing, a stuck computation) is ended after GRACE, or at
    // once on a second signal; a `.treatysim-*.tmp` file may then remain beside its target,
    // but no output is ever left half-written.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            note("error: interrupted again; stopping now");
            std::process::exit(FORCED_EXIT);
        }
        std::thread::spawn(|| {
            std::thread::sleep(GRACE);
            note(&format!(
                "error: interrupted, and still busy after {} s; stopping now (a temporary \
                 .treatysim-*.tmp file may remain; earlier results are untouched)",
                GRACE.as_secs()
            ));
            std::process::exit(FORCED_EXIT);
        });
    });
    if let Err(e) = treatysim::dispatch(cli) {
        note(&format!("error: {e}"));
        std::process::exit(e.exit_code());
    }
}

/// A line on stderr, control characters escaped (messages echo names and paths, which must not
/// drive the terminal); a closed stderr (`treatysim ... 2>&1 | head -1`) is not worth a panic.
fn note(line: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        treatysim::error::escape_controls(line)
    );
}

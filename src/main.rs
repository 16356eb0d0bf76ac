//! The `treatysim` binary: parse the command line, run it, map errors to exit codes.

use clap::Parser;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::Duration;
use treatysim::cli::Cli;
use treatysim::engine::INTERRUPTED;
use treatysim::error::{INTERRUPTED_EXIT, escape_controls};
use treatysim::export::exit_now;

/// How long an interrupted command may take to stop on its own before it is ended: well within
/// the second SPEC §7 allows.
const GRACE: Duration = Duration::from_millis(500);

fn main() {
    let cli = Cli::parse();
    // SIGINT / SIGTERM / SIGHUP: set the flag; every command looks at it between steps
    // (simulations within a batch of trials, copies every megabyte, publications before the
    // rename that publishes), returns `Error::Interrupted` and removes its temporary files as it
    // unwinds. Whatever does not look at it (validating a huge file) is ended after GRACE, or
    // at once on a second signal, by `exit_now`: it lets a publication under way finish its
    // renames and removes this process's temporary files first, so nothing is half-written or
    // left behind either way. Exit code 130 in every case.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            note("error: interrupted again; stopping now (earlier results are untouched)");
            exit_now(INTERRUPTED_EXIT);
        }
        std::thread::spawn(|| {
            std::thread::sleep(GRACE);
            note(&format!(
                "error: interrupted, and still busy after {} ms; stopping now (earlier results \
                 are untouched)",
                GRACE.as_millis()
            ));
            exit_now(INTERRUPTED_EXIT);
        });
    });
    let result = treatysim::dispatch(cli);
    if INTERRUPTED.load(Ordering::SeqCst) {
        // Whatever the command returned, it was cut short (an error caused by the interruption,
        // such as a copy stopped half-way, says nothing more), or the signal came as it
        // finished.
        note(match result {
            Ok(()) => "error: interrupted as it finished; its results were written in full",
            Err(_) => "error: interrupted; earlier results are untouched",
        });
        exit_now(INTERRUPTED_EXIT);
    }
    if let Err(e) = result {
        note(&format!("error: {e}"));
        std::process::exit(e.exit_code());
    }
}

/// A line on stderr, control characters escaped; a closed stderr (`treatysim ... 2>&1 |
/// head -1`) is not worth a panic.
fn note(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", escape_controls(line));
}

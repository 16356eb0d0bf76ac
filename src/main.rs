//! The `treatysim` binary: parse the command line, run it, map errors to exit codes.

use clap::Parser;
use std::sync::atomic::Ordering;
use treatysim::cli::Cli;

fn main() {
    let cli = Cli::parse();
    // SIGINT / SIGTERM: stop at the next wave; temporary files are removed as the run unwinds.
    let _ = ctrlc::set_handler(|| treatysim::engine::INTERRUPTED.store(true, Ordering::Relaxed));
    if let Err(e) = treatysim::dispatch(cli) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}

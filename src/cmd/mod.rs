//! One module per subcommand; [`dispatch`] runs the parsed command line.

mod check;
mod list;
mod run;
mod show;

use crate::cli::{Cli, Command};
use crate::error::{Error, Result};
use crate::scenario::Catalog;
use std::io::Write;

/// Runs a parsed command line.
///
/// # Errors
/// Whatever the command fails with; [`Error::exit_code`] gives the exit code.
pub fn dispatch(cli: Cli) -> Result<()> {
    let catalog = Catalog::new(&cli.scenarios);
    match cli.command {
        Command::List => list::list(&catalog),
        Command::Check { names } => check::check(&catalog, &names),
        Command::Show { name, sets } => show::show(&catalog, &name, &sets),
        Command::Run(args) => run::run(&catalog, &args),
    }
}

/// Writes a command's output to stdout; a closed pipe (`treatysim show x | head -1`) is not an
/// error.
fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Io { context: "could not write to standard output".into(), source: e })
        }
        _ => Ok(()),
    }
}

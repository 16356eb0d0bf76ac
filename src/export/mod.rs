//! CSV outputs (SPEC §6), every file written atomically through [`write_atomic`] or
//! [`AtomicFile`] (a temporary file, flushed to disk, renamed into place).
//!
//! A run's files in `<out>/NAME/` change together ([`publish`]): a reader never sees two runs
//! mixed there, whenever the writer is killed (SPEC §7).
//!
//! Every check comes before the first write: [`check_outputs`] before a run simulates, and
//! [`prepare_summary`] under the lock just before the folder is published.
//!
//! Any number of processes may write into one `--out` at once (SPEC §7):
//! - a run's results (its files in `<out>/NAME/` and its row of `<out>/summary.csv`) are
//!   published under an [`OutLock`] on `--out` ([`publish_run`]), so no read-modify-rename of
//!   `<out>/summary.csv` ([`prepare_summary`]) overlaps another and no row is lost;
//! - while holding it, [`prepare_summary`] also takes every folder's own row: for each
//!   `<out>/NAME/summary.csv` holding one row for NAME, listed in its `run.toml` (SHA-256)
//!   and in range, that row replaces or adds NAME's row, and rows whose folder file is
//!   missing, unreadable or unverified are kept as they are (an unverified one with a
//!   warning, [`set_warning_handler`]). A process
//!   killed between its folder and the root file leaves them disagreeing only until the next
//!   run or merge into `--out`; it also tidies every folder of what killed writers left;
//! - every [`AtomicFile`] locks its temporary file while writing it, and first removes the
//!   temporary files in its folder that nobody holds, left by killed writers; it registers it
//!   with [`cleanup`], so that a process ended by a signal removes it.
//!
//! [`lock`] tells how the locks work.

mod atomic;
pub mod cleanup;
pub use crate::guard;
pub mod layout;
pub mod lock;
pub mod parquet_file;
mod preflight;
pub mod provenance;
mod publication;
pub mod publish;
mod samples;
mod summary;
mod tidy;

pub use atomic::{AtomicFile, write_atomic};
pub use cleanup::{CriticalSection, critical_section, exit_now};
pub use layout::RunFolder;
pub use lock::OutLock;
pub use preflight::{check_case, check_outputs, check_scenario_folder, probe_output};
pub use provenance::{Output, Record, RunToml};
pub use publication::{Publication, publish_analysis, publish_pool, publish_run};
pub use publish::Content;
pub use samples::{SampleFormat, SamplesFormat, SamplesSink, SamplesWriter};
pub use summary::{
    MonthEstimate, PendingSummary, RunSummary, SUMMARY_HEADER, TIMELINE_HEADER, prepare_summary,
    read_summary, repair, repair_summary, upsert_summary,
};
pub use tidy::remove_stale_temporaries;

/// Where the library's warnings go (a folder left out of the root summary: [`repair`]); set
/// once by the front end ([`set_warning_handler`]), else they are printed on stderr.
static WARNINGS: std::sync::OnceLock<fn(&str, &str)> = std::sync::OnceLock::new();

/// Sends the warnings of output writers to `handler`, called with what a warning is about (the
/// same for every warning about one thing, so that it can be told once) and its text. The
/// first handler set stays.
pub fn set_warning_handler(handler: fn(&str, &str)) {
    let _ = WARNINGS.set(handler);
}

/// A warning on the way ([`set_warning_handler`]).
pub(crate) fn warn(about: &str, text: &str) {
    match WARNINGS.get() {
        Some(handler) => handler(about, text),
        None => {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr().lock(),
                "warning: {}",
                crate::error::escape_controls(text)
            );
        }
    }
}

pub use crate::number::float;

/// A CSV file's bytes.
pub fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_shortest_round_trip() {
        assert_eq!(float(0.1), "0.1");
        assert_eq!(float(1.0), "1");
        assert_eq!(float(0.0), "0");
        assert_eq!(float(1e-7), "1e-7");
        assert_eq!(float(0.041_234_567_890_123_4), "0.0412345678901234");
        for x in [0.1 + 0.2, 1.0 / 3.0, 2.5e-9, 123.456] {
            assert_eq!(float(x).parse::<f64>().unwrap(), x);
        }
    }
}

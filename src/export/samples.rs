//! `samples.csv` and `samples.parquet` (SPEC §6): one row per trial.

use super::{AtomicFile, parquet_file};
use crate::engine::{RecordFormat, TrialRecord};
use crate::error::{Error, Result};
use crate::model::Estimator;
use crate::month::Month;
use crate::number::write_float;
use std::io::Write;
use std::path::Path;

/// The rows of `samples.csv`: `trial`, every parameter's draw in canonical order headed by
/// its key, `party.P.leader_exit_month` for each signatory whose leader can leave,
/// `event.NAME.month` for each event (the month it fired, empty if it did not), then
/// `signed_month` (indicator) or `signed_probability` (conditional).
#[derive(Clone, Debug)]
pub struct SampleFormat {
    /// First simulated month (month indices are written as `YYYY-MM`).
    pub start: Month,
    /// The estimator: decides the last column.
    pub estimator: Estimator,
    /// The column names.
    columns: Vec<String>,
    /// The header line.
    header: String,
    /// Positions (among the signatories) of those whose leaders can leave.
    exits: Vec<usize>,
    /// The number of events (one `event.NAME.month` column each).
    events: usize,
    /// Whether each parameter is a constant (its column holds one value), canonical order.
    constant: Vec<bool>,
}

impl SampleFormat {
    /// The format of `scenario`'s samples, compiled as `model`, under `estimator`.
    pub fn new(
        scenario: &crate::scenario::Scenario,
        model: &crate::model::Model,
        estimator: Estimator,
    ) -> SampleFormat {
        let cast = &scenario.cast;
        let exits: Vec<usize> = (0..model.signatories())
            .filter(|k| model.can_leave(*k))
            .collect();
        let signatories: Vec<usize> = cast.signatories().collect();
        let mut header = vec!["trial".to_string()];
        header.extend(cast.keys().map(str::to_string));
        header.extend(exits.iter().map(|k| {
            format!(
                "party.{}.leader_exit_month",
                cast.parties[signatories[*k]].name
            )
        }));
        header.extend(
            scenario
                .events
                .iter()
                .map(|e| format!("event.{}.month", e.name)),
        );
        header.push(
            match estimator {
                Estimator::Indicator => "signed_month",
                Estimator::Conditional => "signed_probability",
            }
            .to_string(),
        );
        SampleFormat {
            start: scenario.simulation.start,
            estimator,
            header: format!("{}\n", header.join(",")),
            columns: header,
            exits,
            events: scenario.events.len(),
            constant: cast
                .ids()
                .map(|id| scenario.dist(id).is_constant())
                .collect(),
        }
    }

    /// The header line.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// The column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Positions (among the signatories) of those whose leaders can leave: one
    /// `party.P.leader_exit_month` column each.
    pub fn exits(&self) -> &[usize] {
        &self.exits
    }

    /// Whether each parameter's column holds one value (a constant), canonical order.
    pub fn constant_draws(&self) -> &[bool] {
        &self.constant
    }

    /// The number of month columns between the draws and the last column: one
    /// `party.P.leader_exit_month` for each leader that can leave, one `event.NAME.month` for
    /// each event.
    pub fn exit_columns(&self) -> usize {
        self.exits.len() + self.events
    }
}

impl RecordFormat for SampleFormat {
    fn format(&self, record: &TrialRecord<'_>, out: &mut Vec<u8>) {
        // Straight into `out`: no `String` a cell (this runs ten or more times a trial).
        let month = |out: &mut Vec<u8>, m: usize| {
            if m != usize::MAX {
                let _ = write!(out, "{}", self.start.plus(m));
            }
        };
        out.extend_from_slice(itoa::Buffer::new().format(record.trial).as_bytes());
        for draw in record.draws {
            out.push(b',');
            write_float(out, *draw);
        }
        for &k in &self.exits {
            out.push(b',');
            month(out, record.exits[k]);
        }
        for &fired in record.events {
            out.push(b',');
            month(out, fired);
        }
        out.push(b',');
        match self.estimator {
            Estimator::Indicator => {
                if let Some(m) = record.signed_month {
                    month(out, m);
                }
            }
            Estimator::Conditional => {
                write_float(out, record.cumulative.last().copied().unwrap_or(0.0));
            }
        }
        out.push(b'\n');
    }

    fn record_bytes(&self) -> usize {
        20 * self.columns.len()
    }
}

/// Streams `samples.csv` to an [`AtomicFile`].
pub struct SamplesWriter {
    file: AtomicFile,
    /// The row format.
    pub format: SampleFormat,
}

impl SamplesWriter {
    /// Starts `path`, with the header line unless this is a shard's part.
    ///
    /// # Errors
    /// I/O errors.
    pub fn create(path: &Path, format: SampleFormat, header: bool) -> Result<SamplesWriter> {
        let mut file = AtomicFile::create(path)?;
        if header {
            file.write_all(format.header().as_bytes())
                .map_err(|e| Error::io("write", path, e))?;
        }
        Ok(SamplesWriter { file, format })
    }

    /// Appends rows.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&mut self, rows: &[u8]) -> Result<()> {
        self.file
            .write_all(rows)
            .map_err(|e| Error::io("write", self.file.path(), e))
    }

    /// Flushes and renames the file into place.
    ///
    /// # Errors
    /// I/O errors.
    pub fn commit(self) -> Result<()> {
        self.file.commit()
    }

    /// The file written so far, not yet in place: for a run's publication
    /// ([`Content::File`](super::publish::Content::File)).
    pub fn into_file(self) -> AtomicFile {
        self.file
    }
}

/// The file format of `--samples` (`--samples-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SamplesFormat {
    /// `samples.csv`.
    #[default]
    Csv,
    /// `samples.parquet` ([`parquet_file`]).
    Parquet,
}

impl SamplesFormat {
    /// Its file name extension: `csv` or `parquet`.
    pub fn extension(self) -> &'static str {
        match self {
            SamplesFormat::Csv => "csv",
            SamplesFormat::Parquet => "parquet",
        }
    }

    /// The run file it writes: `samples.csv` or `samples.parquet`.
    pub fn file_name(self) -> &'static str {
        match self {
            SamplesFormat::Csv => "samples.csv",
            SamplesFormat::Parquet => "samples.parquet",
        }
    }

    /// Whether it is CSV, the default (which shard files do not write down).
    pub fn is_csv(&self) -> bool {
        *self == SamplesFormat::Csv
    }

    /// The engine's record format for `format`'s columns in this file format.
    pub fn records(self, format: &SampleFormat) -> Box<dyn RecordFormat> {
        match self {
            SamplesFormat::Csv => Box::new(format.clone()),
            SamplesFormat::Parquet => Box::new(parquet_file::ParquetRecords::new(format.clone())),
        }
    }
}

/// A samples file being streamed, in either format.
pub enum SamplesSink {
    /// `samples.csv` or a CSV part (boxed: its buffered writer is six times the Parquet
    /// writer's handle).
    Csv(Box<SamplesWriter>),
    /// `samples.parquet` or a Parquet part.
    Parquet(parquet_file::ParquetWriter),
}

impl SamplesSink {
    /// Starts `path` in `kind` with `format`'s columns; a CSV `header` line unless this is a
    /// shard's CSV part.
    ///
    /// # Errors
    /// I/O errors.
    pub fn create(
        path: &Path,
        kind: SamplesFormat,
        format: &SampleFormat,
        header: bool,
    ) -> Result<SamplesSink> {
        Ok(match kind {
            SamplesFormat::Csv => SamplesSink::Csv(Box::new(SamplesWriter::create(
                path,
                format.clone(),
                header,
            )?)),
            SamplesFormat::Parquet => {
                SamplesSink::Parquet(parquet_file::ParquetWriter::create(path, format)?)
            }
        })
    }

    /// Appends the engine's rows (as [`SamplesFormat::records`] formats them).
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&mut self, rows: Vec<u8>) -> Result<()> {
        match self {
            SamplesSink::Csv(w) => w.write(&rows),
            SamplesSink::Parquet(w) => w.write(rows),
        }
    }

    /// The file written, complete (a Parquet footer written) but not yet in place: for a run's
    /// publication, or [`AtomicFile::commit`].
    ///
    /// # Errors
    /// I/O errors.
    pub fn into_file(self) -> Result<AtomicFile> {
        match self {
            SamplesSink::Csv(w) => Ok(w.into_file()),
            SamplesSink::Parquet(w) => w.finish(),
        }
    }
}

//! `samples.parquet` (`--samples-format parquet`): the columns of `samples.csv` in Apache
//! Parquet, written with the `parquet` crate's low-level writer (no Arrow).
//!
//! Column types: `trial` INT64; every parameter's draw and `signed_probability` DOUBLE;
//! `party.P.leader_exit_month`, `event.NAME.month` and `signed_month` nullable UTF-8 strings `YYYY-MM` (null where
//! the CSV cell is empty), so that a reader gets the CSV's values.
//!
//! The engine lays each block of trials out as fixed-width binary, column by column
//! ([`ParquetRecords`]: 8 bytes a cell), in parallel; [`ParquetWriter`] receives the blocks in trial order and hands them to an
//! [`Encoder`] on its own thread, which gathers them into columns and writes a row group every
//! [`ROW_GROUP`] rows counted from the file's first row. Memory is
//! one row group whatever the trials, and the bytes depend only on the rows: the same whatever
//! `--threads`, and a merge of shards' parts (read back and written through the same writer)
//! gives the unsharded run's file byte for byte.

use super::{AtomicFile, SampleFormat};
use crate::engine::{RecordFormat, TrialRecord};
use crate::error::{Error, Result};
use crate::model::Estimator;
use crate::month::Month;
use parquet::basic::{
    Compression, ConvertedType, Encoding, LogicalType, Repetition, Type as Physical,
};
use parquet::column::reader::ColumnReader;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnPath, Type};
use std::path::Path;
use std::sync::Arc;

/// Rows per row group (16 engine blocks): the rows held in memory before they are written.
pub const ROW_GROUP: usize = 65_536;

/// Bytes of one column of one record in the engine's binary rows.
const CELL: usize = 8;

/// A month cell's binary value for "none" (an empty CSV cell, a Parquet null).
const NO_MONTH: u64 = u64::MAX;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `trial`: INT64.
    Trial,
    /// A draw or `signed_probability`: DOUBLE.
    Real,
    /// A month or none: nullable UTF-8 `YYYY-MM`.
    Month,
}

/// The kind of each column of `format`, in order.
fn kinds(format: &SampleFormat) -> Vec<Kind> {
    let names = format.columns();
    let draws = names.len() - 2 - format.exit_columns();
    let mut kinds = vec![Kind::Trial];
    kinds.extend(std::iter::repeat_n(Kind::Real, draws));
    kinds.extend(std::iter::repeat_n(Kind::Month, format.exit_columns()));
    kinds.push(match format.estimator {
        Estimator::Indicator => Kind::Month,
        Estimator::Conditional => Kind::Real,
    });
    kinds
}

/// The Parquet schema of `format`'s columns.
fn schema(format: &SampleFormat) -> Result<Arc<Type>> {
    let fields = format
        .columns()
        .iter()
        .zip(kinds(format))
        .map(|(name, kind)| {
            let field = match kind {
                Kind::Trial => Type::primitive_type_builder(name, Physical::INT64),
                Kind::Real => Type::primitive_type_builder(name, Physical::DOUBLE),
                Kind::Month => Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                    .with_logical_type(Some(LogicalType::String))
                    .with_converted_type(ConvertedType::UTF8),
            };
            let repetition = if kind == Kind::Month {
                Repetition::OPTIONAL
            } else {
                Repetition::REQUIRED
            };
            field.with_repetition(repetition).build().map(Arc::new)
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| internal("build the schema of", e))?;
    Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
        .map(Arc::new)
        .map_err(|e| internal("build the schema of", e))
}

/// The writer's settings. Draws are all distinct: PLAIN and uncompressed (a dictionary would
/// be tried and dropped in every row group, and compression would cost time to gain next to
/// nothing), without statistics (random values span the whole range in every row group, so
/// min/max would prune nothing), except a constant's, which a dictionary makes a few bytes a
/// page. `trial` counts
/// up by one: DELTA_BINARY_PACKED. The months repeat: a dictionary, and Snappy.
fn properties(format: &SampleFormat) -> Arc<WriterProperties> {
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .set_dictionary_enabled(false)
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .set_column_encoding(ColumnPath::from("trial"), Encoding::DELTA_BINARY_PACKED);
    let constant = format.constant_draws();
    for ((i, name), kind) in format.columns().iter().enumerate().zip(kinds(format)) {
        let path = || ColumnPath::from(name.as_str());
        if i >= 1 && constant.get(i - 1).copied().unwrap_or(false) {
            builder = builder.set_column_dictionary_enabled(path(), true);
        } else if kind == Kind::Real {
            builder = builder.set_column_statistics_enabled(path(), EnabledStatistics::None);
        }
    }
    for (name, kind) in format.columns().iter().zip(kinds(format)) {
        if kind == Kind::Month {
            let path = || ColumnPath::from(name.as_str());
            builder = builder
                .set_column_dictionary_enabled(path(), true)
                .set_column_compression(path(), Compression::SNAPPY);
        }
    }
    Arc::new(builder.build())
}

/// An error of the parquet crate where none is expected (a schema of our own).
fn internal(what: &str, e: parquet::errors::ParquetError) -> Error {
    Error::Io {
        context: format!("could not {what} samples.parquet"),
        source: std::io::Error::other(e),
    }
}

/// The engine's binary blocks for `samples.parquet`, column by column: each column's cells
/// for the block's trials, 8 little-endian bytes each — the trial, each draw's bits, each
/// leader's exit month index (`u64::MAX`: none), then the signing month index or the
/// probability's bits. Laid out in the worker threads, so that the encoder only copies columns.
#[derive(Clone, Debug)]
pub struct ParquetRecords {
    format: SampleFormat,
}

impl ParquetRecords {
    /// The binary blocks of `format`'s columns.
    pub fn new(format: SampleFormat) -> ParquetRecords {
        ParquetRecords { format }
    }

    /// Writes `record`'s cells, in column order, `stride` bytes apart from the start of `out`.
    fn put_cells(&self, record: &TrialRecord<'_>, out: &mut [u8], stride: usize) {
        let mut at = 0;
        let mut put = |cell: u64| {
            if let Some(slot) = out.get_mut(at..at + CELL) {
                slot.copy_from_slice(&cell.to_le_bytes());
            }
            at += stride;
        };
        put(record.trial);
        for draw in record.draws {
            put(draw.to_bits());
        }
        let exits = self.format.exits().iter().map(|&k| record.exits[k]);
        for month in exits.chain(record.events.iter().copied()) {
            put(if month == usize::MAX {
                NO_MONTH
            } else {
                month as u64
            });
        }
        put(match self.format.estimator {
            Estimator::Indicator => record.signed_month.map_or(NO_MONTH, |t| t as u64),
            Estimator::Conditional => record.cumulative.last().copied().unwrap_or(0.0).to_bits(),
        });
    }
}

impl RecordFormat for ParquetRecords {
    /// One record alone (a block of one).
    fn format(&self, record: &TrialRecord<'_>, out: &mut Vec<u8>) {
        let start = out.len();
        out.resize(start + self.record_bytes(), 0);
        self.put_cells(record, &mut out[start..], CELL);
    }

    fn record_bytes(&self) -> usize {
        CELL * self.format.columns().len()
    }

    fn start_block(&self, trials: usize, out: &mut Vec<u8>) {
        out.clear();
        out.resize(trials * self.record_bytes(), 0);
    }

    fn format_in_block(
        &self,
        record: &TrialRecord<'_>,
        index: usize,
        trials: usize,
        out: &mut Vec<u8>,
    ) {
        // Column c's cell of this record is at (c · trials + index) · CELL.
        if let Some(out) = out.get_mut(index * CELL..) {
            self.put_cells(record, out, trials * CELL);
        }
    }
}

/// One column's values of the row group being gathered.
#[derive(Debug)]
enum Column {
    Trial(Vec<i64>),
    Real(Vec<f64>),
    Month(Vec<Option<ByteArray>>),
}

impl Column {
    fn new(kind: Kind) -> Column {
        match kind {
            Kind::Trial => Column::Trial(Vec::with_capacity(ROW_GROUP)),
            Kind::Real => Column::Real(Vec::with_capacity(ROW_GROUP)),
            Kind::Month => Column::Month(Vec::with_capacity(ROW_GROUP)),
        }
    }

    fn clear(&mut self) {
        match self {
            Column::Trial(v) => v.clear(),
            Column::Real(v) => v.clear(),
            Column::Month(v) => v.clear(),
        }
    }
}

/// Encodes `samples.parquet` (or a shard's part) into an [`AtomicFile`], a row group at a time,
/// on the calling thread: `merge`'s writer, and [`ParquetWriter`]'s on its own thread.
pub struct Encoder {
    writer: SerializedFileWriter<AtomicFile>,
    columns: Vec<Column>,
    /// Rows gathered in `columns`.
    rows: usize,
    /// First simulated month, and the `YYYY-MM` labels of month indices seen so far.
    start: Month,
    labels: Vec<ByteArray>,
    path: std::path::PathBuf,
}

impl Encoder {
    /// Starts `path` with `format`'s columns.
    ///
    /// # Errors
    /// I/O errors.
    pub fn create(path: &Path, format: &SampleFormat) -> Result<Encoder> {
        let file = AtomicFile::create(path)?;
        let writer = SerializedFileWriter::new(file, schema(format)?, properties(format))
            .map_err(|e| parquet_io(path, e))?;
        Ok(Encoder {
            writer,
            columns: kinds(format).into_iter().map(Column::new).collect(),
            rows: 0,
            start: format.start,
            labels: Vec::new(),
            path: path.to_path_buf(),
        })
    }

    /// Appends one of the engine's binary blocks ([`ParquetRecords`]: column by column),
    /// writing each row group as it fills.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&mut self, block: &[u8]) -> Result<()> {
        let trials = block.len() / (CELL * self.columns.len());
        debug_assert_eq!(block.len(), trials * CELL * self.columns.len());
        let mut done = 0;
        while done < trials {
            let take = (ROW_GROUP - self.rows).min(trials - done);
            self.gather(block, trials, done..done + take);
            done += take;
            self.rows += take;
            if self.rows == ROW_GROUP {
                self.flush_group()?;
            }
        }
        Ok(())
    }

    /// Appends rows `range` of a column-by-column block of `trials` rows to the columns.
    fn gather(&mut self, block: &[u8], trials: usize, range: std::ops::Range<usize>) {
        for (c, column) in self.columns.iter_mut().enumerate() {
            let cells = &block[(c * trials + range.start) * CELL..(c * trials + range.end) * CELL];
            let values = cells.chunks_exact(CELL).map(|cell| {
                let mut bytes = [0; CELL];
                bytes.copy_from_slice(cell);
                u64::from_le_bytes(bytes)
            });
            match column {
                Column::Trial(v) => v.extend(values.map(|x| x as i64)),
                Column::Real(v) => v.extend(values.map(f64::from_bits)),
                Column::Month(v) => {
                    for value in values {
                        v.push(if value == NO_MONTH {
                            None
                        } else {
                            Some(label(&mut self.labels, self.start, value as usize))
                        });
                    }
                }
            }
        }
    }

    /// Writes the gathered rows as one row group.
    fn flush_group(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        crate::engine::check_interrupted()?;
        let path = &self.path;
        let mut group = self
            .writer
            .next_row_group()
            .map_err(|e| parquet_io(path, e))?;
        let mut levels = Vec::new();
        let mut present = Vec::new();
        for column in &mut self.columns {
            let Some(mut writer) = group.next_column().map_err(|e| parquet_io(path, e))? else {
                break;
            };
            let written = match column {
                Column::Trial(v) => writer.typed::<Int64Type>().write_batch(v, None, None),
                Column::Real(v) => writer.typed::<DoubleType>().write_batch(v, None, None),
                Column::Month(v) => {
                    levels.clear();
                    present.clear();
                    for cell in v.iter() {
                        levels.push(i16::from(cell.is_some()));
                        present.extend(cell.iter().cloned());
                    }
                    writer
                        .typed::<ByteArrayType>()
                        .write_batch(&present, Some(&levels), None)
                }
            };
            written.map_err(|e| parquet_io(path, e))?;
            writer.close().map_err(|e| parquet_io(path, e))?;
            column.clear();
        }
        group.close().map_err(|e| parquet_io(path, e))?;
        self.rows = 0;
        Ok(())
    }

    /// Writes the last row group and the footer: the file, flushed, not yet in place.
    ///
    /// # Errors
    /// I/O errors.
    pub fn finish(mut self) -> Result<AtomicFile> {
        self.flush_group()?;
        let path = self.path;
        self.writer.into_inner().map_err(|e| parquet_io(&path, e))
    }

    /// Appends every row of the part `file` (a shard's `samples-K-of-N.parquet`, written by
    /// this writer with the same columns), regrouped from this file's first row.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the part does not hold these columns; I/O errors.
    pub fn append_part(&mut self, file: std::fs::File, part: &Path) -> Result<()> {
        let not_ours = |what: String| {
            Error::Invalid(format!(
                "the samples part '{}' is not a samples part of this run: {what}",
                part.display()
            ))
        };
        let reader = SerializedFileReader::new(file).map_err(|e| not_ours(e.to_string()))?;
        let columns = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .num_columns();
        if columns != self.columns.len() {
            return Err(not_ours(format!(
                "it has {columns} columns, this run {}",
                self.columns.len()
            )));
        }
        for g in 0..reader.num_row_groups() {
            let group = reader
                .get_row_group(g)
                .map_err(|e| not_ours(e.to_string()))?;
            let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
            let mut read = Vec::with_capacity(self.columns.len());
            for (i, column) in self.columns.iter().enumerate() {
                let reader = group
                    .get_column_reader(i)
                    .map_err(|e| not_ours(e.to_string()))?;
                let values = read_column(reader, column, rows)
                    .map_err(|e| not_ours(format!("column {}: {e}", i + 1)))?;
                read.push(values);
            }
            for row in 0..rows {
                for (column, values) in self.columns.iter_mut().zip(&read) {
                    match (column, values) {
                        (Column::Trial(v), Column::Trial(r)) => v.push(r[row]),
                        (Column::Real(v), Column::Real(r)) => v.push(r[row]),
                        (Column::Month(v), Column::Month(r)) => v.push(r[row].clone()),
                        _ => return Err(not_ours("a column of another type".into())),
                    }
                }
                self.rows += 1;
                if self.rows == ROW_GROUP {
                    self.flush_group()?;
                }
            }
        }
        Ok(())
    }
}

/// Streams `samples.parquet` (or a shard's part) during a run: the engine's rows go to an
/// [`Encoder`] on a thread of its own, a wave at a time through a channel of two waves, so that
/// encoding overlaps the simulation of the next wave instead of following it.
pub struct ParquetWriter {
    rows: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    encoder: Option<std::thread::JoinHandle<Result<AtomicFile>>>,
}

impl ParquetWriter {
    /// Starts `path` with `format`'s columns, and the thread that encodes it.
    ///
    /// # Errors
    /// I/O errors.
    pub fn create(path: &Path, format: &SampleFormat) -> Result<ParquetWriter> {
        let mut encoder = Encoder::create(path, format)?;
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let thread = std::thread::Builder::new()
            .name("samples.parquet".into())
            .spawn(move || {
                for rows in receiver {
                    encoder.write(&rows)?;
                }
                encoder.finish()
            })
            .map_err(|e| Error::Io {
                context: "could not start the thread writing samples.parquet".into(),
                source: e,
            })?;
        Ok(ParquetWriter {
            rows: Some(sender),
            encoder: Some(thread),
        })
    }

    /// Hands one of the engine's binary blocks ([`ParquetRecords`]) to the encoding thread.
    ///
    /// # Errors
    /// The encoder's error, once it has stopped on one.
    pub fn write(&mut self, rows: Vec<u8>) -> Result<()> {
        let sent = self
            .rows
            .as_ref()
            .is_some_and(|sender| sender.send(rows).is_ok());
        if sent {
            return Ok(());
        }
        // The encoder stopped: its error says why.
        self.join().and_then(|_| {
            Err(Error::Io {
                context: "the thread writing samples.parquet stopped".into(),
                source: std::io::Error::other("stopped"),
            })
        })
    }

    /// Waits for the encoder to write the last row group and the footer: the file, flushed,
    /// not yet in place.
    ///
    /// # Errors
    /// I/O errors.
    pub fn finish(mut self) -> Result<AtomicFile> {
        self.join()
    }

    /// Closes the channel and waits for the encoding thread's result.
    fn join(&mut self) -> Result<AtomicFile> {
        self.rows = None;
        match self.encoder.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Err(Error::Io {
                context: "the thread writing samples.parquet stopped".into(),
                source: std::io::Error::other("stopped"),
            }),
        }
    }
}

impl Drop for ParquetWriter {
    /// An unfinished writer (an error or an interruption elsewhere) stops its thread; the
    /// temporary file is then removed as an uncommitted [`AtomicFile`].
    fn drop(&mut self) {
        if self.encoder.is_some() {
            let _ = self.join();
        }
    }
}

/// Rows `wanted` (row numbers from 0, in increasing order) of the samples part at `path`, each
/// as `samples.csv` writes it (`None` past its last row), for `merge` to compare with the rows
/// its trials give when simulated again. Reads only the row groups that hold them.
///
/// # Errors
/// [`Error::Invalid`] when the part is not a Parquet file of `format`'s columns; I/O errors.
pub fn rows_as_csv(
    path: &Path,
    format: &SampleFormat,
    wanted: &[u64],
) -> Result<Vec<Option<Vec<u8>>>> {
    let not_ours = |what: String| {
        Error::Invalid(format!(
            "the samples part '{}' is not a samples part of this run: {what}",
            path.display()
        ))
    };
    let file = crate::guard::open_existing(path)?;
    let reader = SerializedFileReader::new(file).map_err(|e| not_ours(e.to_string()))?;
    let like: Vec<Column> = kinds(format)
        .into_iter()
        .map(|k| match k {
            Kind::Trial => Column::Trial(Vec::new()),
            Kind::Real => Column::Real(Vec::new()),
            Kind::Month => Column::Month(Vec::new()),
        })
        .collect();
    let columns = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .num_columns();
    if columns != like.len() {
        return Err(not_ours(format!(
            "it has {columns} columns, this run {}",
            like.len()
        )));
    }
    let mut found = vec![None; wanted.len()];
    let mut first = 0u64;
    for g in 0..reader.num_row_groups() {
        let group = reader
            .get_row_group(g)
            .map_err(|e| not_ours(e.to_string()))?;
        let rows = u64::try_from(group.metadata().num_rows()).unwrap_or(0);
        let inside: Vec<usize> = (0..wanted.len())
            .filter(|&i| (first..first + rows).contains(&wanted[i]))
            .collect();
        if !inside.is_empty() {
            let mut read = Vec::with_capacity(like.len());
            for (i, column) in like.iter().enumerate() {
                let reader = group
                    .get_column_reader(i)
                    .map_err(|e| not_ours(e.to_string()))?;
                let values = read_column(reader, column, rows as usize)
                    .map_err(|e| not_ours(format!("column {}: {e}", i + 1)))?;
                read.push(values);
            }
            for i in inside {
                let row = (wanted[i] - first) as usize;
                let cells: Vec<String> = read
                    .iter()
                    .map(|column| match column {
                        Column::Trial(v) => v[row].to_string(),
                        Column::Real(v) => super::float(v[row]),
                        Column::Month(v) => v[row]
                            .as_ref()
                            .map(|m| String::from_utf8_lossy(m.data()).into_owned())
                            .unwrap_or_default(),
                    })
                    .collect();
                found[i] = Some(format!("{}\n", cells.join(",")).into_bytes());
            }
        }
        first += rows;
    }
    Ok(found)
}

/// The `rows` values of one column chunk, of the kind of `like`.
fn read_column(
    reader: ColumnReader,
    like: &Column,
    rows: usize,
) -> std::result::Result<Column, String> {
    let mut levels = Vec::with_capacity(rows);
    let column = match (reader, like) {
        (ColumnReader::Int64ColumnReader(mut r), Column::Trial(_)) => {
            let mut values = Vec::with_capacity(rows);
            while values.len() < rows {
                let (records, _, _) = r
                    .read_records(rows - values.len(), None, None, &mut values)
                    .map_err(|e| e.to_string())?;
                if records == 0 {
                    break;
                }
            }
            Column::Trial(values)
        }
        (ColumnReader::DoubleColumnReader(mut r), Column::Real(_)) => {
            let mut values = Vec::with_capacity(rows);
            while values.len() < rows {
                let (records, _, _) = r
                    .read_records(rows - values.len(), None, None, &mut values)
                    .map_err(|e| e.to_string())?;
                if records == 0 {
                    break;
                }
            }
            Column::Real(values)
        }
        (ColumnReader::ByteArrayColumnReader(mut r), Column::Month(_)) => {
            let mut values: Vec<ByteArray> = Vec::new();
            while levels.len() < rows {
                let (records, _, _) = r
                    .read_records(rows - levels.len(), Some(&mut levels), None, &mut values)
                    .map_err(|e| e.to_string())?;
                if records == 0 {
                    break;
                }
            }
            let mut values = values.into_iter();
            let cells: Vec<Option<ByteArray>> = levels
                .iter()
                .map(|&l| if l > 0 { values.next() } else { None })
                .collect();
            Column::Month(cells)
        }
        _ => return Err("a column of another type".into()),
    };
    let read = match &column {
        Column::Trial(v) => v.len(),
        Column::Real(v) => v.len(),
        Column::Month(v) => v.len(),
    };
    if read != rows {
        return Err(format!("{read} values where the row group has {rows} rows"));
    }
    Ok(column)
}

/// The `YYYY-MM` label of month index `t` from `start`, cached.
fn label(labels: &mut Vec<ByteArray>, start: Month, t: usize) -> ByteArray {
    while labels.len() <= t {
        labels.push(ByteArray::from(
            start.plus(labels.len()).to_string().as_str(),
        ));
    }
    labels[t].clone()
}

/// A parquet error while writing `path`, as an I/O error naming it (the file's own I/O error
/// when that is what it was).
fn parquet_io(path: &Path, e: parquet::errors::ParquetError) -> Error {
    let source = match e {
        parquet::errors::ParquetError::External(inner) => {
            match inner.downcast::<std::io::Error>() {
                Ok(io) => *io,
                Err(other) => std::io::Error::other(other),
            }
        }
        other => std::io::Error::other(other),
    };
    Error::io("write", path, source)
}

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
use crate::engine::{RecordFormat, TrialBatch, TrialRecord};
use crate::error::{Error, Result};
use crate::model::Estimator;
use crate::month::Month;
use parquet::basic::{
    Compression, ConvertedType, Encoding, LogicalType, Repetition, Type as Physical,
};
use parquet::column::reader::ColumnReader;
use parquet::column::writer::{ColumnCloseResult, ColumnWriter, get_column_writer};
use parquet::data_type::ByteArray;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use parquet::schema::types::{ColumnPath, SchemaDescriptor, Type};
use rayon::prelude::*;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

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

    /// Lays the block out in one the encoder is done with when there is one (a fresh block
    /// of half a megabyte costs page faults and zeroing, a tenth of a run's time), and zeroes
    /// it only when its size changes: every cell is written by the block's records.
    fn start_block(&self, trials: usize, out: &mut Vec<u8>) {
        let bytes = trials * self.record_bytes();
        if out.capacity() < bytes
            && let Some(spare) = SPARE_BLOCKS.lock().ok().and_then(|mut s| s.pop())
        {
            *out = spare;
        }
        if out.len() != bytes {
            out.clear();
            out.resize(bytes, 0);
        }
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

    fn formats_batches(&self) -> bool {
        self.format.estimator == Estimator::Conditional
    }

    /// Column by column, each column's cells of the batch side by side: the bytes of
    /// [`RecordFormat::format_in_block`] for each trial, without copying each trial's record
    /// out of the lanes first.
    fn format_batch(&self, batch: &TrialBatch<'_>, index: usize, trials: usize, out: &mut Vec<u8>) {
        let count = batch.count;
        let mut columns = out.chunks_exact_mut(trials * CELL).map(|column| {
            column
                .get_mut(index * CELL..(index + count) * CELL)
                .unwrap_or_default()
        });
        // Column by column, the batch's cells of one column written by a plain loop over
        // borrowed lanes (no array of cells built and moved per column), which vectorises.
        fn put(column: Option<&mut [u8]>, cell: impl Fn(usize) -> u64) {
            for (l, out) in column
                .unwrap_or_default()
                .chunks_exact_mut(CELL)
                .enumerate()
            {
                out.copy_from_slice(&cell(l).to_le_bytes());
            }
        }
        put(columns.next(), |l| batch.first + l as u64);
        for draw in batch.draws {
            put(columns.next(), |l| draw[l].to_bits());
        }
        let month = |m: usize| if m == usize::MAX { NO_MONTH } else { m as u64 };
        let exits = batch.lanes.exits();
        for &k in self.format.exits() {
            put(columns.next(), |l| month(exits[k][l]));
        }
        for event in batch.lanes.events() {
            put(columns.next(), |l| month(event[l]));
        }
        let outcome = batch.lanes.outcome();
        put(columns.next(), |l| outcome[l].to_bits());
    }
}

/// Blocks the encoders are done with, for the workers to lay out the next ones in
/// ([`ParquetRecords`]'s `start_block`): at most [`SPARES`], emptied when a file is finished.
static SPARE_BLOCKS: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());

/// The most blocks kept in [`SPARE_BLOCKS`]: more than a run on 16 threads has at once (a
/// window of [`crate::engine::STREAMED_BLOCKS_PER_THREAD`] blocks a thread, the [`QUEUED`]
/// blocks and a row group's 16).
const SPARES: usize = 128;

/// Gives back a block the encoder is done with.
fn spare(block: Vec<u8>) {
    if let Ok(mut spares) = SPARE_BLOCKS.lock()
        && spares.len() < SPARES
    {
        spares.push(block);
    }
}

/// One column's values, read back from a part's row group.
#[derive(Debug)]
enum Column {
    Trial(Vec<i64>),
    Real(Vec<f64>),
    Month(Vec<Option<ByteArray>>),
}

/// Rows of the row group being gathered: a run of rows of one block, kept as it came (the
/// columns are gathered from the blocks only when the row group is encoded).
#[derive(Debug)]
enum Piece {
    /// Rows `rows` of one of the engine's binary blocks ([`ParquetRecords`]) of `trials` rows.
    Binary {
        block: Arc<Vec<u8>>,
        trials: usize,
        rows: Range<usize>,
    },
    /// Rows `rows` of a part's row group, read back column by column.
    Read {
        columns: Arc<Vec<Column>>,
        rows: Range<usize>,
    },
}

impl Piece {
    /// Column `c`'s cells of the engine's block, as the binary values it laid out.
    fn cells(&self, c: usize) -> impl Iterator<Item = u64> + '_ {
        let cells: &[u8] = match self {
            Piece::Binary {
                block,
                trials,
                rows,
            } => block
                .get((c * trials + rows.start) * CELL..(c * trials + rows.end) * CELL)
                .unwrap_or_default(),
            Piece::Read { .. } => &[],
        };
        cells.chunks_exact(CELL).map(|cell| {
            let mut bytes = [0; CELL];
            bytes.copy_from_slice(cell);
            u64::from_le_bytes(bytes)
        })
    }
}

/// One column's buffers, kept from one row group to the next (so that encoding a row group
/// allocates nothing once the first is written): its values gathered from the pieces, and
/// its encoded bytes.
#[derive(Default)]
struct Scratch {
    ints: Vec<i64>,
    reals: Vec<f64>,
    levels: Vec<i16>,
    present: Vec<ByteArray>,
    /// The `YYYY-MM` labels of month indices seen so far.
    labels: Vec<ByteArray>,
    encoded: Vec<u8>,
    /// A constant draw's column ([`SampleFormat::constant_draws`]): the value's bits, the
    /// row count and the close result of the chunk last encoded into `encoded`, when all its
    /// values were that one value. Every full row group of a constant encodes to the same
    /// bytes, so they are encoded once rather than put through the dictionary's hash table
    /// value by value, row group after row group.
    repeat: Option<(u64, usize, ColumnCloseResult)>,
    /// Whether this column is a constant draw's.
    constant: bool,
}

/// Encoded bytes in memory, for [`parquet::file::writer::SerializedRowGroupWriter::append_column`].
struct Encoded<'a>(&'a [u8]);

impl parquet::file::reader::Length for Encoded<'_> {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
}

impl<'a> parquet::file::reader::ChunkReader for Encoded<'a> {
    type T = &'a [u8];

    fn get_read(&self, start: u64) -> parquet::errors::Result<&'a [u8]> {
        let bytes: &'a [u8] = self.0;
        usize::try_from(start)
            .ok()
            .and_then(|start| bytes.get(start..))
            .ok_or_else(|| parquet::errors::ParquetError::EOF(format!("no byte {start}")))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        self.0
            .get(start..start.saturating_add(length))
            .map(bytes::Bytes::copy_from_slice)
            .ok_or_else(|| parquet::errors::ParquetError::EOF(format!("no byte {start}")))
    }
}

/// A thread fed through a channel of `bound` items, whose result is taken once the channel is
/// closed ([`ParquetWriter`]'s encoder, [`Handoff`]'s writer). Dropped unfinished (an error or
/// an interruption elsewhere), it closes the channel and waits for the thread, whose result is
/// dropped with it: an uncommitted [`AtomicFile`], which removes its temporary file.
struct Feeder<T, R> {
    to: Option<std::sync::mpsc::SyncSender<T>>,
    thread: Option<std::thread::JoinHandle<R>>,
}

impl<T: Send + 'static, R: Send + 'static> Feeder<T, R> {
    /// Starts `work` on the channel's receiving end, on a thread named `name`.
    fn spawn(
        name: &str,
        bound: usize,
        work: impl FnOnce(Receiver<T>) -> R + Send + 'static,
    ) -> std::io::Result<Feeder<T, R>> {
        let (to, from) = std::sync::mpsc::sync_channel(bound);
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || work(from))?;
        Ok(Feeder {
            to: Some(to),
            thread: Some(thread),
        })
    }

    /// Sends `item`, waiting while the channel is full; `false` once the thread has stopped.
    fn send(&self, item: T) -> bool {
        self.to.as_ref().is_some_and(|to| to.send(item).is_ok())
    }

    /// Closes the channel and waits for the thread: its result (`None` once taken). A panic in
    /// the thread goes on in the caller.
    fn join(&mut self) -> Option<R> {
        self.to = None;
        match self.thread.take()?.join() {
            Ok(result) => Some(result),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

impl<T, R> Drop for Feeder<T, R> {
    fn drop(&mut self) {
        self.to = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Bytes the encoder hands to the disk at a time ([`Handoff`]).
const HANDOFF: usize = 1 << 20;

/// The most bytes held by a `Handoff`: four buffers in its channel, the one being written
/// and the one being filled.
pub const HANDED_OFF: usize = 6 * HANDOFF;

/// The file's bytes on their way to the disk: the encoder writes into a buffer, and a thread of
/// its own writes each full megabyte into the [`AtomicFile`] (which hashes it and starts its
/// writeback). The encoder's thread is the pipeline's narrowest point; this takes the
/// file's SHA-256 and the system calls off it. At most four megabytes wait in the channel.
struct Handoff<W: std::io::Write + Send + 'static = AtomicFile> {
    buffer: Vec<u8>,
    writer: Feeder<Vec<u8>, std::io::Result<W>>,
    /// Buffers the thread is done with.
    back: Receiver<Vec<u8>>,
}

impl<W: std::io::Write + Send + 'static> Handoff<W> {
    fn new(mut file: W) -> std::io::Result<Handoff<W>> {
        let (give_back, back) = std::sync::mpsc::channel();
        let writer = Feeder::spawn("samples.parquet file", 4, move |from: Receiver<Vec<u8>>| {
            for mut bytes in from {
                file.write_all(&bytes)?;
                bytes.clear();
                let _ = give_back.send(bytes);
            }
            Ok(file)
        })?;
        Ok(Handoff {
            buffer: Vec::with_capacity(HANDOFF),
            writer,
            back,
        })
    }

    /// Hands the buffer to the thread.
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let next = self
            .back
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(HANDOFF));
        let full = std::mem::replace(&mut self.buffer, next);
        if self.writer.send(full) {
            Ok(())
        } else {
            Err(self.join().err().unwrap_or_else(stopped))
        }
    }

    /// Closes the channel and waits for the thread: the file, or the error it stopped on.
    fn join(&mut self) -> std::io::Result<W> {
        self.writer.join().unwrap_or_else(|| Err(stopped()))
    }

    /// Everything written, in the file (not yet flushed to disk).
    fn into_file(mut self) -> std::io::Result<W> {
        self.send()?;
        self.join()
    }
}

/// The error of a [`Handoff`] whose thread is gone.
fn stopped() -> std::io::Error {
    std::io::Error::other("the thread writing samples.parquet stopped")
}

impl<W: std::io::Write + Send + 'static> std::io::Write for Handoff<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.buffer.len() + bytes.len() > HANDOFF {
            self.send()?;
        }
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    /// Nothing to do: [`Handoff::into_file`] hands over the rest, and the file is flushed to
    /// disk before it is renamed.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Encodes `samples.parquet` (or a shard's part) into an [`AtomicFile`], a row group at a time,
/// on the calling thread: `merge`'s writer, and [`ParquetWriter`]'s on its own thread. The
/// columns of a row group are encoded side by side (rayon), each into memory, then appended
/// in order: the bytes are those of encoding them one after the other.
pub struct Encoder {
    writer: SerializedFileWriter<Handoff>,
    kinds: Vec<Kind>,
    schema: SchemaDescriptor,
    properties: Arc<WriterProperties>,
    /// The rows of the row group being gathered, and how many.
    pieces: Vec<Piece>,
    rows: usize,
    /// Each column's buffers.
    scratch: Vec<Scratch>,
    /// First simulated month.
    start: Month,
    path: std::path::PathBuf,
}

impl Encoder {
    /// Starts `path` with `format`'s columns.
    ///
    /// # Errors
    /// I/O errors.
    pub fn create(path: &Path, format: &SampleFormat) -> Result<Encoder> {
        let file = Handoff::new(AtomicFile::create(path)?).map_err(|e| Error::Io {
            context: "could not start the thread writing samples.parquet".into(),
            source: e,
        })?;
        let schema = schema(format)?;
        let properties = properties(format);
        let writer = SerializedFileWriter::new(file, schema.clone(), properties.clone())
            .map_err(|e| parquet_io(path, e))?;
        let kinds = kinds(format);
        Ok(Encoder {
            writer,
            scratch: (0..kinds.len())
                .map(|c| Scratch {
                    constant: c >= 1 && format.constant_draws().get(c - 1) == Some(&true),
                    ..Scratch::default()
                })
                .collect(),
            kinds,
            schema: SchemaDescriptor::new(schema),
            properties,
            pieces: Vec::new(),
            rows: 0,
            start: format.start,
            path: path.to_path_buf(),
        })
    }

    /// Appends one of the engine's binary blocks ([`ParquetRecords`]: column by column),
    /// writing each row group as it fills.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&mut self, block: Vec<u8>) -> Result<()> {
        let trials = block.len() / (CELL * self.kinds.len());
        debug_assert_eq!(block.len(), trials * CELL * self.kinds.len());
        let block = Arc::new(block);
        self.add(trials, |rows| Piece::Binary {
            block: block.clone(),
            trials,
            rows,
        })
    }

    /// Appends `rows` rows made by `piece` (of a range of them), writing each row group as it
    /// fills.
    fn add(&mut self, rows: usize, piece: impl Fn(Range<usize>) -> Piece) -> Result<()> {
        let mut done = 0;
        while done < rows {
            let take = (ROW_GROUP - self.rows).min(rows - done);
            self.pieces.push(piece(done..done + take));
            done += take;
            self.rows += take;
            if self.rows == ROW_GROUP {
                self.flush_group()?;
            }
        }
        Ok(())
    }

    /// Writes the gathered rows as one row group.
    fn flush_group(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        crate::engine::check_interrupted()?;
        let path = &self.path;
        let rows = Rows {
            pieces: &self.pieces,
            start: self.start,
            schema: &self.schema,
            properties: &self.properties,
        };
        let closed: Vec<parquet::errors::Result<ColumnCloseResult>> = self
            .scratch
            .par_iter_mut()
            .zip(&self.kinds)
            .enumerate()
            .map(|(c, (scratch, &kind))| rows.encode_column(c, kind, scratch))
            .collect();
        let mut group = self
            .writer
            .next_row_group()
            .map_err(|e| parquet_io(path, e))?;
        for (close, scratch) in closed.into_iter().zip(&self.scratch) {
            let close = close.map_err(|e| parquet_io(path, e))?;
            group
                .append_column(&Encoded(&scratch.encoded), close)
                .map_err(|e| parquet_io(path, e))?;
        }
        group.close().map_err(|e| parquet_io(path, e))?;
        for piece in self.pieces.drain(..) {
            if let Piece::Binary { block, .. } = piece
                && let Ok(block) = Arc::try_unwrap(block)
            {
                spare(block);
            }
        }
        self.rows = 0;
        Ok(())
    }

    /// Writes the last row group and the footer: the file, flushed, not yet in place.
    ///
    /// # Errors
    /// I/O errors.
    pub fn finish(mut self) -> Result<AtomicFile> {
        self.flush_group()?;
        if let Ok(mut spares) = SPARE_BLOCKS.lock() {
            *spares = Vec::new();
        }
        let path = self.path;
        let handoff = self.writer.into_inner().map_err(|e| parquet_io(&path, e))?;
        handoff
            .into_file()
            .map_err(|e| Error::io("write", &path, e))
    }

    /// Appends every row of the part `file` (a shard's `samples-K-of-N.parquet`, written by
    /// this writer with the same columns), regrouped from this file's first row.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the part does not hold these columns; I/O errors.
    pub fn append_part(&mut self, file: std::fs::File, part: &Path) -> Result<()> {
        let not_ours = |what: String| not_a_part(part, what);
        let reader = unpanicked(part, || {
            SerializedFileReader::new(file).map_err(|e| not_ours(e.to_string()))
        })?;
        let columns = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .num_columns();
        if columns != self.kinds.len() {
            return Err(not_ours(format!(
                "it has {columns} columns, this run {}",
                self.kinds.len()
            )));
        }
        for g in 0..reader.num_row_groups() {
            let (rows, read) = unpanicked(part, || {
                let group = reader
                    .get_row_group(g)
                    .map_err(|e| not_ours(e.to_string()))?;
                let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
                let read = read_group(&*group, &self.kinds, rows).map_err(not_ours)?;
                Ok((rows, read))
            })?;
            let read = Arc::new(read);
            self.add(rows, |rows| Piece::Read {
                columns: read.clone(),
                rows,
            })?;
        }
        Ok(())
    }
}

/// The rows of a row group, for its columns to be encoded side by side.
struct Rows<'a> {
    pieces: &'a [Piece],
    start: Month,
    schema: &'a SchemaDescriptor,
    properties: &'a Arc<WriterProperties>,
}

impl Rows<'_> {
    /// Column `c`'s values of the rows into `values`: from the engine's blocks by `from_bits`,
    /// from parts read back by `read` (`None`: a column of another type).
    fn gather<'v, T: Copy>(
        &self,
        c: usize,
        values: &'v mut Vec<T>,
        from_bits: impl Fn(u64) -> T,
        read: impl Fn(&Column) -> Option<&Vec<T>>,
    ) -> parquet::errors::Result<&'v [T]> {
        values.clear();
        for piece in self.pieces {
            match piece {
                Piece::Read { columns, rows } => {
                    let column = columns.get(c).and_then(&read).ok_or_else(|| mismatch(c))?;
                    values.extend_from_slice(&column[rows.clone()]);
                }
                Piece::Binary { .. } => values.extend(piece.cells(c).map(&from_bits)),
            }
        }
        Ok(values)
    }

    /// Column `c`'s values of the rows, a DOUBLE column's.
    fn reals<'v>(&self, c: usize, values: &'v mut Vec<f64>) -> parquet::errors::Result<&'v [f64]> {
        self.gather(c, values, f64::from_bits, |column| {
            if let Column::Real(v) = column {
                Some(v)
            } else {
                None
            }
        })
    }

    /// Column `c` of the gathered rows, encoded into memory.
    fn encode_column(
        &self,
        c: usize,
        kind: Kind,
        scratch: &mut Scratch,
    ) -> parquet::errors::Result<ColumnCloseResult> {
        if kind == Kind::Real
            && let Some((bits, rows, close)) = &scratch.repeat
        {
            let values = self.reals(c, &mut scratch.reals)?;
            if values.len() == *rows && one_value(values) == Some(*bits) {
                // `encoded` still holds the chunk of these very values.
                return Ok(close.clone());
            }
        }
        let mut encoded = std::mem::take(&mut scratch.encoded);
        encoded.clear();
        let mut sink = TrackedWrite::new(encoded);
        let pages = Box::new(SerializedPageWriter::new(&mut sink));
        let column = get_column_writer(self.schema.column(c), self.properties.clone(), pages);
        let close = match (column, kind) {
            (ColumnWriter::Int64ColumnWriter(mut writer), Kind::Trial) => {
                let values = self.gather(
                    c,
                    &mut scratch.ints,
                    |x| x as i64,
                    |column| {
                        if let Column::Trial(v) = column {
                            Some(v)
                        } else {
                            None
                        }
                    },
                )?;
                writer.write_batch(values, None, None)?;
                writer.close()?
            }
            (ColumnWriter::DoubleColumnWriter(mut writer), Kind::Real) => {
                let values = self.reals(c, &mut scratch.reals)?;
                writer.write_batch(values, None, None)?;
                let close = writer.close()?;
                scratch.repeat = scratch
                    .constant
                    .then(|| one_value(values))
                    .flatten()
                    .map(|bits| (bits, values.len(), close.clone()));
                close
            }
            (ColumnWriter::ByteArrayColumnWriter(mut writer), Kind::Month) => {
                let Scratch {
                    levels,
                    present,
                    labels,
                    ..
                } = scratch;
                levels.clear();
                present.clear();
                for piece in self.pieces {
                    match piece {
                        Piece::Read { columns, rows } => match columns.get(c) {
                            Some(Column::Month(v)) => {
                                for cell in &v[rows.clone()] {
                                    levels.push(i16::from(cell.is_some()));
                                    present.extend(cell.iter().cloned());
                                }
                            }
                            _ => return Err(mismatch(c)),
                        },
                        Piece::Binary { .. } => {
                            for value in piece.cells(c) {
                                levels.push(i16::from(value != NO_MONTH));
                                if value != NO_MONTH {
                                    present.push(label(labels, self.start, value as usize));
                                }
                            }
                        }
                    }
                }
                writer.write_batch(present, Some(levels), None)?;
                writer.close()?
            }
            _ => return Err(mismatch(c)),
        };
        scratch.encoded = sink.into_inner()?;
        Ok(close)
    }
}

/// The bits of the one value that every one of `values` has (`None`: none, or more than one).
fn one_value(values: &[f64]) -> Option<u64> {
    let bits = values.first()?.to_bits();
    values.iter().all(|v| v.to_bits() == bits).then_some(bits)
}

/// The error of a column whose values are not of its schema's type (not expected: the pieces
/// are checked when read).
fn mismatch(c: usize) -> parquet::errors::ParquetError {
    parquet::errors::ParquetError::General(format!("column {} is of another type", c + 1))
}

/// Blocks queued for the encoder at most: two row groups' worth, so that the workers go on
/// simulating while the encoder writes a row group (with a queue of two blocks, they waited
/// for it every 16 blocks).
pub const QUEUED: usize = 2 * ROW_GROUP / crate::engine::BLOCK as usize;

/// Streams `samples.parquet` (or a shard's part) during a run: the engine's blocks go to an
/// [`Encoder`] on a thread of its own through a channel of [`QUEUED`] blocks, so that encoding
/// overlaps the simulation of the next blocks instead of following it.
pub struct ParquetWriter {
    encoder: Feeder<Vec<u8>, Result<AtomicFile>>,
}

impl ParquetWriter {
    /// Starts `path` with `format`'s columns, and the thread that encodes it.
    ///
    /// # Errors
    /// I/O errors.
    pub fn create(path: &Path, format: &SampleFormat) -> Result<ParquetWriter> {
        let mut encoder = Encoder::create(path, format)?;
        let not_started = |e: std::io::Error| Error::Io {
            context: "could not start the threads writing samples.parquet".into(),
            source: e,
        };
        // The encoder's own pool, as many threads as the run's (`--threads`), for the columns
        // of a row group: the run's workers are busy with the next blocks, and a pool of its own
        // keeps rayon's global pool (every core) out of a run told to use fewer.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .thread_name(|i| format!("samples.parquet {i}"))
            .build()
            .map_err(|e| not_started(std::io::Error::other(e)))?;
        let encoder = Feeder::spawn(
            "samples.parquet",
            QUEUED,
            move |blocks: Receiver<Vec<u8>>| {
                pool.install(|| {
                    for block in blocks {
                        encoder.write(block)?;
                    }
                    encoder.finish()
                })
            },
        )
        .map_err(not_started)?;
        Ok(ParquetWriter { encoder })
    }

    /// Hands one of the engine's binary blocks ([`ParquetRecords`]) to the encoding thread.
    ///
    /// # Errors
    /// The encoder's error, once it has stopped on one.
    pub fn write(&mut self, rows: Vec<u8>) -> Result<()> {
        if self.encoder.send(rows) {
            return Ok(());
        }
        // The encoder stopped: its error says why.
        self.join().and_then(|_| Err(encoder_stopped()))
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
        self.encoder
            .join()
            .unwrap_or_else(|| Err(encoder_stopped()))
    }
}

/// The error of a [`ParquetWriter`] whose encoding thread is gone.
fn encoder_stopped() -> Error {
    Error::Io {
        context: "the thread writing samples.parquet stopped".into(),
        source: std::io::Error::other("stopped"),
    }
}

/// A part's reader and the kinds of `format`'s columns, once its column count is checked.
fn open_part(
    path: &Path,
    format: &SampleFormat,
) -> Result<(SerializedFileReader<std::fs::File>, Vec<Kind>)> {
    let not_ours = |what: String| not_a_part(path, what);
    let file = crate::guard::open_existing(path)?;
    let reader = SerializedFileReader::new(file).map_err(|e| not_ours(e.to_string()))?;
    let like = kinds(format);
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
    Ok((reader, like))
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
    unpanicked(path, || read_rows_as_csv(path, format, wanted))
}

/// [`rows_as_csv`]'s reading.
fn read_rows_as_csv(
    path: &Path,
    format: &SampleFormat,
    wanted: &[u64],
) -> Result<Vec<Option<Vec<u8>>>> {
    let not_ours = |what: String| not_a_part(path, what);
    let (reader, like) = open_part(path, format)?;
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
            let read = read_group(&*group, &like, rows as usize).map_err(not_ours)?;
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

/// A cell of a samples part as read, for [`each_cell`].
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    /// An integer (the trial column).
    Integer(i64),
    /// A number (draws, probabilities).
    Real(f64),
    /// Text (months; `None` for nothing).
    Text(Option<&'a [u8]>),
}

/// Reads every row group of the Parquet samples part at `path` (of `format`'s columns) and
/// calls `visit(row, column, cell)` (row from 0) for each cell, row group by row group and
/// column by column, until it returns an error: that row and error are returned, with the
/// number of rows read so far (all of them when no cell was refused).
///
/// # Errors
/// [`Error::Invalid`] when the part is not a Parquet file of `format`'s columns; I/O errors;
/// interruption.
pub fn each_cell<E>(
    path: &Path,
    format: &SampleFormat,
    visit: &mut dyn FnMut(u64, usize, Cell<'_>) -> std::result::Result<(), E>,
) -> Result<(u64, Option<(u64, E)>)> {
    unpanicked(path, || read_each_cell(path, format, visit))
}

/// [`each_cell`]'s reading.
fn read_each_cell<E>(
    path: &Path,
    format: &SampleFormat,
    visit: &mut dyn FnMut(u64, usize, Cell<'_>) -> std::result::Result<(), E>,
) -> Result<(u64, Option<(u64, E)>)> {
    let not_ours = |what: String| not_a_part(path, what);
    let (reader, like) = open_part(path, format)?;
    let mut first = 0u64;
    for g in 0..reader.num_row_groups() {
        crate::engine::check_interrupted()?;
        let group = reader
            .get_row_group(g)
            .map_err(|e| not_ours(e.to_string()))?;
        let rows = u64::try_from(group.metadata().num_rows()).unwrap_or(0);
        if rows > ROW_GROUP as u64 {
            return Err(not_ours(format!(
                "its row group {} says it has {rows} rows, more than the {ROW_GROUP} a row group \
                 of treatysim's holds",
                g + 1
            )));
        }
        let read = read_group(&*group, &like, rows as usize).map_err(not_ours)?;
        for (c, column) in read.iter().enumerate() {
            let mut at = |i: usize, cell: Cell<'_>| visit(first + i as u64, c, cell);
            let refused = match column {
                Column::Trial(v) => v.iter().enumerate().find_map(|(i, x)| {
                    at(i, Cell::Integer(*x))
                        .err()
                        .map(|e| (first + i as u64, e))
                }),
                Column::Real(v) => v
                    .iter()
                    .enumerate()
                    .find_map(|(i, x)| at(i, Cell::Real(*x)).err().map(|e| (first + i as u64, e))),
                Column::Month(v) => v.iter().enumerate().find_map(|(i, x)| {
                    at(i, Cell::Text(x.as_ref().map(ByteArray::data)))
                        .err()
                        .map(|e| (first + i as u64, e))
                }),
            };
            if let Some(refused) = refused {
                return Ok((first, Some(refused)));
            }
        }
        first += rows;
    }
    Ok((first, None))
}

/// The error of a file at `part` that is not a samples part of this run: `what` says why.
fn not_a_part(part: &Path, what: String) -> Error {
    Error::Invalid(format!(
        "the samples part '{}' is not a samples part of this run: {what}",
        part.display()
    ))
}

thread_local! {
    /// Whether this thread is reading a part through [`unpanicked`], whose panics are refusals.
    static READING_A_PART: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `read()` of the samples part at `part`, a panic inside it refused as a part that is not
/// ours. The parquet crate trusts a file's footer: a part edited near its footer and resealed
/// (its SHA-256 recomputed, as anyone can) made it panic ("column start and length should not
/// be negative", "Decoder for dict should have been set"), and `merge` exit 101. The panic's
/// own message is kept off stderr (a hook installed once, silent while this thread reads a
/// part); the refusal names the part and quotes it.
fn unpanicked<T>(part: &Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !READING_A_PART.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = READING_A_PART.with(|r| r.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    READING_A_PART.with(|r| r.set(was));
    result.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no reason given".into());
        Err(not_a_part(
            part,
            format!("the Parquet reader could not read it ({what})"),
        ))
    })
}

/// The `rows` rows of a part's row group, column by column, of kinds `kinds`; what is wrong
/// otherwise.
fn read_group(
    group: &dyn RowGroupReader,
    kinds: &[Kind],
    rows: usize,
) -> std::result::Result<Vec<Column>, String> {
    kinds
        .iter()
        .enumerate()
        .map(|(i, &kind)| {
            let reader = group.get_column_reader(i).map_err(|e| e.to_string())?;
            read_column(reader, kind, rows).map_err(|e| format!("column {}: {e}", i + 1))
        })
        .collect()
}

/// The `rows` values of one column chunk, of kind `kind`.
fn read_column(
    reader: ColumnReader,
    kind: Kind,
    rows: usize,
) -> std::result::Result<Column, String> {
    let mut levels = Vec::with_capacity(rows);
    let column = match (reader, kind) {
        (ColumnReader::Int64ColumnReader(mut r), Kind::Trial) => {
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
        (ColumnReader::DoubleColumnReader(mut r), Kind::Real) => {
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
        (ColumnReader::ByteArrayColumnReader(mut r), Kind::Month) => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::model::Model;
    use crate::scenario::Catalog;

    /// [`ParquetRecords`] with the batch layout turned off: record by record.
    struct OneByOne(ParquetRecords);

    impl RecordFormat for OneByOne {
        fn format(&self, record: &TrialRecord<'_>, out: &mut Vec<u8>) {
            self.0.format(record, out);
        }
        fn record_bytes(&self) -> usize {
            self.0.record_bytes()
        }
        fn start_block(&self, trials: usize, out: &mut Vec<u8>) {
            self.0.start_block(trials, out);
        }
        fn format_in_block(
            &self,
            record: &TrialRecord<'_>,
            index: usize,
            trials: usize,
            out: &mut Vec<u8>,
        ) {
            self.0.format_in_block(record, index, trials, out);
        }
    }

    /// The blocks `format` gives for trials `range` of `engine`.
    fn blocks(engine: &Engine<'_>, range: Range<u64>, format: &dyn RecordFormat) -> Vec<Vec<u8>> {
        let mut blocks = Vec::new();
        let mut write = |block: Vec<u8>| {
            blocks.push(block);
            Ok(())
        };
        engine
            .run(range, Some((format, &mut write)), &|_| {})
            .expect("a run");
        blocks
    }

    /// The conditional estimator's blocks laid out a batch of lanes at a time are the bytes of
    /// laying them out record by record: whole and short batches, blocks cut by the range, a
    /// scenario with events and exits (the month columns), and blocks given back to
    /// [`SPARE_BLOCKS`] with another run's cells in them first.
    #[test]
    fn batches_lay_out_the_bytes_of_records() {
        for (folder, name) in [("scenarios", "baseline"), ("bench/scenarios", "model3")] {
            let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
            let scenario = Catalog::new(&folder)
                .load(name, &[])
                .expect("shipped scenario");
            let model = Model::new(&scenario);
            let format = SampleFormat::new(&scenario, &model, Estimator::Conditional);
            let batches = ParquetRecords::new(format.clone());
            assert!(batches.formats_batches());
            let one_by_one = OneByOne(ParquetRecords::new(format));
            for (seed, range) in [(3, 0..4096 * 2), (4, 5..9_000), (5, 4_095..4_160)] {
                let engine = Engine {
                    model: &model,
                    seed,
                    estimator: Estimator::Conditional,
                };
                let expected = blocks(&engine, range.clone(), &one_by_one);
                // Stale blocks of another seed for the next run to lay its blocks out in.
                let other = Engine { seed: 99, ..engine };
                for block in blocks(&other, 0..4096 * 4, &one_by_one) {
                    spare(block);
                }
                let laid = blocks(&engine, range.clone(), &batches);
                assert_eq!(laid.len(), expected.len(), "{name} {range:?}");
                assert!(laid == expected, "{name} {range:?}: the bytes differ");
            }
        }
    }

    /// A constant's column is encoded once and its chunk reused for every full row group
    /// holding that one value: the file is the one written by encoding every row group, and
    /// a row group where the "constant" column holds another value (a part edited by hand,
    /// say) is encoded afresh, that value kept.
    #[test]
    fn a_constant_s_row_groups_are_the_bytes_of_encoding_each() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let scenario = Catalog::new(&folder)
            .load("baseline", &[])
            .expect("shipped scenario");
        let model = Model::new(&scenario);
        let format = SampleFormat::new(&scenario, &model, Estimator::Conditional);
        let constant = 1 + format
            .constant_draws()
            .iter()
            .position(|&c| c)
            .expect("the baseline has a constant draw");
        let engine = Engine {
            model: &model,
            seed: 7,
            estimator: Estimator::Conditional,
        };
        let records = ParquetRecords::new(format.clone());
        let trials = 3 * ROW_GROUP as u64 + 100;
        let blocks = blocks(&engine, 0..trials, &records);
        let dir = tempfile::tempdir().expect("temporary folder");
        // Writes `blocks`, with the cache or without, and reads the constant's column back.
        let write = |name: &str, blocks: &[Vec<u8>], cache: bool| {
            let path = dir.path().join(name);
            let mut encoder = Encoder::create(&path, &format).expect("encoder");
            for scratch in &mut encoder.scratch {
                scratch.constant &= cache;
            }
            for block in blocks {
                encoder.write(block.clone()).expect("written");
            }
            encoder
                .finish()
                .expect("finished")
                .commit()
                .expect("in place");
            let bytes = std::fs::read(&path).expect("read back");
            let file = std::fs::File::open(&path).expect("opened");
            let reader = SerializedFileReader::new(file).expect("a Parquet file");
            let mut values = Vec::new();
            for g in 0..reader.num_row_groups() {
                let group = reader.get_row_group(g).expect("row group");
                let rows = usize::try_from(group.metadata().num_rows()).expect("rows");
                let columns = read_group(&*group, &kinds(&format), rows).expect("columns");
                match &columns[constant] {
                    Column::Real(v) => values.extend_from_slice(v),
                    other => panic!("column {constant} read as {other:?}"),
                }
            }
            (bytes, values)
        };
        let (cached, values) = write("cached.parquet", &blocks, true);
        let (fresh, _) = write("fresh.parquet", &blocks, false);
        assert!(cached == fresh, "the reused chunks changed the file");
        let value = values[0];
        assert_eq!(values.len() as u64, trials);
        assert!(values.iter().all(|v| v.to_bits() == value.to_bits()));

        // Trial 100,000 (the second row group) with another value in the constant's cell.
        let mut edited = blocks.clone();
        let (mut first, at) = (0, 100_000);
        let block = edited
            .iter_mut()
            .find(|b| {
                let n = b.len() / (CELL * format.columns().len());
                first += n;
                first > at
            })
            .expect("the trial's block");
        let n = block.len() / (CELL * format.columns().len());
        let cell = (constant * n + at - (first - n)) * CELL;
        block[cell..cell + CELL].copy_from_slice(&(value + 0.25).to_le_bytes());
        let (cached, values) = write("edited.parquet", &edited, true);
        let (fresh, _) = write("edited-fresh.parquet", &edited, false);
        assert!(cached == fresh, "the reused chunks changed the edited file");
        assert_eq!(values[at], value + 0.25);
        assert_eq!(values.iter().filter(|v| **v != value).count(), 1);
    }

    /// A file that takes `room` bytes, then fails as a full disk does.
    struct Full {
        room: usize,
    }

    impl std::io::Write for Full {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::Error::from_raw_os_error(28));
            }
            let n = bytes.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The file's error comes back from the handoff: from a later write once the thread has
    /// stopped on it, or from `into_file`; whatever the point it fails at.
    #[test]
    fn a_handoff_gives_back_the_file_s_error() {
        use std::io::Write;
        for room in [0, 1, HANDOFF - 1, HANDOFF, 3 * HANDOFF + 7] {
            let mut handoff = Handoff::new(Full { room }).expect("thread");
            let mut failed = None;
            for _ in 0..40 {
                if let Err(e) = handoff.write_all(&vec![7; HANDOFF / 2 + 3]) {
                    failed = Some(e);
                    break;
                }
            }
            let error = match failed {
                Some(e) => e,
                None => handoff.into_file().err().expect("the file is full"),
            };
            assert_eq!(error.raw_os_error(), Some(28), "room {room}: {error}");
        }
        let mut handoff = Handoff::new(Full { room: 100 }).expect("thread");
        handoff.write_all(&[1; 101]).expect("buffered");
        let error = handoff.into_file().err().expect("one byte too many");
        assert_eq!(error.raw_os_error(), Some(28));
    }

    /// What goes through a [`Handoff`] reaches the file whole and in order (several buffers'
    /// worth, in writes of every size), hashed as written; a handoff dropped unfinished
    /// leaves no temporary file behind.
    #[test]
    fn a_handoff_writes_everything_in_order_and_a_dropped_one_nothing() {
        use std::io::Write;
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("x.bin");
        let mut expected = Vec::new();
        let mut handoff = Handoff::new(AtomicFile::create(&path).expect("file")).expect("thread");
        for (i, size) in [1, 8192, 3 * HANDOFF + 5, 0, 700_001, HANDOFF, 17]
            .iter()
            .enumerate()
        {
            let bytes: Vec<u8> = (0..*size).map(|j| (i * 31 + j * 7) as u8).collect();
            handoff.write_all(&bytes).expect("written");
            expected.extend_from_slice(&bytes);
        }
        let mut file = handoff.into_file().expect("the file");
        let sha = file.sha256().expect("hashed");
        file.commit().expect("in place");
        let written = std::fs::read(&path).expect("read back");
        assert!(written == expected, "the bytes differ");
        assert_eq!(
            sha,
            crate::digest::hex(&<sha2::Sha256 as sha2::Digest>::digest(&expected))
        );

        let dropped = dir.path().join("y.bin");
        let mut handoff =
            Handoff::new(AtomicFile::create(&dropped).expect("file")).expect("thread");
        handoff.write_all(&vec![1; 2 * HANDOFF]).expect("written");
        drop(handoff);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("listed")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("x.bin")]);
    }
}

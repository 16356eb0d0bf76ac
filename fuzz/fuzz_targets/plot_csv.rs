//! The CSV files `plot` reads: arbitrary bytes parsed as a table, read as a timeline, a sweep,
//! a tornado, a summary, a pool, a calibration and several timelines, and drawn when they read. Bad input must give an invalid-input
//! error, never a panic or an abort (values near 1e308 once overflowed the tick code).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use treatysim::Error;
use treatysim::plot::{self, Calibration, Pool, Summary, Sweep, Table, Timeline, Timelines, Tornado};

fn ok_or_invalid(result: Result<String, Error>) {
    match result {
        Ok(svg) => assert!(svg.trim_end().ends_with("</svg>")),
        Err(Error::Invalid(message)) => assert!(!message.is_empty()),
        Err(other) => panic!("not an invalid-input error: {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let table = match Table::parse(Path::new("x.csv"), data) {
        Ok(table) => table,
        Err(Error::Invalid(_)) => return,
        Err(other) => panic!("not an invalid-input error: {other:?}"),
    };
    ok_or_invalid(Timeline::from_table(&table, "x").and_then(|t| plot::timeline_svg(&t)));
    ok_or_invalid(Sweep::from_table(&table, "x").and_then(|s| match s {
        Sweep::Line(line) => plot::sweep_line_svg(&line),
        Sweep::Grid(grid) => plot::heatmap_svg(&grid),
    }));
    ok_or_invalid(Tornado::from_table(&table, None, "x").and_then(|t| plot::tornado_svg(&t)));
    ok_or_invalid(Summary::from_table(&table).and_then(|s| plot::summary_svg(&s)));
    ok_or_invalid(Pool::from_table(&table, "x").and_then(|p| plot::pool_svg(&p)));
    ok_or_invalid(Calibration::from_table(&table).and_then(|c| plot::calibration_svg(&c)));
    ok_or_invalid(Timeline::from_table(&table, "x").and_then(|t| {
        plot::timelines_svg(&Timelines {
            runs: vec![t.clone(), t],
        })
    }));
});

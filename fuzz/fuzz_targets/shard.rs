//! Shard files: arbitrary bytes read as a shard (`ShardFile::parse`, after the UTF-8 check that
//! `ShardFile::read` makes), both as written and resealed with a valid checksum so that the
//! fuzzer reaches the checks behind it; an accepted shard's tallies are checked
//! (`Tally::check`). Bad input must give an invalid-input error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use treatysim::Error;
use treatysim::model::Estimator;
use treatysim::shard::{Payload, ShardFile, sha256_hex};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let body = text.split_once('\n').map_or("", |(_, body)| body);
    let sealed = format!("sha256 = \"{}\"\n{body}", sha256_hex(body.as_bytes()));
    for text in [text, sealed.as_str()] {
        match ShardFile::parse(Path::new("x.toml"), text) {
            Ok(file) => {
                let months = match &file.payload {
                    Payload::Run(t) => t.sum.len(),
                    _ => 0,
                };
                if let Payload::Run(tally) = &file.payload {
                    for estimator in [Estimator::Conditional, Estimator::Indicator] {
                        let _ = tally.check(estimator, tally.trials, months);
                    }
                }
            }
            Err(Error::Invalid(message)) => assert!(!message.is_empty()),
            Err(other) => panic!("not an invalid-input error: {other:?}"),
        }
    }
});

//! The integration tests, one crate (one link) with a module per area; `common` is the
//! shared toolkit (scenario text, runs, outputs, statistics).

mod analysis;
mod common;
mod compatibility;
mod concurrency;
mod coverage;
#[cfg(target_os = "linux")]
mod crash;
mod determinism;
mod elicitation;
mod explain;
mod forecaster;
mod format2;
#[cfg(unix)]
mod links;
mod merge;
mod model3;
mod modules;
mod names;
mod newcomer;
mod parquet;
mod plot;
mod pool;
mod properties;
mod provenance;
mod readers;
mod readme;
mod rejections;
mod robustness;
mod safety;
mod shards;
mod show;
mod statistics;

//! The `tiangong` binary (layer 5): command line, configuration, migrations, the wiring of
//! events between modules, the outbox worker, backup and restore, invariant checks and
//! benchmarks. `main.rs` only parses the command line and calls into `cli`.

pub mod cli;
pub mod datasets;
pub mod demo;
pub mod mail;
pub mod opening;
pub mod planning;
pub mod postings;
pub mod runtime;
pub mod settings;
pub mod webhook;
pub mod wiring;

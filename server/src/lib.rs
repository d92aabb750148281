//! Seatwise server library: the binary in `main.rs` and the integration tests both build on it.

pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
/// The demo company and its history, seeded by `--demo`: outside the use cases, which it drives.
pub mod demo;
pub mod domain;
pub mod error;
/// The large-data generator behind `seatwise generate` and the benchmarks.
pub mod generate;
pub mod service;
pub mod state;
pub mod telemetry;
pub mod web;

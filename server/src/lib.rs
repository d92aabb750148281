//! Seatwise server library: the binary in `main.rs` and the integration tests both build on it.

pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod service;
pub mod state;
pub mod telemetry;
pub mod web;

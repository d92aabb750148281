//! API integration tests: the real router over HTTP on SQLite, and on PostgreSQL when
//! SEATWISE_TEST_DATABASE_URL is set (the test command runs both).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

mod common;

mod auth;
mod campaigns;
mod catalog;
mod change_requests;
mod change_stages;
mod connectors;
mod finance;
mod graph_connector;
mod hardening;
mod import_files;
mod imports;
mod inventory;
mod ledger;
mod limits;
mod login;
mod my_seats;
mod oidc;
mod okta_connector;
mod openapi;
mod ops;
mod people;
mod reclamation;
mod renewals;
mod roles;
mod scim;
mod scoping;
mod storage;
mod users;
mod versions;
mod web;
mod webhooks;

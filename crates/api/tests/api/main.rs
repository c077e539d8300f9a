//! The API suite: every endpoint, its authorization and its bad input, on SQLite and (when
//! `DABBA_TEST_DATABASE_URL` is set) PostgreSQL.

mod helpers;

mod addresses;
mod admin;
mod approval;
mod auth;
mod bundles;
mod cart;
mod checkout;
mod console;
mod contract;
mod dashboard;
mod delivery;
mod edge;
mod events;
mod gateway_off;
mod hardening;
mod idempotency;
mod learning;
mod lifecycle;
mod listing;
mod menu;
mod offers;
mod ops;
mod payment_jobs;
mod payments;
mod profile;
mod ratings;
mod refunds;
mod restaurants;
mod retention;
mod search;
mod sockets;
mod support;
mod times;
mod trail;
mod web;
mod ws;

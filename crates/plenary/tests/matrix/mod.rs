//! The permission matrix's rows: who asks, what, and the status it must
//! answer, asked in order so a row may rely on the changes of those before
//! it (the refused attempts come before the one that succeeds, so each
//! refusal is seen on unchanged state).

pub mod billing;
pub mod consortium;
pub mod operations;

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// One request of the matrix: token, method, path, body and the status it
/// must answer.
pub type Row = (&'static str, Method, String, Option<Value>, StatusCode);

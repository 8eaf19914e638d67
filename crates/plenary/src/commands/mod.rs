//! One module per command family.

pub mod org;
pub mod server;
pub mod tenant;
pub mod tier;
pub mod usage;

use std::fmt::Write as _;

/// A new random secret, as long as the ones `bbb-conf` generates.
pub fn generate_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A short, stable name for a secret that reveals nothing of it.
pub fn fingerprint(secret: &str) -> String {
    bbb::Algorithm::Sha256.hex_digest(&[secret.as_bytes()])[..12].to_string()
}

/// Left-aligned columns, the way operators read a list in a terminal.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (cell, w) in cells.iter().zip(&widths) {
            let _ = write!(out, "{cell:<w$}  ");
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out += &line(row.iter().map(String::as_str).collect());
    }
    out
}

pub fn now_ms() -> i64 {
    (fleet::system_clock())()
}

pub fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

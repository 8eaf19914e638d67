//! The portal's charts, drawn on the server as SVG for the operators' and
//! the organisations' pages alike. Nothing is told by colour alone: bars
//! over a limit and seats sold are hatched, a limit is a dashed line with
//! its value written where it ends, and grouped bars carry their name and
//! number in writing. Every chart has a title and a description for screen
//! readers, and its page prints the same figures in a table.
//!
//! A renderer of our own, kept this small: `plotters`' SVG backend writes
//! its colours inline and has no per-element titles, ARIA attributes,
//! classes or patterns, which the pages need for their stylesheet (dark
//! mode) and their accessibility.

mod bars;
mod groups;

use std::fmt::Write;

pub use bars::{Bar, Bars, Limit};
pub use groups::{Group, Groups, Series};

use super::diagram::esc;

/// `12,345` or `1.25`.
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// The smallest 1, 2 or 5 × 10ⁿ step that cuts `0..=max` into at most four.
fn step(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude)
}

/// The axis over `0..=max`: its step and its top, a whole number of steps.
fn axis(max: f64) -> (f64, f64) {
    let step = step(max);
    (step, (max / step).ceil().max(1.0) * step)
}

/// How a chart's hatching pattern is coloured (a class of the stylesheet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hatch {
    /// Over a limit: the warning colour, striped.
    Over,
    /// Sold, not used: pale, striped in the accent colour.
    Sold,
}

/// Opens a chart: its size, its accessible title and description (named
/// by `id`, unique on the page) and its hatching pattern `{id}-hatch`.
fn open(
    svg: &mut String,
    class: &str,
    id: &str,
    size: (f64, f64),
    text: (&str, &str),
    hatch: Hatch,
) {
    let (width, height) = size;
    let tone = match hatch {
        Hatch::Over => "hatch-over",
        Hatch::Sold => "hatch-sold",
    };
    let _ = write!(
        svg,
        r#"<svg class="{class}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc><defs><pattern id="{id}-hatch" class="{tone}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="hatch-bg" width="6" height="6"/><line class="hatch-line" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>"#,
        title = esc(text.0),
        desc = esc(text.1),
    );
}

/// An SVG one element a line, for snapshots a reader can review.
#[cfg(test)]
fn lines(svg: &str) -> String {
    svg.replace("><", ">\n<")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(number(1_234_567.0, 0), "1,234,567");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(1234.5, 2), "1,234.50");
        assert_eq!(number(-1234.0, 0), "-1,234");
        assert_eq!(number(0.0, 0), "0");
    }

    #[test]
    fn axis_steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(step(70.0), 20.0);
        assert_eq!(step(4.0), 1.0);
        assert_eq!(step(36_000.0), 10_000.0);
        assert_eq!(step(0.0), 1.0);
    }

    #[test]
    fn an_axis_tops_at_a_whole_number_of_steps() {
        assert_eq!(axis(70.0), (20.0, 80.0));
        assert_eq!(axis(0.0), (1.0, 1.0));
        assert_eq!(axis(5_000.0), (2_000.0, 6_000.0));
    }
}

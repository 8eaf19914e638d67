//! Bar charts drawn on the server as SVG, with a tier's limit as a dashed
//! line. A bar over the limit is hatched as well as darker, and the limit
//! is written beside its line, so nothing is told by colour alone; the
//! chart's description says what it shows in words, and the page prints
//! the same numbers in a table.

use std::fmt::Write;

use crate::portal::diagram::esc;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 58.0;
/// Room on the right for the limit's value, written where its line ends.
const RIGHT: f64 = 50.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 30.0;
/// At most this many labels under the bars; the others are in each bar's
/// tooltip and in the table.
const MAX_LABELS: usize = 16;

/// One bar: its label in full (the tooltip, the description) and short
/// (under the bar).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub short: String,
    pub value: f64,
}

/// A limit the bars are measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub value: f64,
    /// What the line is, e.g. `level2 limit`.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Unique on the page: it names the SVG's title, description and pattern.
    pub id: String,
    pub title: String,
    pub bars: Vec<Bar>,
    pub limit: Option<Limit>,
    /// Decimals the numbers are written with.
    pub decimals: usize,
}

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

impl Chart {
    fn over(&self, bar: &Bar) -> bool {
        self.limit.as_ref().is_some_and(|l| bar.value > l.value)
    }

    /// What the chart shows, in words.
    pub fn description(&self) -> String {
        let highest = self
            .bars
            .iter()
            .max_by(|a, b| a.value.total_cmp(&b.value))
            .filter(|b| b.value > 0.0);
        let mut text = match highest {
            Some(b) => format!("Highest {} on {}.", number(b.value, self.decimals), b.label),
            None => "No use.".to_string(),
        };
        match &self.limit {
            Some(l) => {
                let over = self.bars.iter().filter(|b| self.over(b)).count();
                let _ = write!(
                    text,
                    " The {} is {}; {} of {} bars are over it.",
                    l.name,
                    number(l.value, self.decimals),
                    over,
                    self.bars.len()
                );
            }
            None => text.push_str(" The tier sets no limit on this."),
        }
        text
    }

    /// The chart as an SVG element.
    pub fn svg(&self) -> String {
        let id = &self.id;
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let highest = self.bars.iter().map(|b| b.value).fold(0.0, f64::max);
        let ceiling = highest.max(self.limit.as_ref().map_or(0.0, |l| l.value * 1.15));
        let step = step(ceiling);
        let top = (ceiling / step).ceil().max(1.0) * step;
        let y = |v: f64| TOP + plot_h - v / top * plot_h;
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc><defs><pattern id="{id}-over" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="use-over" width="6" height="6"/><line class="use-hatch" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>"#,
            title = esc(&self.title),
            desc = esc(&self.description()),
        );
        let mut tick = 0.0;
        while tick <= top + step / 2.0 {
            let _ = write!(
                svg,
                r#"<line class="use-grid" x1="{LEFT}" x2="{x2}" y1="{ty:.1}" y2="{ty:.1}"/><text class="use-tick" x="{tx}" y="{ly:.1}" text-anchor="end">{label}</text>"#,
                x2 = WIDTH - RIGHT,
                ty = y(tick),
                tx = LEFT - 6.0,
                ly = y(tick) + 4.0,
                label = number(tick, if step < 1.0 { self.decimals } else { 0 }),
            );
            tick += step;
        }
        let n = self.bars.len().max(1);
        let slot = plot_w / n as f64;
        let every = n.div_ceil(MAX_LABELS);
        for (i, bar) in self.bars.iter().enumerate() {
            let x = LEFT + i as f64 * slot;
            let h = (bar.value / top * plot_h).max(0.0);
            let fill = if self.over(bar) {
                format!(r#" fill="url(#{id}-over)" class="use-bar-over""#)
            } else {
                r#" class="use-bar""#.to_string()
            };
            let _ = write!(
                svg,
                r#"<rect{fill} x="{bx:.1}" y="{by:.1}" width="{bw:.1}" height="{h:.1}"><title>{label}: {value}</title></rect>"#,
                bx = x + slot * 0.15,
                by = TOP + plot_h - h,
                bw = slot * 0.7,
                label = esc(&bar.label),
                value = number(bar.value, self.decimals),
            );
            if i % every == 0 {
                let _ = write!(
                    svg,
                    r#"<text class="use-tick" x="{cx:.1}" y="{ly}" text-anchor="middle">{short}</text>"#,
                    cx = x + slot / 2.0,
                    ly = HEIGHT - BOTTOM + 16.0,
                    short = esc(&bar.short),
                );
            }
        }
        let _ = write!(
            svg,
            r#"<line class="use-base" x1="{LEFT}" x2="{x2}" y1="{base}" y2="{base}"/>"#,
            x2 = WIDTH - RIGHT,
            base = TOP + plot_h,
        );
        if let Some(limit) = &self.limit {
            let ly = y(limit.value);
            let _ = write!(
                svg,
                r#"<line class="use-limit" x1="{LEFT}" x2="{x2}" y1="{ly:.1}" y2="{ly:.1}"><title>{name}: {value}</title></line><text class="use-limit-label" x="{tx}" y="{ty:.1}">{value}</text>"#,
                x2 = WIDTH - RIGHT,
                tx = WIDTH - RIGHT + 4.0,
                ty = ly + 4.0,
                name = esc(&limit.name),
                value = number(limit.value, self.decimals),
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(values: &[f64], limit: Option<f64>) -> Chart {
        Chart {
            id: "c".into(),
            title: "Peak participants per day".into(),
            bars: values
                .iter()
                .enumerate()
                .map(|(i, v)| Bar {
                    label: format!("2026-11-{:02}", i + 1),
                    short: (i + 1).to_string(),
                    value: *v,
                })
                .collect(),
            limit: limit.map(|value| Limit {
                value,
                name: "level2 limit".into(),
            }),
            decimals: 0,
        }
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(number(1_234_567.0, 0), "1,234,567");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(1234.5, 2), "1,234.50");
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
    fn bars_over_the_limit_are_hatched_and_counted_in_the_description() {
        let c = chart(&[10.0, 70.0, 50.0, 80.0], Some(60.0));
        let svg = c.svg();
        assert_eq!(svg.matches(r#"class="use-bar-over""#).count(), 2);
        assert!(svg.contains(r#"class="use-limit""#));
        assert!(svg.contains("<title>level2 limit: 60</title>"));
        assert!(svg.contains(r#"class="use-limit-label" x="594" y="#));
        assert_eq!(
            c.description(),
            "Highest 80 on 2026-11-04. The level2 limit is 60; 2 of 4 bars are over it."
        );
    }

    #[test]
    fn a_chart_without_a_limit_says_so_and_draws_no_line() {
        let c = chart(&[0.0, 0.0], None);
        assert!(!c.svg().contains(r#"class="use-limit""#));
        assert_eq!(c.description(), "No use. The tier sets no limit on this.");
    }

    #[test]
    fn text_in_the_chart_is_escaped() {
        let mut c = chart(&[1.0], None);
        c.title = "<script>".into();
        assert!(c.svg().contains("&lt;script&gt;"));
        assert!(!c.svg().contains("<script>"));
    }
}

//! A vertical bar per point (a day's participant-minutes, an hour's peak),
//! with a limit as a dashed line: a bar over it is hatched as well as
//! coloured, and the limit's value is written where its line ends.

use std::fmt::Write;

use super::{Hatch, axis, esc, number, open};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 58.0;
/// Room on the right for the limit's value, written where its line ends.
const RIGHT: f64 = 50.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 30.0;
/// At most this many labels under the bars; the others are in each bar's
/// tooltip and in the page's table.
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
pub struct Bars {
    /// Unique on the page: it names the SVG's title, description and pattern.
    pub id: String,
    pub title: String,
    /// What the bars cover, said first in the description, e.g. `The last
    /// 24 hours in UTC.`; may be empty.
    pub about: String,
    /// What the values count (`participants`), after each number; may be
    /// empty.
    pub unit: String,
    pub bars: Vec<Bar>,
    pub limit: Option<Limit>,
    /// Decimals the numbers are written with.
    pub decimals: usize,
}

impl Bars {
    fn over(&self, bar: &Bar) -> bool {
        self.limit.as_ref().is_some_and(|l| bar.value > l.value)
    }

    /// `1,234 participants`.
    fn amount(&self, value: f64) -> String {
        let n = number(value, self.decimals);
        if self.unit.is_empty() {
            n
        } else {
            format!("{n} {}", self.unit)
        }
    }

    /// What the chart shows, in words.
    pub fn description(&self) -> String {
        let mut text = self.about.clone();
        if !text.is_empty() {
            text.push(' ');
        }
        let highest = self
            .bars
            .iter()
            .max_by(|a, b| a.value.total_cmp(&b.value))
            .filter(|b| b.value > 0.0);
        match highest {
            Some(b) => {
                let _ = write!(text, "Highest: {}, {}.", b.label, self.amount(b.value));
            }
            None => text.push_str("No use."),
        }
        if let Some(l) = &self.limit {
            let over = self.bars.iter().filter(|b| self.over(b)).count();
            let _ = write!(
                text,
                " The {} is {}; {} of {} bars are over it.",
                l.name,
                self.amount(l.value),
                over,
                self.bars.len()
            );
        }
        text
    }

    /// The chart as an SVG element.
    pub fn svg(&self) -> String {
        let id = &self.id;
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let highest = self.bars.iter().map(|b| b.value).fold(0.0, f64::max);
        let (step, top) = axis(highest.max(self.limit.as_ref().map_or(0.0, |l| l.value * 1.15)));
        let y = |v: f64| TOP + plot_h - v / top * plot_h;
        let mut svg = String::new();
        open(
            &mut svg,
            "chart",
            id,
            (WIDTH, HEIGHT),
            (&self.title, &self.description()),
            Hatch::Over,
        );
        let mut tick = 0.0;
        while tick <= top + step / 2.0 {
            let _ = write!(
                svg,
                r#"<line class="grid" x1="{LEFT}" x2="{x2}" y1="{ty:.1}" y2="{ty:.1}"/><text class="tick" x="{tx}" y="{ly:.1}" text-anchor="end">{label}</text>"#,
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
                format!(r#" fill="url(#{id}-hatch)" class="bar-over""#)
            } else {
                r#" class="bar""#.to_string()
            };
            let _ = write!(
                svg,
                r#"<rect{fill} x="{bx:.1}" y="{by:.1}" width="{bw:.1}" height="{h:.1}"><title>{label}: {value}</title></rect>"#,
                bx = x + slot * 0.15,
                by = TOP + plot_h - h,
                bw = slot * 0.7,
                label = esc(&bar.label),
                value = esc(&self.amount(bar.value)),
            );
            if i % every == 0 {
                let _ = write!(
                    svg,
                    r#"<text class="tick" x="{cx:.1}" y="{ly}" text-anchor="middle">{short}</text>"#,
                    cx = x + slot / 2.0,
                    ly = HEIGHT - BOTTOM + 16.0,
                    short = esc(&bar.short),
                );
            }
        }
        let _ = write!(
            svg,
            r#"<line class="base" x1="{LEFT}" x2="{x2}" y1="{base}" y2="{base}"/>"#,
            x2 = WIDTH - RIGHT,
            base = TOP + plot_h,
        );
        if !self.unit.is_empty() {
            let _ = write!(
                svg,
                r#"<text class="tick unit" x="{LEFT}" y="{uy}">{unit}</text>"#,
                uy = TOP - 8.0,
                unit = esc(&self.unit),
            );
        }
        if let Some(limit) = &self.limit {
            let ly = y(limit.value);
            let _ = write!(
                svg,
                r#"<line class="limit" x1="{LEFT}" x2="{x2}" y1="{ly:.1}" y2="{ly:.1}"><title>{name}: {amount}</title></line><text class="limit-label" x="{tx}" y="{ty:.1}">{value}</text>"#,
                x2 = WIDTH - RIGHT,
                tx = WIDTH - RIGHT + 4.0,
                ty = ly + 4.0,
                name = esc(&limit.name),
                amount = esc(&self.amount(limit.value)),
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

    fn chart(values: &[f64], limit: Option<f64>) -> Bars {
        Bars {
            id: "c".into(),
            title: "Peak participants per day".into(),
            about: String::new(),
            unit: String::new(),
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
    fn bars_over_the_limit_are_hatched_and_counted_in_the_description() {
        let c = chart(&[10.0, 70.0, 50.0, 80.0], Some(60.0));
        let svg = c.svg();
        assert_eq!(svg.matches(r#"class="bar-over""#).count(), 2);
        assert_eq!(svg.matches(r#"class="bar""#).count(), 2);
        assert!(svg.contains(r#"fill="url(#c-hatch)""#));
        assert!(svg.contains("<title>level2 limit: 60</title>"));
        assert_eq!(
            c.description(),
            "Highest: 2026-11-04, 80. The level2 limit is 60; 2 of 4 bars are over it."
        );
    }

    #[test]
    fn a_chart_without_a_limit_draws_no_line() {
        let c = chart(&[0.0, 0.0], None);
        assert!(!c.svg().contains(r#"class="limit""#));
        assert_eq!(c.description(), "No use.");
    }

    #[test]
    fn the_unit_follows_every_number_in_words() {
        let mut c = chart(&[12.0, 30.0], None);
        c.unit = "participants".into();
        c.about = "The last two hours.".into();
        assert!(
            c.svg()
                .contains("<title>2026-11-02: 30 participants</title>")
        );
        assert_eq!(
            c.description(),
            "The last two hours. Highest: 2026-11-02, 30 participants."
        );
    }

    #[test]
    fn under_many_bars_only_some_are_labelled() {
        let c = chart(&[1.0; 31], None);
        let labels = c.svg().matches(r#"text-anchor="middle""#).count();
        assert_eq!(labels, 16, "every second day of 31");
    }

    #[test]
    fn text_in_the_chart_is_escaped() {
        let mut c = chart(&[1.0], None);
        c.title = "<script>".into();
        assert!(c.svg().contains("&lt;script&gt;"));
        assert!(!c.svg().contains("<script>"));
    }

    #[test]
    fn a_month_of_days_against_a_limit() {
        let days: Vec<f64> = (0..30).map(|d| f64::from((d * 7) % 31)).collect();
        insta::assert_snapshot!(super::super::lines(&chart(&days, Some(24.0)).svg()));
    }

    #[test]
    fn hours_with_a_unit_and_no_limit() {
        let mut c = chart(&[0.0, 4.0, 12.5, 3.0], None);
        c.unit = "participants".into();
        c.decimals = 1;
        insta::assert_snapshot!(super::super::lines(&c.svg()));
    }
}

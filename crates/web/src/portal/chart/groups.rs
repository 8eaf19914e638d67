//! Groups of horizontal bars, one bar per series (a pool's capacity, peak
//! and seats sold), each named and numbered in writing at its end; a
//! hatched series is told apart by its stripes as well as its colour.

use std::fmt::Write;

use super::{Hatch, axis, esc, number, open};

const WIDTH: f64 = 720.0;
const TOP: f64 = 16.0;
/// Room on the left for the group's name.
const NAME_W: f64 = 150.0;
/// Room on the right for the longest bar's writing.
const LABEL_W: f64 = 170.0;
const BAR: f64 = 18.0;
const BAR_GAP: f64 = 4.0;
const GROUP_GAP: f64 = 22.0;

/// One series: its name, written on every bar, and how its bars look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series {
    pub name: &'static str,
    /// The stylesheet's class of its bars, e.g. `bar-peak`.
    pub class: &'static str,
    pub hatched: bool,
}

/// One group: a value per series, in the series' order.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub values: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    /// Unique on the page: it names the SVG's title, description and pattern.
    pub id: String,
    /// An extra class of the SVG, for the page's tests and stylesheet.
    pub class: &'static str,
    pub title: String,
    pub series: Vec<Series>,
    pub groups: Vec<Group>,
}

impl Groups {
    /// Every group's figures, in words.
    pub fn description(&self) -> String {
        self.groups
            .iter()
            .map(|g| {
                let figures: Vec<String> = self
                    .series
                    .iter()
                    .zip(&g.values)
                    .map(|(s, v)| format!("{} {}", s.name, number(*v as f64, 0)))
                    .collect();
                format!("{}: {}", g.name, figures.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The chart as an SVG element.
    pub fn svg(&self) -> String {
        let id = &self.id;
        let per_series = BAR + BAR_GAP;
        let group_h = self.series.len() as f64 * per_series - BAR_GAP + GROUP_GAP;
        let height = TOP + group_h * self.groups.len().max(1) as f64 + 8.0;
        let plot_w = WIDTH - NAME_W - LABEL_W;
        let highest = self
            .groups
            .iter()
            .flat_map(|g| g.values.iter().copied())
            .max()
            .unwrap_or(0);
        let (_, top) = axis(highest as f64);
        let mut svg = String::new();
        open(
            &mut svg,
            &format!("chart {}", self.class),
            id,
            (WIDTH, height),
            (&self.title, &self.description()),
            Hatch::Sold,
        );
        for (i, g) in self.groups.iter().enumerate() {
            let y0 = TOP + group_h * i as f64;
            let _ = write!(
                svg,
                r#"<text class="group-name" x="0" y="{ny}">{name}</text>"#,
                ny = y0 + BAR + 8.0,
                name = esc(&g.name),
            );
            for (j, (s, value)) in self.series.iter().zip(&g.values).enumerate() {
                let y = y0 + j as f64 * per_series;
                let w = (plot_w * *value as f64 / top).max(1.0);
                let fill = if s.hatched {
                    format!(r#" fill="url(#{id}-hatch)""#)
                } else {
                    String::new()
                };
                let figure = format!("{} {}", s.name, number(*value as f64, 0));
                let _ = write!(
                    svg,
                    r#"<rect class="{class}"{fill} x="{NAME_W}" y="{y}" width="{w:.1}" height="{BAR}"><title>{group}: {figure}</title></rect><text class="bar-label" x="{lx:.1}" y="{ly}">{figure}</text>"#,
                    class = s.class,
                    group = esc(&g.name),
                    lx = NAME_W + w + 6.0,
                    ly = y + BAR - 4.0,
                );
            }
        }
        svg.push_str("</svg>");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERIES: [Series; 3] = [
        Series {
            name: "capacity",
            class: "bar-capacity",
            hatched: false,
        },
        Series {
            name: "peak",
            class: "bar-peak",
            hatched: false,
        },
        Series {
            name: "sold",
            class: "bar-sold",
            hatched: true,
        },
    ];

    fn pools(groups: &[(&str, [u64; 3])]) -> Groups {
        Groups {
            id: "cap".into(),
            class: "capacity-chart",
            title: "Peak against capacity and seats sold, per pool".into(),
            series: SERIES.to_vec(),
            groups: groups
                .iter()
                .map(|(name, values)| Group {
                    name: name.to_string(),
                    values: values.to_vec(),
                })
                .collect(),
        }
    }

    #[test]
    fn every_bar_is_named_and_numbered_in_writing() {
        let svg = pools(&[("<lyon>", [400, 120, 1_900])]).svg();
        assert!(svg.contains("&lt;lyon&gt;"), "names are escaped");
        for text in [">capacity 400<", ">peak 120<", ">sold 1,900<"] {
            assert!(svg.contains(text), "{text}");
        }
        assert_eq!(svg.matches(r#"fill="url(#cap-hatch)""#).count(), 1);
    }

    #[test]
    fn the_description_gives_every_groups_figures() {
        let c = pools(&[("lyon", [400, 120, 900]), ("(shared)", [200, 0, 0])]);
        assert_eq!(
            c.description(),
            "lyon: capacity 400, peak 120, sold 900; (shared): capacity 200, peak 0, sold 0"
        );
    }

    #[test]
    fn two_pools() {
        let c = pools(&[("lyon", [400, 120, 900]), ("(shared)", [200, 35, 0])]);
        insta::assert_snapshot!(super::super::lines(&c.svg()));
    }
}

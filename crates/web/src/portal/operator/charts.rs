//! The operators' charts, drawn on the server as SVG. Every bar carries its
//! number in writing and its series in a pattern as well as a colour, so
//! nothing is told by colour alone; each chart has a title and a
//! description for screen readers, and its page the same figures as a table.

use std::fmt::Write;

use super::super::diagram::esc;

/// A vertical bar per point, e.g. an hour's peak participants.
pub struct Bars<'a> {
    pub title: &'a str,
    pub desc: &'a str,
    pub unit: &'a str,
    /// (label under the bar, or empty to leave it out; value).
    pub points: &'a [(String, u64)],
}

const W: u64 = 720;
const PAD_L: u64 = 48;
const PAD_R: u64 = 12;
const PAD_T: u64 = 16;
const PAD_B: u64 = 34;

/// A round top for an axis over `max`: 1, 2 or 5 times a power of ten.
fn nice_top(max: u64) -> u64 {
    let mut step = 1;
    loop {
        for f in [1, 2, 5] {
            if f * step >= max.max(1) {
                return f * step;
            }
        }
        step *= 10;
    }
}

pub fn bars(chart: &Bars<'_>) -> String {
    let h: u64 = 220;
    let plot_w = W - PAD_L - PAD_R;
    let plot_h = h - PAD_T - PAD_B;
    let top = nice_top(chart.points.iter().map(|p| p.1).max().unwrap_or(0));
    let n = chart.points.len().max(1) as u64;
    let slot = plot_w / n;
    let bar_w = (slot * 7 / 10).max(2);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {W} {h}" role="img" aria-labelledby="bars-title bars-desc" xmlns="http://www.w3.org/2000/svg"><title id="bars-title">{}</title><desc id="bars-desc">{}</desc>"#,
        esc(chart.title),
        esc(chart.desc)
    );
    for tick in [0, top / 2, top] {
        let y = PAD_T + plot_h - plot_h * tick / top;
        let _ = write!(
            svg,
            r#"<line class="grid-line" x1="{PAD_L}" x2="{}" y1="{y}" y2="{y}"/><text class="axis" x="{}" y="{}" text-anchor="end">{tick}</text>"#,
            W - PAD_R,
            PAD_L - 6,
            y + 4
        );
    }
    for (i, (label, value)) in chart.points.iter().enumerate() {
        let x = PAD_L + slot * i as u64 + (slot - bar_w) / 2;
        let bh = plot_h * value / top;
        let y = PAD_T + plot_h - bh;
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{x}" y="{y}" width="{bar_w}" height="{bh}"><title>{}: {value} {}</title></rect>"#,
            esc(label),
            esc(chart.unit)
        );
        if !label.is_empty() && i % 3 == 0 {
            let _ = write!(
                svg,
                r#"<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                x + bar_w / 2,
                h - PAD_B + 18,
                esc(label)
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text class="axis unit" x="{PAD_L}" y="{}">{}</text></svg>"#,
        PAD_T - 4,
        esc(chart.unit)
    );
    svg
}

/// One pool's three figures, drawn side by side.
pub struct PoolBars<'a> {
    pub pool: &'a str,
    pub capacity: u64,
    pub peak: u64,
    pub sold: u64,
}

/// Peak against capacity against seats sold, one group of bars per pool,
/// each bar named and numbered at its end.
pub fn capacity(pools: &[PoolBars<'_>]) -> String {
    const BAR: u64 = 18;
    const LABEL_W: u64 = 150;
    const GROUP_GAP: u64 = 22;
    let group = 3 * BAR + 2 * 4 + GROUP_GAP;
    let h = PAD_T + group * pools.len().max(1) as u64 + 8;
    let plot_w = W - LABEL_W - 170;
    let top = nice_top(
        pools
            .iter()
            .flat_map(|p| [p.capacity, p.peak, p.sold])
            .max()
            .unwrap_or(0),
    );
    let mut svg = String::new();
    let desc: Vec<String> = pools
        .iter()
        .map(|p| {
            format!(
                "{}: capacity {}, peak {}, sold {}",
                p.pool, p.capacity, p.peak, p.sold
            )
        })
        .collect();
    let _ = write!(
        svg,
        r#"<svg class="chart capacity-chart" viewBox="0 0 {W} {h}" role="img" aria-labelledby="cap-title cap-desc" xmlns="http://www.w3.org/2000/svg"><title id="cap-title">Peak participants against capacity and seats sold, per pool</title><desc id="cap-desc">{}</desc><defs><pattern id="sold-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="hatch-bg" width="6" height="6"/><line class="hatch-line" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>"#,
        esc(&desc.join("; "))
    );
    for (i, p) in pools.iter().enumerate() {
        let y0 = PAD_T + group * i as u64;
        let _ = write!(
            svg,
            r#"<text class="pool-name" x="0" y="{}">{}</text>"#,
            y0 + BAR + 8,
            esc(p.pool)
        );
        for (j, (class, name, value)) in [
            ("cap", "capacity", p.capacity),
            ("peak", "peak", p.peak),
            ("sold", "sold", p.sold),
        ]
        .into_iter()
        .enumerate()
        {
            let y = y0 + j as u64 * (BAR + 4);
            let w = (plot_w * value / top).max(1);
            let _ = write!(
                svg,
                r#"<rect class="cbar cbar-{class}" x="{LABEL_W}" y="{y}" width="{w}" height="{BAR}"><title>{}: {name} {value}</title></rect><text class="cbar-label" x="{}" y="{}">{name} {value}</text>"#,
                esc(p.pool),
                LABEL_W + w + 6,
                y + BAR - 4
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_tops_at_a_round_number() {
        assert_eq!(nice_top(0), 1);
        assert_eq!(nice_top(7), 10);
        assert_eq!(nice_top(120), 200);
        assert_eq!(nice_top(5_000), 5_000);
    }

    #[test]
    fn every_bar_tells_its_value_in_words() {
        let points = vec![("13:00".to_string(), 12), ("14:00".to_string(), 30)];
        let svg = bars(&Bars {
            title: "Peak participants",
            desc: "The last two hours",
            unit: "participants",
            points: &points,
        });
        assert!(
            svg.contains("<title>14:00: 30 participants</title>"),
            "{svg}"
        );
        assert!(svg.contains(r#"role="img""#));
    }

    #[test]
    fn a_pool_is_named_and_its_figures_written_out() {
        let svg = capacity(&[PoolBars {
            pool: "<lyon>",
            capacity: 400,
            peak: 120,
            sold: 900,
        }]);
        assert!(svg.contains("&lt;lyon&gt;"), "names are escaped");
        for text in ["capacity 400", "peak 120", "sold 900"] {
            assert!(svg.contains(text), "{text}");
        }
        assert!(svg.contains(r#"<pattern id="sold-hatch""#));
    }
}

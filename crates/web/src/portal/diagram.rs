//! The consortium's structure as an SVG drawn on the server: one band per
//! member class, each organisation a box with its votes as dots and its
//! name written out, so nothing is told by colour alone.

use std::fmt::Write;

use store::Organisation;

const WIDTH: usize = 720;
const BOX_W: usize = 150;
const BOX_H: usize = 56;
const GAP: usize = 16;
const BAND_LABEL_H: usize = 30;
const PER_ROW: usize = (WIDTH - GAP) / (BOX_W + GAP);

/// Escapes text for SVG.
pub(super) fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The class a band is for, and how it is titled.
fn band_of(org: &Organisation) -> (&'static str, &'static str) {
    if org.kind == "federation" {
        return ("federation", "Federations");
    }
    match org.member_class.as_deref() {
        Some("producer") => ("producer", "Producers (host servers)"),
        Some("worker") => ("worker", "Workers"),
        _ => ("consumer", "Consumers"),
    }
}

/// Draws the voting members (status `member` or `leaving`).
pub fn structure(orgs: &[Organisation]) -> String {
    let members: Vec<&Organisation> = orgs
        .iter()
        .filter(|o| matches!(o.status.as_str(), "member" | "leaving"))
        .collect();
    let mut bands: Vec<(&str, &str, Vec<&Organisation>)> = Vec::new();
    for org in &members {
        let (class, title) = band_of(org);
        match bands.iter_mut().find(|b| b.0 == class) {
            Some(band) => band.2.push(org),
            None => bands.push((class, title, vec![org])),
        }
    }
    let votes: i64 = members.iter().map(|o| o.weight).sum();
    let mut body = String::new();
    let mut y = GAP;
    for (class, title, orgs) in &bands {
        let rows = orgs.len().div_ceil(PER_ROW);
        let band_h = BAND_LABEL_H + rows * (BOX_H + GAP);
        let _ = write!(
            body,
            r#"<g class="band band-{class}"><rect class="band-bg" x="4" y="{y}" width="{w}" height="{band_h}" rx="12"/><text class="band-title" x="{tx}" y="{ty}">{title}</text>"#,
            w = WIDTH - 8,
            tx = GAP + 4,
            ty = y + 21,
        );
        for (i, org) in orgs.iter().enumerate() {
            let x = GAP + (i % PER_ROW) * (BOX_W + GAP);
            let by = y + BAND_LABEL_H + (i / PER_ROW) * (BOX_H + GAP);
            let votes = if org.weight == 1 {
                "1 vote".to_owned()
            } else {
                format!("{} votes", org.weight)
            };
            let _ = write!(
                body,
                r#"<g class="org"><title>{legal} ({votes})</title><rect class="org-box" x="{x}" y="{by}" width="{BOX_W}" height="{BOX_H}" rx="8"/><text class="org-name" x="{nx}" y="{ny}">{name}</text><text class="org-votes" x="{nx}" y="{vy}">{votes}</text>"#,
                legal = esc(&org.legal_name),
                name = esc(&org.name),
                nx = x + 12,
                ny = by + 23,
                vy = by + 43,
            );
            for d in 0..usize::try_from(org.weight.clamp(0, 5)).unwrap_or_default() {
                let _ = write!(
                    body,
                    r#"<circle class="vote-dot" cx="{cx}" cy="{cy}" r="5"/>"#,
                    cx = x + BOX_W - 14 - d * 13,
                    cy = by + 39,
                );
            }
            body.push_str("</g>");
        }
        body.push_str("</g>");
        y += band_h + GAP;
    }
    let summary = format!(
        "{} member organisations with {votes} votes in {} classes",
        members.len(),
        bands.len()
    );
    format!(
        r#"<svg class="structure" viewBox="0 0 {WIDTH} {h}" role="img" aria-labelledby="structure-title structure-desc" xmlns="http://www.w3.org/2000/svg"><title id="structure-title">The consortium's structure</title><desc id="structure-desc">{summary}</desc>{body}</svg>"#,
        h = y.max(GAP * 2),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(name: &str, kind: &str, class: &str, weight: i64) -> Organisation {
        Organisation {
            id: 1,
            name: name.into(),
            legal_name: format!("The {name} co-op <&>"),
            legal_form: None,
            created_at: 0,
            kind: kind.parse().unwrap(),
            member_class: Some(class.into()),
            status: "member".parse().unwrap(),
            weight,
            contact: String::new(),
            membership: None,
        }
    }

    #[test]
    fn the_diagram_names_every_member_in_its_band_with_its_votes() {
        let svg = structure(&[
            org("hosting", "organisation", "producer", 1),
            org("network", "federation", "consumer", 2),
            org("school", "organisation", "consumer", 1),
        ]);
        assert!(svg.contains("3 member organisations with 4 votes in 3 classes"));
        assert!(svg.contains(">Producers (host servers)<"));
        assert!(svg.contains(">Federations<"));
        assert!(svg.contains(">network<") && svg.contains(">2 votes<"));
        assert!(
            svg.contains("The hosting co-op &lt;&amp;&gt;"),
            "names are escaped"
        );
        assert_eq!(svg.matches("vote-dot").count(), 4);
    }
}

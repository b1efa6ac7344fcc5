//! A load balancer's key space on its stage, about S1, each key's part in the colour of the
//! backend it goes to: the hash ring around the balancer (each backend's arcs; thicker, the key
//! ranges the last membership change moved, in the colour of where they went; dashed inside,
//! where a leaver's arcs were), or a strip of cells under its caption (Maglev's table's first
//! entries, or where the first keys go under rendezvous hashing; outlined thicker, the cells of
//! the one backend keys moved to) with a line of words. Every colour has a dark outline (a
//! casing) under it, so that the lightest stands out on the light stage.
//!
//! It is written here as SVG text from plain data, natively tested, and the stage sets it as
//! one group's content when the panel changes: a ring is a few dozen paths, and building them
//! as the page's virtual DOM cost the balancer's page about 5 KB of download for no gain (they
//! change a few times a second at most, and nothing in them is clicked).

use std::fmt::Write;
use std::rc::Rc;

use super::balancer_face::{moved_ranges, out_of_pool, ring_arcs_d, ring_runs, stage_keys};
use super::geometry::Point;
use super::labels::{self, StageKeys, TextBox};
use super::{Panel, geometry, palette};
use crate::num::fixed;
use crate::sim::NodeId;

/// What the stage draws of a balancer's keys, taken from its panel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyData {
    pub shape: StageKeys,
    /// The ring's points (position, backend), in ring order.
    pub ring: Rc<Vec<(u32, NodeId)>>,
    /// The arcs a leaving backend held (start, end, backend).
    pub left: Rc<Vec<(u32, u32, NodeId)>>,
    /// The strip's cells: a backend each.
    pub cells: Rc<Vec<NodeId>>,
    /// The backends the last change moved keys to, and the size of Maglev's table.
    pub moved: Rc<Vec<NodeId>>,
    pub table_size: u32,
    /// The backends outside the balancer's pool.
    pub out: Rc<Vec<NodeId>>,
}

/// The key data of a balancer's panel (empty for any other panel).
pub fn key_data(panel: &Panel) -> KeyData {
    let Some(p) = panel.get::<super::balancer_face::BalancerPanel>() else { return KeyData::default() };
    KeyData {
        shape: stage_keys(p),
        ring: Rc::new(p.ring.clone()),
        left: Rc::new(p.ring_left.clone()),
        cells: Rc::new(p.table.as_ref().map(|(c, _)| c.clone()).or_else(|| p.owners.clone()).unwrap_or_default()),
        moved: Rc::new(p.last_move.as_ref().map(|(_, to)| to.clone()).unwrap_or_default()),
        table_size: p.table.as_ref().map_or(0, |(_, size)| *size),
        out: Rc::new(out_of_pool(p)),
    }
}

/// The shortest a moved backend's arc is drawn on the stage's ring, in viewBox units.
const MOVED_MIN: f64 = 1.0;
/// Arcs of the stage's ring shorter than this (viewBox units) go to the arc before them.
const SLIVER: f64 = 0.8;

/// The key space as SVG text (a `<g>` with its accessible name), about the balancer at `c` for
/// servers of radius `r`; a strip goes in `area` (from the servers' words). Empty when there is
/// nothing to draw.
pub fn svg(k: &KeyData, c: Point, r: f64, area: Option<TextBox>) -> String {
    // A strip's cells of the backend the last change moved keys to, when there was one (an
    // addition: then they are the keys that moved; after a removal every heir got some, and
    // outlining all their cells would say nothing).
    let moved = |id: NodeId| k.moved.len() == 1 && k.moved[0] == id;
    let mut out = String::new();
    match &k.shape {
        StageKeys::None => {}
        StageKeys::Ring => {
            let (ring_r, width, moved_w, left_r) = geometry::key_ring(r);
            let ids = distinct(k.ring.iter().map(|(_, b)| *b));
            // Each backend's arcs, those too short to see at the stage's size given to the arc
            // before them (see `ring_runs`: far fewer strokes to repaint under the messages).
            let unit = 4_294_967_296.0 / (std::f64::consts::TAU * ring_r);
            let runs = ring_runs(&k.ring, (SLIVER * unit) as u32);
            // The key ranges the last change moved, drawn again over them, thicker, each at
            // least MOVED_MIN units long (centred on where it is), so that every one shows.
            let min_span = (MOVED_MIN * unit) as u32;
            let ranges = moved_ranges(&k.ring, &k.left, &k.moved);
            let moved_ids = distinct(ranges.iter().map(|r| r.2));
            let left_ids = distinct(k.left.iter().map(|a| a.2));
            let mut label = crate::tr!("The hash ring around S1: {points} points of {n} backends, each key going to the backend whose arc it falls on", points = k.ring.len(), n = ids.len());
            if !moved_ids.is_empty() {
                label.push_str(&crate::tr!("; thicker, the keys the last change moved, in the colour of where they went: {who}", who = names(&moved_ids)));
            }
            if !left_ids.is_empty() {
                label.push_str(&crate::tr!("; dashed inside, where the arcs of {who} were before it left", who = names(&left_ids)));
            }
            let _ = write!(out, r#"<g class="key-space ring" role="img" aria-label="{}" transform="translate({} {})">"#, escape(&label), fixed(c.x, 1), fixed(c.y, 1));
            let _ = write!(out, r#"<circle class="casing" r="{}" stroke-width="{}"/>"#, fixed(ring_r, 1), fixed(width + 3.0, 1));
            for &id in &ids {
                let d = ring_arcs_d(runs.iter().filter(|r| r.2 == id).map(|r| (r.0, r.1)), 0.0, ring_r);
                let _ = write!(out, r#"<path class="arc" d="{d}" stroke="{}" stroke-width="{}"/>"#, palette::backend_colour(id), fixed(width, 1));
            }
            for &id in &moved_ids {
                let arcs = ranges.iter().filter(|r| r.2 == id).map(|&(start, end, _)| {
                    let pad = min_span.saturating_sub(end.wrapping_sub(start)) / 2;
                    (start.wrapping_sub(pad), end.wrapping_add(pad))
                });
                let d = ring_arcs_d(arcs, 0.0, ring_r);
                let _ = write!(
                    out,
                    r#"<g><path class="casing" d="{d}" stroke-width="{}"/><path class="arc moved" d="{d}" stroke="{}" stroke-width="{}"/></g>"#,
                    fixed(moved_w + 3.0, 1),
                    palette::backend_colour(id),
                    fixed(moved_w, 1)
                );
            }
            for &id in &left_ids {
                let d = ring_arcs_d(k.left.iter().filter(|a| a.2 == id).map(|a| (a.0, a.1)), 0.0, left_r);
                let _ = write!(out, r#"<g class="left"><path class="casing" d="{d}"/><path class="arc" d="{d}" stroke="{}"/></g>"#, palette::backend_colour(id));
            }
            out.push_str("</g>");
        }
        StageKeys::Strip { cells, words } => {
            let Some(area) = area else { return out };
            let top = area.top();
            let (_, strip_h) = geometry::strip_size(*cells);
            let size = fixed(geometry::STRIP_CELL, 1);
            let what = if k.table_size > 0 {
                crate::tr!("Maglev's table: its first {cells} of {n} entries", cells = cells, n = k.table_size)
            } else {
                crate::tr!("Rendezvous hashing: where keys 0 to {last} go", last = cells.saturating_sub(1))
            };
            let moved_ids: Vec<NodeId> = distinct(k.cells.iter().copied()).into_iter().filter(|id| moved(*id)).collect();
            let label = if moved_ids.is_empty() { what } else { crate::tr!("{what}; outlined thicker, the cells of {who}, where the last change moved keys", what = what, who = names(&moved_ids)) };
            let _ = write!(out, r#"<g class="key-space strip" role="img" aria-label="{}">"#, escape(&label));
            let kind = if k.table_size > 0 { crate::tr!("entry") } else { crate::tr!("key") };
            for (i, &id) in k.cells.iter().take(*cells).enumerate() {
                let at = geometry::strip_cell(i, area.x, top);
                let class = if moved(id) { "cell moved" } else { "cell" };
                let _ = write!(
                    out,
                    r#"<rect class="{class}" x="{}" y="{}" width="{size}" height="{size}" fill="{}"><title>{kind} {i}: S{id}</title></rect>"#,
                    fixed(at.x, 1),
                    fixed(at.y, 1),
                    palette::backend_colour(id)
                );
            }
            let _ = write!(
                out,
                r#"<text class="keys-words" x="{}" y="{}" font-size="{}">{}</text></g>"#,
                fixed(c.x, 1),
                fixed(top + strip_h + 4.0 + labels::KEYS_FONT * 0.6, 1),
                fixed(labels::KEYS_FONT, 1),
                escape(words)
            );
        }
    }
    out
}

/// "S2, S5".
fn names(ids: &[NodeId]) -> String {
    ids.iter().map(|id| format!("S{id}")).collect::<Vec<_>>().join(", ")
}

/// Text safe in an attribute or an element of SVG markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The distinct backends among `ids`, in id order: without sorting, whose code would weigh on
/// the page's download for a handful of small ids.
fn distinct(ids: impl Iterator<Item = NodeId>) -> Vec<NodeId> {
    let mut seen: Vec<bool> = Vec::new();
    for id in ids {
        let i = id as usize;
        if seen.len() <= i {
            seen.resize(i + 1, false);
        }
        seen[i] = true;
    }
    seen.iter().enumerate().filter(|(_, s)| **s).map(|(i, _)| i as NodeId).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::lab::LabRun;

    fn panel_at(name: &str, at_ms: u64) -> Panel {
        let mut run = LabRun::shipped(name).expect("shipped");
        run.seek_time(at_ms * 1_000);
        run.panel()
    }

    /// The balancer's place in the wide fan.
    const S1: Point = Point { x: 230.0, y: 300.0 };

    fn area() -> Option<TextBox> {
        Some(TextBox { x: S1.x, y: 400.0, w: 100.0, h: 60.0 })
    }

    #[test]
    fn a_ring_draws_an_arc_per_backend_and_the_moved_ones_thicker() {
        // Consistent hashing, adding S12 at 2 s: its arcs are the keys that moved.
        let k = key_data(&panel_at("balancer-ring-hash-add-backend.json", 2_500));
        assert_eq!(k.shape, StageKeys::Ring);
        let svg = svg(&k, S1, 30.0, None);
        assert!(svg.starts_with(r#"<g class="key-space ring" role="img" aria-label="The hash ring around S1"#), "{}", &svg[..120]);
        assert_eq!(svg.matches(r#"<path class="arc" "#).count(), 11, "an arc path per backend");
        assert_eq!(svg.matches(r#"class="arc moved""#).count(), 1, "S12's");
        assert!(svg.contains(r#"class="arc moved" d="M"#) && svg.contains(&format!(r#"stroke="{}""#, palette::backend_colour(12))));
        assert!(svg.contains("the colour of where they went: S12"));
        assert!(svg.ends_with("</g>"));
    }

    #[test]
    fn a_removal_draws_the_leavers_arcs_dashed_inside() {
        let k = key_data(&panel_at("balancer-rendezvous-remove-backend.json", 100));
        let ring = key_data(&panel_at("balancer-ring-hash-add-backend.json", 100));
        assert_eq!(svg(&ring, S1, 30.0, None).matches(r#"<g class="left">"#).count(), 0, "nobody left yet");
        assert!(matches!(k.shape, StageKeys::Strip { .. }), "rendezvous hashing draws a strip");
    }

    #[test]
    fn a_strip_draws_its_cells_in_their_colours_with_words_under_them() {
        let k = key_data(&panel_at("balancer-maglev-remove-backend.json", 100));
        let StageKeys::Strip { cells, .. } = k.shape.clone() else { panic!("Maglev draws a strip: {:?}", k.shape) };
        let svg = svg(&k, S1, 30.0, area());
        assert_eq!(svg.matches("<rect class=\"cell").count(), cells);
        assert!(svg.contains("aria-label=\"Maglev&#39;s table") || svg.contains("aria-label=\"Maglev's table"), "{}", &svg[..160]);
        assert!(svg.contains(r#"<text class="keys-words""#));
        assert_eq!(super::svg(&k, S1, 30.0, None), "", "no area, no strip");
    }

    #[test]
    fn nothing_is_drawn_for_a_strategy_without_keys_and_text_is_escaped() {
        assert_eq!(svg(&KeyData::default(), S1, 30.0, area()), "");
        assert_eq!(escape(r#"a<b & "c">"#), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert_eq!(distinct([5, 2, 5, 3, 2].into_iter()), [2, 3, 5]);
    }
}

//! A load balancer's key space on its stage, about S1, each key's part in the colour of the
//! backend it goes to: the hash ring around the balancer (each backend's arcs; thicker, the key
//! ranges the last membership change moved; dashed inside, where a leaver's arcs were), or a
//! strip of Maglev's table (rendezvous hashing: where the first keys go) under it. Drawn from the
//! balancer's panel, so it changes when the panel does, not on every frame. Only the balancer's
//! page carries it (the `balancer` feature).

use std::rc::Rc;

use yew::prelude::*;

use crate::sim::NodeId;
use crate::view::balancer_face::{moved_ranges, out_of_pool, ring_arcs_d, ring_runs, stage_keys};
use crate::view::labels::{self, StageKeys};
use crate::view::{Panel, geometry, palette};

use super::stage::fmt;

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

pub fn key_data(panel: &Panel) -> KeyData {
    let Panel::Balancer(p) = panel else { return KeyData::default() };
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

#[derive(Properties, PartialEq)]
pub struct KeysProps {
    pub keys: KeyData,
    pub r: f64,
    /// Where a strip and its words go (from the servers' words).
    pub area: Option<labels::TextBox>,
}

/// A balancer's key space about S1, each key's part in the colour of the backend it goes to:
/// the hash ring around it (each backend's arcs; thicker, the key ranges the last change moved,
/// in the colour of where they went; dashed inside, those a leaving backend held), or a strip of
/// cells under its caption (Maglev's table's first entries, or where the first keys go; outlined
/// thicker, the cells of the one backend keys moved to) with a line of words. Every colour has a dark outline
/// under it, so that the lightest stands out on the light stage. Redrawn only when the keys'
/// data change.
#[component]
pub fn KeysLayer(props: &KeysProps) -> Html {
    let k = &props.keys;
    let c = geometry::FAN_BALANCER;
    // A strip's cells of the backend the last change moved keys to, when there was one (an
    // addition: then they are the keys that moved; after a removal every heir got some, and
    // outlining all their cells would say nothing).
    let moved = |id: NodeId| k.moved.len() == 1 && k.moved[0] == id;
    let names = |ids: &[NodeId]| ids.iter().map(|id| format!("S{id}")).collect::<Vec<_>>().join(", ");
    match &k.shape {
        StageKeys::None => html! {},
        StageKeys::Ring => {
            let (ring_r, width, moved_w, left_r) = geometry::key_ring(props.r);
            let mut ids: Vec<NodeId> = k.ring.iter().map(|(_, b)| *b).collect();
            ids.sort_unstable();
            ids.dedup();
            // The arc ending at each point belongs to that point's backend.
            let n = k.ring.len();
            // Each backend's arcs, those too short to see at the stage's size given to the arc
            // before them (see `ring_runs`: far fewer strokes to repaint under the messages).
            let unit = 4_294_967_296.0 / (std::f64::consts::TAU * ring_r);
            let runs = ring_runs(&k.ring, (SLIVER * unit) as u32);
            let path_of = |id: NodeId| ring_arcs_d(runs.iter().filter(|r| r.2 == id).map(|r| (r.0, r.1)), 0.0, ring_r);
            // The key ranges the last change moved, drawn again over them, thicker, in the colour
            // of the backend they went to, each at least MOVED_MIN units long (centred on where
            // it is), so that every one shows.
            let min_span = (MOVED_MIN * unit) as u32;
            let ranges = moved_ranges(&k.ring, &k.left, &k.moved);
            let mut moved_ids: Vec<NodeId> = ranges.iter().map(|r| r.2).collect();
            moved_ids.sort_unstable();
            moved_ids.dedup();
            let moved_path = |id: NodeId| {
                let arcs = ranges.iter().filter(|r| r.2 == id).map(|&(start, end, _)| {
                    let pad = min_span.saturating_sub(end.wrapping_sub(start)) / 2;
                    (start.wrapping_sub(pad), end.wrapping_add(pad))
                });
                ring_arcs_d(arcs, 0.0, ring_r)
            };
            let mut left_ids: Vec<NodeId> = k.left.iter().map(|a| a.2).collect();
            left_ids.sort_unstable();
            left_ids.dedup();
            let left_path = |id: NodeId| ring_arcs_d(k.left.iter().filter(|a| a.2 == id).map(|a| (a.0, a.1)), 0.0, left_r);
            let mut label = format!("The hash ring around S1: {n} points of {} backends, each key going to the backend whose arc it falls on", ids.len());
            if !moved_ids.is_empty() {
                label.push_str(&format!("; thicker, the keys the last change moved, in the colour of where they went: {}", names(&moved_ids)));
            }
            if !left_ids.is_empty() {
                label.push_str(&format!("; dashed inside, where the arcs of {} were before it left", names(&left_ids)));
            }
            html! {
                <g class="key-space ring" role="img" aria-label={label} transform={format!("translate({} {})", fmt(c.x), fmt(c.y))}>
                    <circle class="casing" r={fmt(ring_r)} stroke-width={fmt(width + 3.0)} />
                    { for ids.iter().map(|&id| html! {
                        <path key={id} class="arc" d={path_of(id)} stroke={palette::backend_colour(id)} stroke-width={fmt(width)} />
                    }) }
                    { for moved_ids.iter().map(|&id| {
                        let d = moved_path(id);
                        html! {
                            <g key={format!("moved-{id}")}>
                                <path class="casing" d={d.clone()} stroke-width={fmt(moved_w + 3.0)} />
                                <path class="arc moved" {d} stroke={palette::backend_colour(id)} stroke-width={fmt(moved_w)} />
                            </g>
                        }
                    }) }
                    { for left_ids.iter().map(|&id| {
                        let d = left_path(id);
                        html! {
                            <g key={format!("left-{id}")} class="left">
                                <path class="casing" d={d.clone()} />
                                <path class="arc" {d} stroke={palette::backend_colour(id)} />
                            </g>
                        }
                    }) }
                </g>
            }
        }
        StageKeys::Strip { cells, words } => {
            let Some(area) = props.area else { return html! {} };
            let top = area.top();
            let (_, strip_h) = geometry::strip_size(*cells);
            let size = geometry::STRIP_CELL;
            let what =
                if k.table_size > 0 { format!("Maglev's table: its first {cells} of {} entries", k.table_size) } else { format!("Rendezvous hashing: where keys 0 to {} go", cells.saturating_sub(1)) };
            let mut ids: Vec<NodeId> = k.cells.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let moved_ids: Vec<NodeId> = ids.iter().copied().filter(|id| moved(*id)).collect();
            let label = if moved_ids.is_empty() { what } else { format!("{what}; outlined thicker, the cells of {}, where the last change moved keys", names(&moved_ids)) };
            html! {
                <g class="key-space strip" role="img" aria-label={label}>
                    { for k.cells.iter().take(*cells).enumerate().map(|(i, &id)| {
                        let at = geometry::strip_cell(i, top);
                        html! {
                            <rect class={classes!("cell", moved(id).then_some("moved"))} x={fmt(at.x)} y={fmt(at.y)} width={fmt(size)} height={fmt(size)} fill={palette::backend_colour(id)}>
                                <title>{ format!("{} {i}: S{id}", if k.table_size > 0 { "entry" } else { "key" }) }</title>
                            </rect>
                        }
                    }) }
                    <text class="keys-words" x={fmt(c.x)} y={fmt(top + strip_h + 4.0 + labels::KEYS_FONT * 0.6)} font-size={fmt(labels::KEYS_FONT)}>{ words.clone() }</text>
                </g>
            }
        }
    }
}

//! The space-time diagram: a lane per server, time flowing right, each message an arrow from
//! its send to its delivery (dashed while in flight, ✕ where dropped), and the run's markers as
//! vertical ticks. Geometry comes from [`crate::view::spacetime::layout`]; this file only
//! writes SVG. Clicking an arrow selects its message.
//!
//! The diagram is refreshed a few times a second while the run plays, so a refresh touches
//! only what moved: arrows, ticks, down stretches and grid lines sit at absolute coordinates in
//! groups whose `translate` is all that follows the clock (clipped to the lanes' area), each
//! arrow is a component of its own whose props do not change once its message has ended (so
//! Yew skips it), and one click listener on the arrows' group finds the arrow by its `data-id`.

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;

use crate::sim::Micros;
use crate::sim::time::AsMs;
use crate::view::face::Colours;
use crate::view::history::{Fate, Marker, MessageSpan};
use crate::view::spacetime::{self, ARROWS_MAX, Diagram, LaneId};

/// Arrowhead colours, one `<marker>` each: SVG 1.1 markers cannot take the line's colour.
const HEADS: [&str; 5] = ["rv", "rvr", "ae", "aer", "client"];

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    /// Spans overlapping the window, oldest first (`History::recent`).
    pub spans: Rc<Vec<MessageSpan>>,
    /// The run's markers (`History::markers`); those outside the window are skipped.
    pub markers: Rc<Vec<Marker>>,
    /// Number of servers.
    pub nodes: u32,
    /// Virtual time now.
    pub now_us: Micros,
    /// How much time the diagram spans.
    pub window_us: Micros,
    /// A message was clicked: its id.
    pub on_select_message: Callback<u64>,
    /// The protocol's message colours.
    pub colours: Colours,
    /// One span in this many is drawn (1: all).
    #[prop_or(1)]
    pub every: u64,
}

#[component]
pub fn SpaceTime(props: &SpaceTimeProps) -> Html {
    let d = spacetime::layout(&props.spans, &props.markers, props.nodes, props.now_us, props.window_us, ARROWS_MAX, props.colours.of);
    // One listener for every arrow: the clicked one carries its message's id.
    let onclick = use_callback(props.on_select_message.clone(), |e: MouseEvent, on_select| {
        if let Some(id) = super::clicked_id(&e, "data-id") {
            on_select.emit(id);
        }
    });
    let view_box = format!("0 0 {} {}", fmt(d.width), fmt(d.height));
    let window_ms = props.window_us / 1_000;
    let label = tr!("Messages between servers over {window} ms up to {now} ms", window = window_ms, now = AsMs(props.now_us));
    // The only attribute that follows the clock (with the now line while the window fills).
    let slide = format!("translate({} 0)", crate::num::fixed(d.shift, 2));
    html! {
        <section class="spacetime" data-testid="spacetime" aria-label={tr!("Space-time diagram")}>
            <h2>{ tr!("Space-time diagram") }</h2>
            <svg class="spacetime-svg" viewBox={view_box} role="group" aria-label={label}>
                <defs>
                    { for HEADS.iter().map(|k| html! {
                        <marker key={*k} id={format!("st-head-{k}")} class={classes!("st-head", *k)} viewBox="0 0 10 10" refX="9" refY="5"
                            markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto">
                            <path d="M0,1 L10,5 L0,9 z" />
                        </marker>
                    }) }
                    // Right of the lanes' labels, to the diagram's right edge (an end at now
                    // keeps its arrowhead or ✕ whole).
                    <clipPath id="st-clip">
                        <rect x={fmt(d.x0)} y="0" width={fmt(d.width - d.x0)} height={fmt(d.height)} />
                    </clipPath>
                </defs>
                { axis(&d, slide.clone()) }
                { lanes(&d) }
                <g class="st-clip" clip-path="url(#st-clip)">
                    <g class="st-slide" transform={slide}>
                        { downs(&d) }
                        { ticks(&d, &props.markers) }
                        <g class="st-arrows" {onclick}>
                            { for d.arrows.iter().filter_map(|a| {
                                let s = props.spans.get(a.span)?;
                                Some(html! {
                                    <ArrowMark key={a.id} x1={a.x1} y1={a.y1} x2={a.x2} y2={a.y2} class={a.class}
                                        dashed={a.dashed} head={a.head} cross={a.cross} span={Title::of(s)} />
                                })
                            }) }
                        </g>
                    </g>
                </g>
                <line class="st-now" x1={fmt(d.now_x)} y1={fmt(spacetime::TOP)} x2={fmt(d.now_x)} y2={fmt(d.lanes_bottom)}>
                    <title>{ tr!("now, {ms} ms", ms = AsMs(props.now_us)) }</title>
                </line>
            </svg>
            <p class="st-caption">
                { tr!("The last {window} ms. Solid: delivered; dashed: in flight; ✕: dropped. Click a message to select it.", window = window_ms) }
                if props.every > 1 {
                    { " " }{ tr!("1 in {n} messages drawn (by id).", n = props.every) }
                }
                if d.hidden > 0 {
                    { " " }{ tr!("{n} older messages not drawn.", n = d.hidden) }
                }
            </p>
        </section>
    }
}

/// Grid lines at round times, in absolute time (they slide with the arrows; not clipped, so a
/// label at the window's start shows whole, as before).
fn axis(d: &Diagram, slide: String) -> Html {
    html! {
        <g class="st-grid" aria-hidden="true" transform={slide}>
            { for d.grid.iter().map(|g| {
                let x = fmt(g.x);
                html! {
                    <g key={g.t_us}>
                        <line x1={x.clone()} y1={fmt(spacetime::TOP - 12.0)} x2={x.clone()} y2={fmt(d.lanes_bottom)} />
                        <text {x} y={fmt(spacetime::TOP - 16.0)}>{ &g.label }</text>
                    </g>
                }
            }) }
        </g>
    }
}

/// Lane lines and labels: they do not move.
fn lanes(d: &Diagram) -> Html {
    html! {
        <g class="st-lanes">
            { for d.lanes.iter().map(|l| {
                html! {
                    <g key={lane_key(l.id)} class="st-lane">
                        <line x1={fmt(d.x0)} y1={fmt(l.y)} x2={fmt(d.x1)} y2={fmt(l.y)} />
                        <text x={fmt(d.x0 - 6.0)} y={fmt(l.y + 4.0)}>{ &l.label }</text>
                    </g>
                }
            }) }
        </g>
    }
}

/// The stretches servers were down, in absolute time (they slide with the arrows).
fn downs(d: &Diagram) -> Html {
    html! {
        <g class="st-lanes st-downs">
            { for d.lanes.iter().filter(|l| !l.down.is_empty()).map(|l| {
                html! {
                    <g key={lane_key(l.id)} class="st-lane">
                        { for l.down.iter().map(|&(a, b)| html! {
                            <line class="st-down" x1={fmt(a)} y1={fmt(l.y)} x2={fmt(b)} y2={fmt(l.y)}>
                                <title>{ tr!("{server} down", server = l.label) }</title>
                            </line>
                        }) }
                    </g>
                }
            }) }
        </g>
    }
}

fn lane_key(id: LaneId) -> String {
    match id {
        LaneId::Server(id) => format!("s{id}"),
        LaneId::Clients => "c".to_string(),
    }
}

fn ticks(d: &Diagram, markers: &[Marker]) -> Html {
    html! {
        <g class="st-ticks">
            { for d.ticks.iter().filter_map(|t| {
                let m = markers.get(t.marker)?;
                let x = fmt(t.x);
                Some(html! {
                    <g key={format!("{}-{}", m.event, t.marker)} class={classes!("st-tick", t.kind.as_str())}>
                        <title>{ tr!("{what} at {ms} ms (event {n})", what = m.label(), ms = AsMs(m.at_us), n = m.event) }</title>
                        <line x1={x.clone()} y1={fmt(t.y1)} x2={x} y2={fmt(t.y2)} />
                        if let Some(text) = &t.text {
                            <text x={fmt(t.x + 2.0)} y={fmt(spacetime::TOP - 3.0)}>{ text }</text>
                        }
                    </g>
                })
            }) }
        </g>
    }
}

/// What an arrow's tooltip says, from its span: what the arrow compares, not the whole span (its
/// label and event numbers do not show).
#[derive(Clone, PartialEq)]
struct Title {
    id: u64,
    kind: Rc<str>,
    route: (crate::sim::Addr, crate::sim::Addr),
    sent_us: Micros,
    due_us: Micros,
    end_us: Micros,
    fate: Fate,
    drop_reason: Option<&'static str>,
    copy_of: Option<u64>,
    text: Rc<str>,
}

impl Title {
    fn of(s: &MessageSpan) -> Self {
        Title {
            id: s.id,
            kind: Rc::from(s.kind.as_str()),
            route: (s.from, s.to),
            sent_us: s.sent_us,
            due_us: s.due_us,
            end_us: s.end_us,
            fate: s.fate,
            drop_reason: s.drop_reason,
            copy_of: s.copy_of,
            text: Rc::from(s.text.as_str()),
        }
    }

    fn text(&self) -> String {
        let end = match self.fate {
            Fate::InFlight => tr!("due {ms} ms, in flight", ms = AsMs(self.due_us)),
            Fate::Delivered => tr!("delivered {ms} ms", ms = AsMs(self.end_us)),
            Fate::Dropped => tr!("dropped {ms} ms ({why})", ms = AsMs(self.end_us), why = self.drop_reason.unwrap_or("dropped")),
        };
        let copy = self.copy_of.map(|o| tr!(", a copy of m{o}", o = o)).unwrap_or_default();
        let (from, to) = self.route;
        format!("m{} {} {}->{}: {}{copy}\n{}", self.id, self.kind, from, to, tr!("sent {ms} ms, {end}", ms = AsMs(self.sent_us), end = end), self.text)
    }
}

#[derive(Properties, PartialEq)]
struct ArrowProps {
    x1: f64,
    y1: f64,
    x2: f64,
    y2: f64,
    class: &'static str,
    dashed: bool,
    head: bool,
    cross: bool,
    span: Title,
}

/// One message's arrow, at absolute coordinates: once its message has ended its props stay
/// the same until it leaves the window, so it is rendered once.
#[component]
fn ArrowMark(props: &ArrowProps) -> Html {
    let head_kind = props.class.split(' ').next().unwrap_or("client");
    let marker_end = props.head.then(|| format!("url(#st-head-{head_kind})"));
    let (x1, y1, x2, y2) = (fmt(props.x1), fmt(props.y1), fmt(props.x2), fmt(props.y2));
    html! {
        <g class={classes!("st-msg", props.class, props.dashed.then_some("in-flight"), props.cross.then_some("dropped"))} data-id={props.span.id.to_string()}>
            <title>{ props.span.text() }</title>
            // A wide transparent line makes a thin arrow easy to click.
            <line class="st-hit" x1={x1.clone()} y1={y1.clone()} x2={x2.clone()} y2={y2.clone()} />
            <line class="st-line" {x1} {y1} {x2} {y2} marker-end={marker_end} />
            if props.cross {
                <path class="st-cross" d={cross_path(props.x2, props.y2)} />
            }
        </g>
    }
}

/// A small ✕ centred on (x, y).
fn cross_path(x: f64, y: f64) -> String {
    let r = 3.5;
    format!("M{} {} L{} {} M{} {} L{} {}", fmt(x - r), fmt(y - r), fmt(x + r), fmt(y + r), fmt(x - r), fmt(y + r), fmt(x + r), fmt(y - r))
}

fn fmt(v: f64) -> String {
    crate::num::fixed(v, 1)
}

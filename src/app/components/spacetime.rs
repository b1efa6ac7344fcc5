//! The space-time diagram: a lane per server, time flowing right, each message an arrow from
//! its send to its delivery (dashed while in flight, ✕ where dropped), and the run's markers as
//! vertical ticks. Geometry comes from [`crate::view::spacetime::layout`]; this file only
//! writes SVG. Clicking an arrow selects its message.

use std::rc::Rc;

use yew::prelude::*;

use crate::sim::Micros;
use crate::sim::time::AsMs;
use crate::view::face::Colours;
use crate::view::history::{Fate, Marker, MessageSpan};
use crate::view::spacetime::{self, ARROWS_MAX, Arrow, Diagram, LaneId};

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
}

#[component]
pub fn SpaceTime(props: &SpaceTimeProps) -> Html {
    let d = spacetime::layout(&props.spans, &props.markers, props.nodes, props.now_us, props.window_us, ARROWS_MAX, props.colours.of);
    let view_box = format!("0 0 {} {}", fmt(d.width), fmt(d.height));
    let window_ms = props.window_us / 1_000;
    let label = format!("Messages between servers over {window_ms} ms up to {} ms", AsMs(props.now_us));
    html! {
        <section class="spacetime" data-testid="spacetime" aria-label="Space-time diagram">
            <h2>{ "Space-time diagram" }</h2>
            <svg class="spacetime-svg" viewBox={view_box} role="group" aria-label={label}>
                <defs>
                    { for HEADS.iter().map(|k| html! {
                        <marker key={*k} id={format!("st-head-{k}")} class={classes!("st-head", *k)} viewBox="0 0 10 10" refX="9" refY="5"
                            markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto">
                            <path d="M0,1 L10,5 L0,9 z" />
                        </marker>
                    }) }
                </defs>
                { axis(&d) }
                { lanes(&d) }
                { ticks(&d, &props.markers) }
                <g class="st-arrows">
                    { for d.arrows.iter().map(|a| arrow(a, &props.spans, &props.on_select_message)) }
                </g>
                <line class="st-now" x1={fmt(d.now_x)} y1={fmt(spacetime::TOP)} x2={fmt(d.now_x)} y2={fmt(d.lanes_bottom)}>
                    <title>{ format!("now, {} ms", AsMs(props.now_us)) }</title>
                </line>
            </svg>
            <p class="st-caption">
                { format!("The last {window_ms} ms. Solid: delivered; dashed: in flight; ✕: dropped. Click a message to select it.") }
                if d.hidden > 0 {
                    { format!(" {} older messages not drawn.", d.hidden) }
                }
            </p>
        </section>
    }
}

fn axis(d: &Diagram) -> Html {
    html! {
        <g class="st-grid" aria-hidden="true">
            { for d.grid.iter().map(|g| html! {
                <g key={g.label.clone()}>
                    <line x1={fmt(g.x)} y1={fmt(spacetime::TOP - 12.0)} x2={fmt(g.x)} y2={fmt(d.lanes_bottom)} />
                    <text x={fmt(g.x)} y={fmt(spacetime::TOP - 16.0)}>{ &g.label }</text>
                </g>
            }) }
        </g>
    }
}

fn lanes(d: &Diagram) -> Html {
    html! {
        <g class="st-lanes">
            { for d.lanes.iter().map(|l| {
                let key = match l.id { LaneId::Server(id) => format!("s{id}"), LaneId::Clients => "c".to_string() };
                html! {
                    <g key={key} class="st-lane">
                        <line x1={fmt(d.x0)} y1={fmt(l.y)} x2={fmt(d.x1)} y2={fmt(l.y)} />
                        { for l.down.iter().map(|&(a, b)| html! {
                            <line class="st-down" x1={fmt(a)} y1={fmt(l.y)} x2={fmt(b)} y2={fmt(l.y)}>
                                <title>{ format!("{} down", l.label) }</title>
                            </line>
                        }) }
                        <text x={fmt(d.x0 - 6.0)} y={fmt(l.y + 4.0)}>{ &l.label }</text>
                    </g>
                }
            }) }
        </g>
    }
}

fn ticks(d: &Diagram, markers: &[Marker]) -> Html {
    html! {
        <g class="st-ticks">
            { for d.ticks.iter().filter_map(|t| {
                let m = markers.get(t.marker)?;
                Some(html! {
                    <g key={format!("{}-{}", m.event, t.marker)} class={classes!("st-tick", t.kind.as_str())}>
                        <title>{ format!("{} at {} ms (event {})", m.label, AsMs(m.at_us), m.event) }</title>
                        <line x1={fmt(t.x)} y1={fmt(t.y1)} x2={fmt(t.x)} y2={fmt(t.y2)} />
                        if let Some(text) = &t.text {
                            <text x={fmt(t.x + 2.0)} y={fmt(spacetime::TOP - 3.0)}>{ text }</text>
                        }
                    </g>
                })
            }) }
        </g>
    }
}

fn arrow(a: &Arrow, spans: &[MessageSpan], on_select: &Callback<u64>) -> Html {
    let Some(s) = spans.get(a.span) else { return Html::default() };
    let id = a.id;
    let onclick = {
        let on_select = on_select.clone();
        Callback::from(move |_: MouseEvent| on_select.emit(id))
    };
    let end = match s.fate {
        Fate::InFlight => format!("due {} ms, in flight", AsMs(s.due_us)),
        Fate::Delivered => format!("delivered {} ms", AsMs(s.end_us)),
        Fate::Dropped => format!("dropped {} ms ({})", AsMs(s.end_us), s.drop_reason.unwrap_or("dropped")),
    };
    let copy = s.copy_of.map(|o| format!(", a copy of m{o}")).unwrap_or_default();
    let title = format!("m{} {} {}->{}: sent {} ms, {end}{copy}\n{}", s.id, s.kind, s.from, s.to, AsMs(s.sent_us), s.text);
    let head_kind = a.class.split(' ').next().unwrap_or("client");
    let marker_end = a.head.then(|| format!("url(#st-head-{head_kind})"));
    let (x1, y1, x2, y2) = (fmt(a.x1), fmt(a.y1), fmt(a.x2), fmt(a.y2));
    html! {
        <g key={a.id} class={classes!("st-msg", a.class, a.dashed.then_some("in-flight"), a.cross.then_some("dropped"))} {onclick}>
            <title>{ title }</title>
            // A wide transparent line makes a thin arrow easy to click.
            <line class="st-hit" x1={x1.clone()} y1={y1.clone()} x2={x2.clone()} y2={y2.clone()} />
            <line class="st-line" x1={x1} y1={y1} x2={x2} y2={y2} marker-end={marker_end} />
            if a.cross {
                <path class="st-cross" d={cross_path(a.x2, a.y2)} />
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
    format!("{v:.1}")
}

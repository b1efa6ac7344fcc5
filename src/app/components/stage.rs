//! The stage: servers (on a ring, or a balancer's fan with the backends' slots and queues) and
//! the messages in flight between them, as SVG. Geometry comes from [`crate::view::geometry`].
//! A balancer's backends take their colours from [`crate::view::palette`], and its key space (the
//! hash ring around S1, or a strip of Maglev's table or of where the first keys go) is drawn
//! from the protocol's panel, which changes with the read panels, not with every frame.
//! A partition
//! shows as a side letter (A, B, ...) under each server and a tinted halo per side; an isolated
//! server gets a dashed fence. A message that was just dropped stays a moment where it was lost,
//! fading, with a ✕.
//!
//! Every frame moves the messages and drains the timer rings, so the stage is split so that a
//! frame touches only that: each message's position follows the [`StageClock`] by setting its
//! `transform` on each frame ([`use_clock_translate`]), without rendering; the rings and the
//! fading drops render on the clock's frames by themselves, without the page; each server's
//! body is its own component whose props do not change while the server does not, each
//! message's too, and clicks on messages are caught once on their layer rather than by a
//! listener per message.

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;

#[cfg(feature = "balancer")]
use super::stage_keys::KeysLayer;
use crate::app::clock::{StageClock, use_clock_translate, use_stage_clock};
use crate::sim::{Micros, NodeId};
use crate::view::face::Load;
use crate::view::geometry::Layout;
use crate::view::geometry::{self, Point};
use crate::view::history::{Fate, MessageSpan};
#[cfg(feature = "balancer")]
use crate::view::key_space::key_data;
use crate::view::labels::{self, Flight, NodeText, StageKeys};
use crate::view::{MessageView, NodeView, Panel};

pub use crate::view::session::DROP_FADE_US;

use crate::view::labels::MAX_DRAWN;

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub nodes: Rc<Vec<NodeView>>,
    pub messages: Rc<Vec<Rc<MessageView>>>,
    /// The time of the state drawn; between the page's renders the moving parts follow
    /// `clock`. A new time (a step or a seek while paused) redraws them.
    pub now_us: Micros,
    pub clock: StageClock,
    pub selected: Option<NodeId>,
    /// The message open in the inspector.
    pub selected_message: Option<u64>,
    /// Servers named by a broken invariant, outlined in red.
    pub highlight: Rc<Vec<NodeId>>,
    /// Recent message spans: the dropped ones fade out where they were lost (for
    /// [`DROP_FADE_US`]).
    pub spans: Rc<Vec<MessageSpan>>,
    pub on_select: Callback<NodeId>,
    /// Clicking a message opens it in the inspector (where it can be dropped).
    pub on_select_message: Callback<u64>,
    /// The protocol's message colours by type (for messages known only by their span).
    pub colours: crate::view::face::Colours,
    /// Where the servers sit.
    #[prop_or_default]
    pub layout: Layout,
    /// Whether its servers are buttons (not compare mode's second run, which follows the
    /// first's commands: there they would be tab stops that do nothing).
    #[prop_or(true)]
    pub interactive: bool,
    /// The stage's accessible name.
    #[prop_or(AttrValue::Static(tr!("Servers and messages")))]
    pub label: AttrValue,
    /// The protocol's panel: a balancer's key space is drawn from it about S1 (none without).
    #[prop_or_default]
    pub panel: PanelRef,
}

/// The protocol's panel as a prop, equal when it is the same `Rc`: the page keeps the `Rc` while
/// the panel does not change, and comparing a balancer's panel (its ring, its sparklines) on
/// every render of the page would cost more than redrawing the stage's keys.
#[derive(Clone, Default)]
pub struct PanelRef(pub Rc<Panel>);

impl PartialEq for PanelRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[component]
pub fn Stage(props: &StageProps) -> Html {
    let n = props.nodes.len() as u32;
    let view_box = format!("0 0 {} {}", crate::num::short(geometry::view_width(props.layout), 1), crate::num::short(geometry::view_height(props.layout), 1));
    // The moving parts re-render only when they change, and draw themselves at the clock's
    // time; this tells them the time moved outside the frame loop.
    use_effect_with((props.now_us, props.clock.clone()), |(_, clock)| clock.redraw());
    // What a balancer's panel says of its keys and its pool, when the panel changes; its
    // backends outside the pool say so (the panel knows, their faces do not). Only the
    // balancer's page carries this.
    #[cfg(feature = "balancer")]
    let (keys, nodes) = {
        let keys = use_memo(props.panel.clone(), |p| key_data(&p.0));
        let nodes = use_memo((props.nodes.clone(), keys.out.clone()), |(nodes, out)| crate::view::balancer_face::mark_out_of_pool(nodes, out).map_or_else(|| nodes.clone(), Rc::new));
        (keys, (*nodes).clone())
    };
    #[cfg(feature = "balancer")]
    let shape = keys.shape.clone();
    #[cfg(not(feature = "balancer"))]
    let (nodes, shape) = (props.nodes.clone(), StageKeys::None);
    // The servers' words, placed once per change of the servers: drawn by the nodes' layer,
    // and avoided by the messages' labels.
    let texts = use_memo((nodes.clone(), props.layout, shape), |(nodes, layout, shape)| labels::stage_node_texts(*layout, nodes, shape));
    #[cfg(feature = "balancer")]
    let keys_layer = if keys.shape != StageKeys::None {
        let r = geometry::radius(props.layout, n);
        html! { <KeysLayer keys={(*keys).clone()} centre={geometry::balancer_point(props.layout)} {r} area={texts.first().and_then(|t| t.keys)} /> }
    } else {
        Html::default()
    };
    #[cfg(not(feature = "balancer"))]
    let keys_layer = Html::default();
    html! {
        <svg class="stage" viewBox={view_box} role="group" aria-label={props.label.clone()}>
            if props.layout.is_fan() {
                { clients_mark(props.layout) }
                { keys_layer }
            }
            { nodes_layer(&NodesProps { nodes: nodes.clone(), texts: texts.clone(), selected: props.selected, highlight: props.highlight.clone(), on_select: props.on_select.clone(), layout: props.layout, interactive: props.interactive }) }
            <RingsLayer nodes={props.nodes.clone()} clock={props.clock.clone()} layout={props.layout} />
            <DroppedLayer spans={props.spans.clone()} now_us={props.now_us} clock={props.clock.clone()} nodes={n} colours={props.colours} layout={props.layout} />
            <MessagesLayer messages={props.messages.clone()} texts={texts} clock={props.clock.clone()} nodes={n} selected={props.selected_message} on_select={props.on_select_message.clone()} layout={props.layout} />
        </svg>
    }
}

struct NodesProps {
    nodes: Rc<Vec<NodeView>>,
    texts: Rc<Vec<NodeText>>,
    selected: Option<NodeId>,
    highlight: Rc<Vec<NodeId>>,
    on_select: Callback<NodeId>,
    layout: Layout,
    interactive: bool,
}

/// Where a balancer's requests come from: the clients, drawn once at the left, the word inside
/// its dashed box; a dotted line to the balancer (under it and its ring).
fn clients_mark(layout: Layout) -> Html {
    let p = geometry::client_point(layout);
    let s = geometry::balancer_point(layout);
    html! {
        <g class="clients-mark" aria-hidden="true">
            <line x1={fmt(p.x + 34.0)} y1={fmt(p.y)} x2={fmt(s.x)} y2={fmt(s.y)} />
            <rect x={fmt(p.x - 34.0)} y={fmt(p.y - 17.0)} width="68" height="34" rx="6" />
            <text x={fmt(p.x)} y={fmt(p.y)}>{ tr!("clients") }</text>
        </g>
    }
}

/// The servers: a plain function (each server's body is a component, skipped while its props
/// stay equal).
fn nodes_layer(props: &NodesProps) -> Html {
    let n = props.nodes.len() as u32;
    let positions = geometry::positions(props.layout, n);
    let r = geometry::radius(props.layout, n);
    html! {
        <g class="nodes">
            { for props.nodes.iter().zip(positions).zip(props.texts.iter()).map(|((node, p), text)| {
                // The body does not draw the timer (the rings layer does): without it, a
                // server whose timer was re-armed keeps equal props and is not re-rendered.
                let still = NodeView { timer: None, ..node.clone() };
                // A balancer's backends, each in its colour (a crashed one stays grey).
                #[cfg(feature = "balancer")]
                let colour = (props.layout.is_fan() && node.id >= 2 && node.role != "down")
                    .then(|| (crate::view::palette::backend_colour(node.id), crate::view::palette::backend_ink(node.id)));
                #[cfg(not(feature = "balancer"))]
                let colour = None;
                html! {
                    <g key={node.id} class="node-slot">
                        <NodeBody node={still} text={text.clone()} x={p.x} y={p.y} {r} selected={props.selected == Some(node.id)}
                            violating={props.highlight.contains(&node.id)} on_select={props.on_select.clone()} interactive={props.interactive} {colour} />
                    </g>
                }
            }) }
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct RingsProps {
    nodes: Rc<Vec<NodeView>>,
    clock: StageClock,
    layout: Layout,
}

/// While playing, the rings are redrawn every this many frames: they drain slowly (a full turn
/// takes seconds on screen), so every other frame is smooth enough and halves their painting.
const RING_EVERY_FRAMES: u64 = 2;

/// The servers' timer rings, draining as their timers run, over the servers. At most one per
/// server, redrawn at half the frame rate: re-rendered, unlike the messages, which are many
/// and move on every frame.
#[component]
fn RingsLayer(props: &RingsProps) -> Html {
    let now_us = use_stage_clock(&props.clock, RING_EVERY_FRAMES);
    let n = props.nodes.len() as u32;
    let positions = geometry::positions(props.layout, n);
    let ring_r = geometry::radius(props.layout, n) + 6.0;
    html! {
        <g class="rings" aria-hidden="true">
            { for props.nodes.iter().zip(positions).filter_map(|(node, p)| node.timer.map(|timer| {
                let (dash, gap) = geometry::ring_dash(ring_r, timer.left(now_us));
                html! {
                    <circle key={node.id} class="timer" cx={fmt(p.x)} cy={fmt(p.y)} r={fmt(ring_r)}
                        stroke-dasharray={format!("{} {}", fmt(dash), fmt(gap))}
                        transform={format!("rotate(-90 {} {})", fmt(p.x), fmt(p.y))} />
                }
            })) }
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct NodeBodyProps {
    node: NodeView,
    text: NodeText,
    x: f64,
    y: f64,
    r: f64,
    selected: bool,
    violating: bool,
    on_select: Callback<NodeId>,
    interactive: bool,
    /// Its fill and the ink of the words on it, when it has its own (a balancer's backend).
    colour: Option<(&'static str, &'static str)>,
}

#[component]
fn NodeBody(props: &NodeBodyProps) -> Html {
    let node = &props.node;
    let (id, x, y, r) = (node.id, props.x, props.y, props.r);
    let t = &props.text;
    let onclick = {
        let cb = props.on_select.clone();
        Callback::from(move |_: MouseEvent| cb.emit(id))
    };
    let onkeydown = {
        let cb = props.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                e.stop_propagation();
                cb.emit(id);
            }
        })
    };
    let mut state = node.state.clone();
    if node.paused {
        state.push_str(", paused");
    }
    if node.isolated {
        state.push_str(", isolated");
    }
    if let Some(g) = node.group {
        state.push_str(&tr!(", side {side}", side = labels::side_letter(g)));
    }
    let label = format!("S{id} {state}");
    let class = classes!("node", node.role, node.paused.then_some("paused"), props.selected.then_some("selected"), props.violating.then_some("violating"));
    // Only a balancer's backends have a load (and only its page draws one).
    let load = node.load.filter(|_| geometry::FANS).map(|l| load_meter(l, Point { x, y }, r));
    let style = props.colour.map(|(fill, ink)| format!("--fill: {fill}; --ink: {ink}"));
    let halo = node.group.map(|g| {
        html! {
            <circle class={classes!("side-halo", format!("side-{}", g % 4))} cx={fmt(x)} cy={fmt(y)} r={fmt(r + 14.0)} />
        }
    });
    let fence = node.isolated.then(|| html! { <circle class="fence" cx={fmt(x)} cy={fmt(y)} r={fmt(r + 12.0)} /> });
    let text_at = |class: &'static str, b: &labels::TextBox, font: f64, text: String| {
        html! {
            <text {class} x={fmt(b.x)} y={fmt(b.y)} font-size={fmt(font)}>{ text }</text>
        }
    };
    let side = node.group.zip(t.side.as_ref()).map(|(g, b)| text_at("side out", b, labels::CAPTION_FONT, tr!("side {side}", side = labels::side_letter(g))));
    let caption = t.caption.as_ref().map(|(b, inside)| if *inside { text_at("caption", b, t.font * 0.8, node.caption.clone()) } else { caption_lines(b, &node.caption) });
    let mark = t.mark.as_ref().map(|b| text_at("mark", b, t.font, "❚❚".to_string()));
    html! {
        <g {class} {style} role={if props.interactive { "button" } else { "img" }} tabindex={props.interactive.then_some("0")} aria-label={label.clone()}
            aria-haspopup={props.interactive.then_some("menu")} onclick={props.interactive.then_some(onclick)} onkeydown={props.interactive.then_some(onkeydown)}>
            <title>{ label }</title>
            { for halo }
            { for fence }
            <circle class="body" cx={fmt(x)} cy={fmt(y)} r={fmt(r)} />
            { text_at("badge", &t.badge, t.font * 1.25, node.badge.to_string()) }
            { text_at("name", &t.name, t.font, format!("S{id}")) }
            { for caption }
            { for side }
            { for mark }
            { for load }
        </g>
    }
}

/// A caption under (or beside) its server, a line each (a balancer's strategy, then its
/// parameters).
fn caption_lines(b: &labels::TextBox, text: &str) -> Html {
    let n = text.lines().count();
    html! {
        <text class="caption out" font-size={fmt(labels::CAPTION_FONT)}>
            { for text.lines().zip(b.line_ys(n, labels::CAPTION_FONT)).map(|(line, y)| html! { <tspan x={fmt(b.x)} y={fmt(y)}>{ line.to_string() }</tspan> }) }
        </text>
    }
}

/// A backend's slots (a square each, filled while busy) and queue (a bar, with its length after
/// it), right of its circle ([`geometry::Meter`]).
fn load_meter(l: Load, c: Point, r: f64) -> Html {
    let m = geometry::Meter::of(c, r);
    let shown = l.slots.min(geometry::METER_SLOTS);
    let text = m.queue_text_at(l.queued);
    html! {
        <g class="load" aria-hidden="true">
            { for (0..shown).map(|i| html! {
                <rect class={classes!("slot", (i < l.busy).then_some("busy"))} x={fmt(m.x + f64::from(i) * m.pitch)} y={fmt(m.slots_y)} width={fmt(m.slot)} height={fmt(m.slot)} />
            }) }
            if l.queued > 0 {
                <rect class="queue" x={fmt(m.x)} y={fmt(m.queue_y)} width={fmt(m.queue_width(l.queued))} height={fmt(m.slot)} />
                <text class="queue-len out" x={fmt(text.x)} y={fmt(text.y)} font-size={fmt(m.font)}>{ geometry::queue_text(l.queued) }</text>
            }
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct MessagesProps {
    messages: Rc<Vec<Rc<MessageView>>>,
    texts: Rc<Vec<NodeText>>,
    clock: StageClock,
    nodes: u32,
    selected: Option<u64>,
    on_select: Callback<u64>,
    layout: Layout,
}

#[derive(Properties, PartialEq)]
struct DroppedProps {
    spans: Rc<Vec<MessageSpan>>,
    now_us: Micros,
    clock: StageClock,
    nodes: u32,
    colours: crate::view::face::Colours,
    layout: Layout,
}

/// Messages lost in the last moments, fading where they were lost.
#[component]
fn DroppedLayer(props: &DroppedProps) -> Html {
    // Nothing to fade, nothing to follow: most of the time no message was lost just now.
    let any_dropped = props.spans.iter().any(|s| s.fate == Fate::Dropped);
    let now_us = use_stage_clock(&props.clock, u64::from(any_dropped));
    let positions = geometry::positions(props.layout, props.nodes);
    let r = geometry::radius(props.layout, props.nodes);
    let recent = props.spans.iter().filter(|s| s.fate == Fate::Dropped && !s.never_sent() && s.end_us <= now_us && now_us - s.end_us < DROP_FADE_US);
    html! {
        <g class="dropped" aria-hidden="true">
            { for recent.take(MAX_DRAWN).map(|s| {
                let p = geometry::message_position(labels::endpoint(&positions, props.layout, s.from), labels::endpoint(&positions, props.layout, s.to), r, s.sent_us, s.due_us, s.end_us);
                let opacity = 1.0 - (now_us - s.end_us) as f64 / DROP_FADE_US as f64;
                html! {
                    <g key={s.id} class={classes!("msg", "lost", (props.colours.of)(&s.kind, s.heartbeat))} opacity={fmt(opacity)} transform={format!("translate({} {})", fmt(p.x), fmt(p.y))}>
                        <circle r="6" />
                        <text class="x" y="4">{ "✕" }</text>
                    </g>
                }
            }) }
        </g>
    }
}

#[component]
fn MessagesLayer(props: &MessagesProps) -> Html {
    let positions = geometry::positions(props.layout, props.nodes);
    let r = geometry::radius(props.layout, props.nodes);
    // A balancer at thousands of requests a second: past SAMPLE_OVER messages the stage draws
    // a sample, by id, and says so. (Consensus runs draw every message, up to MAX_DRAWN.)
    let every = labels::draw_every(props.layout, props.messages.len());
    // One listener for every message: the clicked one carries its id.
    let onclick = {
        let cb = props.on_select.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(id) = super::clicked_id(&e, "data-msg") {
                cb.emit(id);
            }
        })
    };
    let drawn: Vec<&Rc<MessageView>> = props.messages.iter().filter(|m| m.id % every == 0).take(MAX_DRAWN).collect();
    let flights: Vec<Flight> = drawn.iter().map(|m| labels::flight(&positions, props.layout, r, m)).collect();
    // Labels beside their messages, clear of the servers' words and of each other for as long
    // as both fly; each keeps its side from the last drawing (see `view::labels`).
    // (id, choice) of the last drawing's labels (a few dozen at most).
    let sides = use_mut_ref(Vec::<(u64, u8)>::new);
    let placed = {
        let last = sides.borrow();
        let views: Vec<&MessageView> = drawn.iter().map(|m| m.as_ref()).collect();
        let previous = |id: u64| last.iter().find(|(i, _)| *i == id).map(|(_, c)| *c);
        labels::stage_labels(props.layout, props.nodes, &views, &props.texts, props.clock.now_us(), props.selected, previous)
    };
    *sides.borrow_mut() = placed.iter().map(|p| (p.id, p.choice)).collect();
    // The keyed messages are the group's only children: a sibling beside them would make Yew
    // reconcile the list without keys, moving every message's element when one arrives.
    html! {
        <>
        if every > 1 {
            <text class="sampled" x="8" y={fmt(geometry::view_height(props.layout) - 12.0)}>{ tr!("1 in {every} messages drawn ({n} in flight)", every = every, n = props.messages.len()) }</text>
        }
        <g class="messages" aria-hidden="true" {onclick}>
            { for drawn.iter().zip(flights).map(|(m, flight)| {
                let label_at = placed.iter().find(|p| p.id == m.id).map(|p| (p.offset.x, p.offset.y));
                html! {
                    <MessageDot key={m.id} msg={(*m).clone()} {flight} {label_at} selected={props.selected == Some(m.id)} clock={props.clock.clone()} />
                }
            }) }
        </g>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct MessageDotProps {
    msg: Rc<MessageView>,
    flight: Flight,
    /// Where its label goes, from the message (none: not labelled).
    label_at: Option<(f64, f64)>,
    selected: bool,
    clock: StageClock,
}

/// A message in flight: its shape, its tail (pointing back where it came from, so its
/// direction shows even while paused), its label and tooltip, built once per message; its
/// position follows the clock without rendering.
#[component]
fn MessageDot(props: &MessageDotProps) -> Html {
    let node = use_node_ref();
    use_clock_translate(&props.clock, 1, &node, props.flight, Flight::at);
    let m = &props.msg;
    let size = if m.heartbeat { labels::ROUTINE_R } else { labels::DOT_R };
    let class = classes!("msg", m.class, m.heartbeat.then_some("heartbeat"), props.selected.then_some("selected"));
    let (dx, dy) = {
        let (f, t) = (props.flight.from, props.flight.to);
        let d = f.dist(t).max(1e-9);
        ((t.x - f.x) / d, (t.y - f.y) / d)
    };
    let tail = size * 2.6;
    // A message without a label (a balancer's requests, by the hundred) gets no tooltip either:
    // each element costs its creation, and they come and go by thousands a second.
    html! {
        <g ref={node} data-msg={m.id.to_string()}>
            <g {class}>
                if !m.label.is_empty() {
                    <title>{ format!("m{} {}->{} {} {}", m.id, m.from, m.to, m.text, tr!("(click to inspect or drop)")) }</title>
                }
                <line class="tail" x1={fmt(-dx * size * 0.6)} y1={fmt(-dy * size * 0.6)} x2={fmt(-dx * tail)} y2={fmt(-dy * tail)} />
                if m.square {
                    <rect x={fmt(-size)} y={fmt(-size)} width={fmt(2.0 * size)} height={fmt(2.0 * size)} rx="2" />
                } else {
                    <circle r={fmt(size)} />
                }
                if let Some((x, y)) = props.label_at {
                    <text class="label" x={fmt(x)} y={fmt(y)}>{ &m.label }</text>
                }
            </g>
        </g>
    }
}

/// A coordinate as the SVG gets it: tenths.
pub fn fmt(v: f64) -> String {
    crate::num::fixed(v, 1)
}

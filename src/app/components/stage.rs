//! The stage: servers on a ring and the messages in flight between them, as SVG. Geometry comes
//! from [`crate::view::geometry`]; only the messages layer changes every frame. A partition
//! shows as a side letter (A, B, ...) under each server and a tinted halo per side; an isolated
//! server gets a dashed fence. A message that was just dropped stays a moment where it was lost,
//! fading, with a ✕.

use std::rc::Rc;

use yew::prelude::*;

use crate::protocols::raft::Role;
use crate::sim::{Addr, Micros, NodeId};
use crate::view::geometry::{self, Point, VIEW_SIZE};
use crate::view::history::{Fate, MessageSpan};
use crate::view::{MessageView, NodeView};

/// How long (virtual time) a dropped message stays visible, fading.
const DROP_FADE_US: Micros = 40_000;

/// Most messages drawn at once.
const MAX_DRAWN: usize = 400;

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub nodes: Rc<Vec<NodeView>>,
    pub messages: Rc<Vec<MessageView>>,
    pub now_us: Micros,
    pub selected: Option<NodeId>,
    /// The message open in the inspector.
    pub selected_message: Option<u64>,
    /// Servers named by a broken invariant, outlined in red.
    pub highlight: Rc<Vec<NodeId>>,
    /// Recent message spans: the dropped ones fade out where they were lost.
    pub spans: Rc<Vec<MessageSpan>>,
    pub on_select: Callback<NodeId>,
    /// Clicking a message opens it in the inspector (where it can be dropped).
    pub on_select_message: Callback<u64>,
}

#[component]
pub fn Stage(props: &StageProps) -> Html {
    let n = props.nodes.len() as u32;
    let view_box = format!("0 0 {VIEW_SIZE} {VIEW_SIZE}");
    html! {
        <svg class="stage" viewBox={view_box} role="group" aria-label="Servers and messages">
            <NodesLayer nodes={props.nodes.clone()} selected={props.selected} highlight={props.highlight.clone()} on_select={props.on_select.clone()} />
            <DroppedLayer spans={props.spans.clone()} now_us={props.now_us} nodes={n} />
            <MessagesLayer messages={props.messages.clone()} now_us={props.now_us} nodes={n} selected={props.selected_message} on_select={props.on_select_message.clone()} />
        </svg>
    }
}

fn role_class(node: &NodeView) -> &'static str {
    match node.role {
        Some(Role::Leader) => "leader",
        Some(Role::Candidate) => "candidate",
        Some(Role::Follower) => "follower",
        None => "down",
    }
}

#[derive(Properties, PartialEq)]
struct NodesProps {
    nodes: Rc<Vec<NodeView>>,
    selected: Option<NodeId>,
    highlight: Rc<Vec<NodeId>>,
    on_select: Callback<NodeId>,
}

#[component]
fn NodesLayer(props: &NodesProps) -> Html {
    let n = props.nodes.len() as u32;
    let positions = geometry::ring_positions(n);
    let r = geometry::node_radius(n);
    let font = (r * 0.42).max(9.0);
    html! {
        <g class="nodes">
            { for props.nodes.iter().zip(positions).map(|(node, p)| {
                let id = node.id;
                let on_select = props.on_select.clone();
                let onclick = { let on_select = on_select.clone(); Callback::from(move |_: MouseEvent| on_select.emit(id)) };
                let onkeydown = Callback::from(move |e: KeyboardEvent| {
                    if e.key() == "Enter" || e.key() == " " {
                        e.prevent_default();
                        e.stop_propagation();
                        on_select.emit(id);
                    }
                });
                let mut state = format!("{} term {}", node.role_name(), node.term);
                if node.paused { state.push_str(", paused"); }
                if node.isolated { state.push_str(", isolated"); }
                if let Some(g) = node.group { state.push_str(&format!(", side {}", side_letter(g))); }
                let label = format!("S{id} {state}");
                let class = classes!("node", role_class(node), node.paused.then_some("paused"), (props.selected == Some(id)).then_some("selected"), props.highlight.contains(&id).then_some("violating"));
                let ring_r = r + 6.0;
                let timer = node.election_left.map(|left| {
                    let (dash, gap) = geometry::ring_dash(ring_r, left);
                    html! {
                        <circle class="timer" cx={fmt(p.x)} cy={fmt(p.y)} r={fmt(ring_r)}
                            stroke-dasharray={format!("{} {}", fmt(dash), fmt(gap))}
                            transform={format!("rotate(-90 {} {})", fmt(p.x), fmt(p.y))} />
                    }
                });
                // Down servers show ✕ as their badge; paused ones get a pause mark.
                let mark = if node.up && node.paused { "❚❚" } else { "" };
                let halo = node.group.map(|g| html! {
                    <circle class={classes!("side-halo", format!("side-{}", g % 4))} cx={fmt(p.x)} cy={fmt(p.y)} r={fmt(r + 14.0)} />
                });
                let fence = node.isolated.then(|| html! {
                    <circle class="fence" cx={fmt(p.x)} cy={fmt(p.y)} r={fmt(r + 12.0)} />
                });
                let side = node.group.map(|g| html! {
                    <text class="side" x={fmt(p.x)} y={fmt(p.y + r + 18.0)} font-size={fmt(font)}>{ format!("side {}", side_letter(g)) }</text>
                });
                html! {
                    <g key={id} class={class} role="button" tabindex="0" aria-label={label.clone()}
                       aria-haspopup="menu" {onclick} {onkeydown}>
                        <title>{ label }</title>
                        { for halo }
                        { for fence }
                        { for side }
                        { for timer }
                        <circle class="body" cx={fmt(p.x)} cy={fmt(p.y)} r={fmt(r)} />
                        <text class="badge" x={fmt(p.x)} y={fmt(p.y - font * 0.55)} font-size={fmt(font * 1.25)}>{ node.badge() }</text>
                        <text class="name" x={fmt(p.x)} y={fmt(p.y + font * 0.6)} font-size={fmt(font)}>{ format!("S{id}") }</text>
                        <text class="term" x={fmt(p.x)} y={fmt(p.y + font * 1.55)} font-size={fmt(font * 0.8)}>{ format!("t{}", node.term) }</text>
                        if !mark.is_empty() {
                            <text class="mark" x={fmt(p.x + r * 0.75)} y={fmt(p.y - r * 0.6)} font-size={fmt(font * 1.2)}>{ mark }</text>
                        }
                    </g>
                }
            }) }
        </g>
    }
}

/// A partition side's letter: A, B, C...
fn side_letter(group: usize) -> char {
    char::from(b'A' + (group % 26) as u8)
}

#[derive(Properties, PartialEq)]
struct MessagesProps {
    messages: Rc<Vec<MessageView>>,
    now_us: Micros,
    nodes: u32,
    selected: Option<u64>,
    on_select: Callback<u64>,
}

fn kind_class(kind: &str, heartbeat: bool) -> &'static str {
    match kind {
        "RequestVote" => "rv",
        "RequestVoteReply" => "rvr",
        "AppendEntries" if heartbeat => "ae heartbeat",
        "AppendEntries" => "ae",
        "AppendEntriesReply" => "aer",
        _ => "client",
    }
}

fn endpoint(positions: &[Point], a: Addr) -> Point {
    match a {
        Addr::Node(id) => positions.get((id as usize).wrapping_sub(1)).copied().unwrap_or_else(geometry::center),
        Addr::Client(_) => geometry::center(),
    }
}

#[derive(Properties, PartialEq)]
struct DroppedProps {
    spans: Rc<Vec<MessageSpan>>,
    now_us: Micros,
    nodes: u32,
}

/// Messages lost in the last moments, fading where they were lost.
#[component]
fn DroppedLayer(props: &DroppedProps) -> Html {
    let positions = geometry::ring_positions(props.nodes);
    let r = geometry::node_radius(props.nodes);
    let recent = props.spans.iter().filter(|s| {
        s.fate == Fate::Dropped && !s.never_sent() && s.end_us <= props.now_us && props.now_us - s.end_us < DROP_FADE_US
    });
    html! {
        <g class="dropped" aria-hidden="true">
            { for recent.take(MAX_DRAWN).map(|s| {
                let p = geometry::message_position(endpoint(&positions, s.from), endpoint(&positions, s.to), r, s.sent_us, s.due_us, s.end_us);
                let opacity = 1.0 - (props.now_us - s.end_us) as f64 / DROP_FADE_US as f64;
                html! {
                    <g key={s.id} class={classes!("msg", "lost", kind_class(&s.kind, s.heartbeat))} opacity={fmt(opacity)} transform={format!("translate({} {})", fmt(p.x), fmt(p.y))}>
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
    let positions = geometry::ring_positions(props.nodes);
    let r = geometry::node_radius(props.nodes);
    let at = |a: Addr| endpoint(&positions, a);
    html! {
        <g class="messages" aria-hidden="true">
            { for props.messages.iter().take(MAX_DRAWN).map(|m| {
                let p = geometry::message_position(at(m.from), at(m.to), r, m.sent_us, m.due_us, props.now_us);
                let size = if m.heartbeat { 5.0 } else { 7.0 };
                let id = m.id;
                let on_select = props.on_select.clone();
                let onclick = Callback::from(move |_: MouseEvent| on_select.emit(id));
                let selected = (props.selected == Some(m.id)).then_some("selected");
                html! {
                    <g key={m.id} class={classes!("msg", kind_class(m.kind, m.heartbeat), selected)} transform={format!("translate({} {})", fmt(p.x), fmt(p.y))} {onclick}>
                        <title>{ format!("m{} {}->{} {} (click to inspect or drop)", m.id, m.from, m.to, m.text) }</title>
                        if m.kind == "RequestVote" || m.kind == "RequestVoteReply" {
                            <rect x={fmt(-size)} y={fmt(-size)} width={fmt(2.0 * size)} height={fmt(2.0 * size)} rx="2" />
                        } else {
                            <circle r={fmt(size)} />
                        }
                        if !m.heartbeat {
                            <text y={fmt(-size - 3.0)}>{ &m.label }</text>
                        }
                    </g>
                }
            }) }
        </g>
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

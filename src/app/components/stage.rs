//! The stage: servers on a ring and the messages in flight between them, as SVG. Geometry comes
//! from [`crate::view::geometry`]; only the messages layer changes every frame.

use std::rc::Rc;

use yew::prelude::*;

use crate::protocols::raft::Role;
use crate::sim::{Addr, Micros, NodeId};
use crate::view::geometry::{self, Point, VIEW_SIZE};
use crate::view::{MessageView, NodeView};

/// Most messages drawn at once.
const MAX_DRAWN: usize = 400;

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub nodes: Rc<Vec<NodeView>>,
    pub messages: Rc<Vec<MessageView>>,
    pub now_us: Micros,
    pub selected: Option<NodeId>,
    /// Servers named by a broken invariant, outlined in red.
    pub highlight: Rc<Vec<NodeId>>,
    pub on_select: Callback<NodeId>,
    /// Clicking a message drops it.
    pub on_drop: Callback<u64>,
}

#[component]
pub fn Stage(props: &StageProps) -> Html {
    let n = props.nodes.len() as u32;
    let view_box = format!("0 0 {VIEW_SIZE} {VIEW_SIZE}");
    html! {
        <svg class="stage" viewBox={view_box} role="group" aria-label="Servers and messages">
            <NodesLayer nodes={props.nodes.clone()} selected={props.selected} highlight={props.highlight.clone()} on_select={props.on_select.clone()} />
            <MessagesLayer messages={props.messages.clone()} now_us={props.now_us} nodes={n} on_drop={props.on_drop.clone()} />
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
                html! {
                    <g key={id} class={class} role="button" tabindex="0" aria-label={label.clone()}
                       aria-haspopup="menu" {onclick} {onkeydown}>
                        <title>{ label }</title>
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

#[derive(Properties, PartialEq)]
struct MessagesProps {
    messages: Rc<Vec<MessageView>>,
    now_us: Micros,
    nodes: u32,
    on_drop: Callback<u64>,
}

fn kind_class(m: &MessageView) -> &'static str {
    match m.kind {
        "RequestVote" => "rv",
        "RequestVoteReply" => "rvr",
        "AppendEntries" if m.heartbeat => "ae heartbeat",
        "AppendEntries" => "ae",
        "AppendEntriesReply" => "aer",
        _ => "client",
    }
}

#[component]
fn MessagesLayer(props: &MessagesProps) -> Html {
    let positions = geometry::ring_positions(props.nodes);
    let r = geometry::node_radius(props.nodes);
    let at = |a: Addr| -> Point {
        match a {
            Addr::Node(id) => positions.get(id as usize - 1).copied().unwrap_or_else(geometry::center),
            Addr::Client(_) => geometry::center(),
        }
    };
    html! {
        <g class="messages" aria-hidden="true">
            { for props.messages.iter().take(MAX_DRAWN).map(|m| {
                let p = geometry::message_position(at(m.from), at(m.to), r, m.sent_us, m.due_us, props.now_us);
                let size = if m.heartbeat { 5.0 } else { 7.0 };
                let id = m.id;
                let on_drop = props.on_drop.clone();
                let onclick = Callback::from(move |_: MouseEvent| on_drop.emit(id));
                html! {
                    <g key={m.id} class={classes!("msg", kind_class(m))} transform={format!("translate({} {})", fmt(p.x), fmt(p.y))} {onclick}>
                        <title>{ format!("m{} {}->{} {} (click to drop)", m.id, m.from, m.to, m.text) }</title>
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

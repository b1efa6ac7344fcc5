//! The actions on one server: crash/restart, pause/resume, time out now, isolate/reconnect,
//! client request. They sit at the top of the inspector when a server is selected, so a tap on a
//! server (touch) or Enter on it (keyboard) opens them next to its state.

use yew::prelude::*;

use crate::sim::NodeId;
use crate::view::{NodeCommand, NodeView};

pub struct NodeActionsProps {
    pub node: NodeView,
    pub on_command: Callback<(NodeId, NodeCommand)>,
}

pub fn node_actions(props: &NodeActionsProps) -> Html {
    let node = &props.node;
    let id = node.id;
    let button = |label: String, command: NodeCommand, enabled: bool| {
        let cb = props.on_command.clone();
        html! {
            <button type="button" role="menuitem" disabled={!enabled} onclick={Callback::from(move |_: MouseEvent| cb.emit((id, command)))}>{ label }</button>
        }
    };
    html! {
        <div class="node-actions" role="menu" aria-label={format!("S{id} actions")}>
            if node.up {
                { button(format!("Crash S{id}"), NodeCommand::Crash, true) }
            } else {
                { button(format!("Restart S{id}"), NodeCommand::Restart, true) }
            }
            if node.paused {
                { button(format!("Resume S{id}"), NodeCommand::Resume, node.up) }
            } else {
                { button(format!("Pause S{id}"), NodeCommand::Pause, node.up) }
            }
            { button(format!("Time out S{id} now"), NodeCommand::Timeout, node.up && !node.paused) }
            if node.isolated {
                { button(format!("Reconnect S{id}"), NodeCommand::Reconnect, true) }
            } else {
                { button(format!("Isolate S{id}"), NodeCommand::Isolate, true) }
            }
            { button(format!("Client request to S{id}"), NodeCommand::ClientRequest, node.up) }
        </div>
    }
}

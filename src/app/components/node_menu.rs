//! The actions on one server: crash/restart, pause/resume, time out now, isolate/reconnect,
//! client request. They sit at the top of the inspector when a server is selected, so a tap on a
//! server (touch) or Enter on it (keyboard) opens them next to its state.

use yew::prelude::*;

use crate::tr;

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
        <div class="node-actions" role="menu" aria-label={tr!("S{id} actions", id = id)}>
            if node.up {
                { button(tr!("Crash S{id}", id = id), NodeCommand::Crash, true) }
            } else {
                { button(tr!("Restart S{id}", id = id), NodeCommand::Restart, true) }
            }
            if node.paused {
                { button(tr!("Resume S{id}", id = id), NodeCommand::Resume, node.up) }
            } else {
                { button(tr!("Pause S{id}", id = id), NodeCommand::Pause, node.up) }
            }
            { button(tr!("Time out S{id} now", id = id), NodeCommand::Timeout, node.up && !node.paused) }
            if node.isolated {
                { button(tr!("Reconnect S{id}", id = id), NodeCommand::Reconnect, true) }
            } else {
                { button(tr!("Isolate S{id}", id = id), NodeCommand::Isolate, true) }
            }
            { button(tr!("Client request to S{id}", id = id), NodeCommand::ClientRequest, node.up) }
        </div>
    }
}

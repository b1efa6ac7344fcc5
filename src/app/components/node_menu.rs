//! The menu of one server: crash/restart, pause/resume, time out now, client request.

use yew::prelude::*;

use crate::sim::NodeId;
use crate::view::NodeView;
use crate::view::NodeCommand;

#[derive(Properties, PartialEq)]
pub struct NodeMenuProps {
    pub node: NodeView,
    pub on_command: Callback<(NodeId, NodeCommand)>,
    pub on_close: Callback<()>,
}

#[component]
pub fn NodeMenu(props: &NodeMenuProps) -> Html {
    let node = &props.node;
    let id = node.id;
    let button = |label: String, command: NodeCommand, enabled: bool| {
        let cb = props.on_command.clone();
        html! {
            <button type="button" role="menuitem" disabled={!enabled} onclick={Callback::from(move |_: MouseEvent| cb.emit((id, command)))}>{ label }</button>
        }
    };
    let close = { let cb = props.on_close.clone(); Callback::from(move |_: MouseEvent| cb.emit(())) };
    html! {
        <section class="node-menu" aria-label={format!("S{id} menu")}>
            <h2>{ format!("S{id}: {}, term {}", node.role_name(), node.term) }{ if node.paused { " (paused)" } else { "" } }</h2>
            <p class="muted">{ format!("log {} entries, commit {}", node.log_len, node.commit) }</p>
            <div role="menu" aria-label={format!("S{id} actions")}>
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
                { button(format!("Client request to S{id}"), NodeCommand::ClientRequest, node.up) }
                <button type="button" class="secondary" aria-label="Close menu" onclick={close}>{ "Close" }</button>
            </div>
        </section>
    }
}

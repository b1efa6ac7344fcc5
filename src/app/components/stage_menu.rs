//! What a click on the stage offers, right under the stage: a server's actions (crash, pause,
//! time out, isolate, a client request) or a message's (drop it). The stage gives it room rather
//! than being covered by it, so every server stays in sight, in an embed as on a phone; the
//! inspector beside the stage (when shown) holds the full state.

use yew::prelude::*;

use crate::tr;

use super::node_menu::{NodeActionsProps, node_actions};
use crate::sim::NodeId;
use crate::view::{NodeCommand, NodeView};

/// What the menu offers.
pub struct StageMenuProps {
    /// The server or message, in words ("S3 leader term 2", "m14 AppendEntries S1→S3").
    pub title: String,
    /// The selected server, if a server is selected (else a message is).
    pub node: Option<NodeView>,
    /// The selected message's id, if a message is.
    pub message: Option<u64>,
    pub on_command: Callback<(NodeId, NodeCommand)>,
    pub on_drop: Callback<u64>,
    pub on_close: Callback<()>,
}

/// The menu (a plain function: see [`super::guide::guide_panel`]).
pub fn stage_menu(props: &StageMenuProps) -> Html {
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <div class="stage-menu" data-testid="stage-menu">
            <span class="stage-menu-title">{ &props.title }</span>
            if let Some(node) = props.node.clone() {
                { node_actions(&NodeActionsProps { node, on_command: props.on_command.clone() }) }
            }
            if let Some(id) = props.message {
                <div class="node-actions" role="menu" aria-label={tr!("m{id} actions", id = id)}>
                    <button type="button" role="menuitem" onclick={{ let cb = props.on_drop.clone(); Callback::from(move |_: MouseEvent| cb.emit(id)) }}>{ tr!("Drop m{id}", id = id) }</button>
                </div>
            }
            <button type="button" class="icon close" aria-label={tr!("Close the menu")} title={tr!("Close (Esc)")} onclick={close}>{ "✕" }</button>
        </div>
    }
}

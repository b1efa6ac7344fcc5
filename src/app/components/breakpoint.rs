//! A breakpoint: pause the run whenever a chosen server sends a chosen type of message (the
//! scenario trigger `{"when": {"node": 1, "sends": "Commit"}}`, as a debugger would have it).

use yew::prelude::*;

use crate::tr;

use crate::sim::NodeId;

#[derive(Properties, PartialEq)]
pub struct BreakpointProps {
    pub nodes: u32,
    /// The message types the protocol's servers send.
    pub kinds: &'static [&'static str],
    /// The breakpoint set, if any.
    pub current: Option<(NodeId, String)>,
    pub on_set: Callback<Option<(NodeId, String)>>,
}

#[component]
pub fn Breakpoint(props: &BreakpointProps) -> Html {
    let node = use_state(|| 1u32);
    let kind = use_state(String::new);
    let on_node = {
        let node = node.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = e.target_dyn_into::<web_sys::HtmlSelectElement>().and_then(|s| s.value().parse::<u32>().ok()) {
                node.set(v);
            }
        })
    };
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                kind.set(s.value());
            }
        })
    };
    let chosen_kind = if props.kinds.contains(&kind.as_str()) { (*kind).clone() } else { props.kinds.first().map(|k| k.to_string()).unwrap_or_default() };
    let chosen_node = (*node).clamp(1, props.nodes.max(1));
    let set = {
        let (cb, k) = (props.on_set.clone(), chosen_kind.clone());
        Callback::from(move |_: MouseEvent| cb.emit(Some((chosen_node, k.clone()))))
    };
    let clear = {
        let cb = props.on_set.clone();
        Callback::from(move |_: MouseEvent| cb.emit(None))
    };
    html! {
        <section class="panel breakpoint-panel" aria-label={tr!("Breakpoint")} data-testid="breakpoint-panel">
            <h2>{ tr!("Breakpoint") }</h2>
            <div class="panel-row">
                <label class="field">{ tr!("Pause when ") }
                    <select aria-label={tr!("Breakpoint server")} onchange={on_node}>
                        { for (1..=props.nodes).map(|id| html! { <option key={id} value={id.to_string()} selected={id == chosen_node}>{ format!("S{id}") }</option> }) }
                    </select>
                </label>
                <label class="field">{ tr!(" sends ") }
                    <select aria-label={tr!("Breakpoint message type")} onchange={on_kind}>
                        { for props.kinds.iter().map(|k| html! { <option key={*k} value={*k} selected={*k == chosen_kind}>{ *k }</option> }) }
                    </select>
                </label>
            </div>
            <div class="panel-row">
                <button type="button" onclick={set} disabled={props.kinds.is_empty()}>{ tr!("Set breakpoint") }</button>
                <button type="button" class="secondary" onclick={clear} disabled={props.current.is_none()}>{ tr!("Clear") }</button>
            </div>
            <p class="hint" data-testid="breakpoint-current">{
                match &props.current {
                    Some((n, k)) => tr!("Playing pauses whenever S{n} sends {k}.", n = n, k = k),
                    None => tr!("No breakpoint.").to_string(),
                }
            }</p>
        </section>
    }
}

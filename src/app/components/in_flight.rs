//! The messages in flight as a list: the keyboard's (and a screen reader's) way to the messages
//! that the stage draws as moving shapes. Each opens in the inspector, where it can be dropped.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlDetailsElement;
use yew::prelude::*;

use crate::tr;

use crate::view::MessageView;

/// Most messages listed: more is a crowd to filter in the event log instead.
const LISTED: usize = 60;

/// The list's inputs.
#[derive(Properties, PartialEq)]
pub struct InFlightProps {
    pub messages: Rc<Vec<Rc<MessageView>>>,
    pub on_select: Callback<u64>,
}

/// The list, folded under its count. A component for one reason: folded (as it opens), it
/// builds no rows. Messages come and go by dozens a second, and rows nobody sees were, with the
/// page playing, about a tenth of its DOM changes.
#[component]
pub fn InFlight(props: &InFlightProps) -> Html {
    let open = use_state_eq(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            if let Some(details) = e.target().and_then(|t| t.dyn_into::<HtmlDetailsElement>().ok()) {
                open.set(details.open());
            }
        })
    };
    let count = props.messages.len();
    html! {
        <details class="in-flight" data-testid="in-flight" {ontoggle}>
            <summary>{ tr!("Messages in flight ({count})", count = count) }</summary>
            if *open {
                <ul>
                    { for props.messages.iter().take(LISTED).map(|m| {
                        let (id, cb) = (m.id, props.on_select.clone());
                        html! {
                            <li key={m.id}>
                                <button type="button" class="link" onclick={Callback::from(move |_: MouseEvent| cb.emit(id))}>
                                    { format!("m{} {}→{} {} {}", m.id, m.from, m.to, m.kind, m.label) }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
                if count > LISTED {
                    <p class="hint">{ tr!("and {n} more", n = count - LISTED) }</p>
                }
            }
        </details>
    }
}

//! The messages in flight as a list: the keyboard's (and a screen reader's) way to the messages
//! that the stage draws as moving shapes. Each opens in the inspector, where it can be dropped.

use std::rc::Rc;

use yew::prelude::*;

use crate::view::MessageView;

/// Most messages listed: more is a crowd to filter in the event log instead.
const LISTED: usize = 60;

#[derive(Properties, PartialEq)]
pub struct InFlightProps {
    pub messages: Rc<Vec<Rc<MessageView>>>,
    pub on_select: Callback<u64>,
}

#[component]
pub fn InFlight(props: &InFlightProps) -> Html {
    // The list is only built while open: it changes with every event.
    let open = use_state(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            if let Some(details) = e.target_dyn_into::<web_sys::HtmlDetailsElement>() {
                open.set(details.open());
            }
        })
    };
    let count = props.messages.len();
    html! {
        <details class="in-flight" {ontoggle} data-testid="in-flight">
            <summary>{ format!("Messages in flight ({count})") }</summary>
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
                    <p class="hint">{ format!("and {} more", count - LISTED) }</p>
                }
            }
        </details>
    }
}

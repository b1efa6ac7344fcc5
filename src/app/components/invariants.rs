//! Each safety invariant, green while it holds, red with its explanation once broken.

use std::rc::Rc;

use yew::prelude::*;

use crate::sim::time::AsMs;
use crate::view::InvariantView;

pub struct InvariantsProps {
    pub invariants: Rc<Vec<InvariantView>>,
}

pub fn invariants(props: &InvariantsProps) -> Html {
    html! {
        <section class="invariants" aria-label="Invariants">
            <h2>{ "Invariants" }</h2>
            <ul>
                { for props.invariants.iter().map(|inv| {
                    let ok = inv.violation.is_none();
                    html! {
                        <li key={inv.name} class={if ok { "ok" } else { "broken" }} title={inv.statement}>
                            <span class="icon" aria-hidden="true">{ if ok { "✓" } else { "✗" } }</span>
                            <strong>{ inv.name }</strong>
                            { if ok { " holds" } else { " BROKEN" } }
                            if let Some(v) = &inv.violation {
                                <p class="detail">{ format!("event {} at {} ms: {}", v.event, AsMs(v.at_us), v.detail) }</p>
                            } else {
                                <p class="statement">{ inv.statement }</p>
                            }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

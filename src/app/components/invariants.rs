//! Each safety invariant, green while it holds, red with its explanation once broken.

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;

use crate::sim::time::AsMs;
use crate::view::InvariantView;

pub struct InvariantsProps {
    pub invariants: Rc<Vec<InvariantView>>,
}

pub fn invariants(props: &InvariantsProps) -> Html {
    html! {
        <section class="invariants" aria-label={tr!("Invariants")}>
            <h2>{ tr!("Invariants") }</h2>
            <ul>
                { for props.invariants.iter().map(|inv| {
                    let ok = inv.violation.is_none();
                    html! {
                        <li key={inv.name} class={if ok { "ok" } else { "broken" }} title={crate::view::i18n::tr(inv.statement)}>
                            <span class="icon" aria-hidden="true">{ if ok { "✓" } else { "✗" } }</span>
                            <strong>{ crate::view::i18n::tr(inv.name) }</strong>
                            { if ok { tr!(" holds") } else { tr!(" BROKEN") } }
                            if let Some(v) = &inv.violation {
                                <p class="detail">{ tr!("event {n} at {ms} ms: {detail}", n = v.event, ms = AsMs(v.at_us), detail = crate::view::i18n::detail(&v.detail)) }</p>
                            } else {
                                <p class="statement">{ crate::view::i18n::tr(inv.statement) }</p>
                            }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

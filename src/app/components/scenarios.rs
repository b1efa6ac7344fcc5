//! The picker of shipped scenarios, in the top bar: this page's family first, then the others
//! (choosing one of those is choosing to go to its page), each by its guide's title. Choosing
//! one loads it and plays it from the start; Reset does the same for the current one.

use yew::prelude::*;

use crate::tr;

use crate::view::family::{FAMILIES, here};
use crate::view::shipped::SHIPPED;

/// The picker's inputs.
#[derive(Properties, PartialEq)]
pub struct ScenariosProps {
    /// The loaded scenario's file name (the picker's value).
    pub current: String,
    /// Loads a shipped scenario by file name.
    pub on_load: Callback<String>,
}

/// The scenario picker and its Reset button.
#[component]
pub fn Scenarios(props: &ScenariosProps) -> Html {
    // This page's own scenarios first: a person who opened the Raft page is choosing among
    // Raft's; the other families' follow, each under its name.
    let families = std::iter::once(here()).chain(FAMILIES.iter().filter(|f| *f != here()));
    let groups = families.map(|f| (crate::view::i18n::tr(f.title), SHIPPED.iter().filter(move |s| f.runs(s.protocol))));
    let onchange = {
        let cb = props.on_load.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                cb.emit(select.value());
            }
        })
    };
    let reload = {
        let cb = props.on_load.clone();
        let current = props.current.to_string();
        Callback::from(move |_: MouseEvent| cb.emit(current.clone()))
    };
    html! {
        <div class="scenarios" role="group" aria-label={tr!("Scenario")}>
            <span class="select">
                <select aria-label={tr!("Scenario")} title={tr!("Scenario")} {onchange}>
                    { for groups.map(|(family, shipped)| html! {
                        <optgroup key={family} label={family}>
                            { for shipped.map(|s| html! {
                                <option key={s.name} value={s.name} selected={s.name == props.current.as_str()}>{ crate::view::i18n::tr(s.title) }</option>
                            }) }
                        </optgroup>
                    }) }
                </select>
            </span>
            <button type="button" class="icon" aria-label={tr!("Reset")} title={tr!("Start the scenario over")} onclick={reload}>{ "↺" }</button>
        </div>
    }
}

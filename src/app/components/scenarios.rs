//! The picker of shipped scenarios; choosing one loads it and starts over.

use yew::prelude::*;

use crate::view::SCENARIOS;

#[derive(Properties, PartialEq)]
pub struct ScenariosProps {
    pub current: AttrValue,
    pub description: AttrValue,
    pub on_load: Callback<String>,
}

#[component]
pub fn Scenarios(props: &ScenariosProps) -> Html {
    let onchange = {
        let cb = props.on_load.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                cb.emit(select.value());
            }
        })
    };
    let reload = { let cb = props.on_load.clone(); let current = props.current.to_string(); Callback::from(move |_: MouseEvent| cb.emit(current.clone())) };
    html! {
        <section class="scenarios" aria-label="Scenario">
            <label>
                <span>{ "Scenario " }</span>
                <select aria-label="Scenario" {onchange}>
                    { for SCENARIOS.iter().map(|(name, _)| html! {
                        <option key={*name} value={*name} selected={*name == props.current.as_str()}>{ name.trim_end_matches(".json") }</option>
                    }) }
                </select>
            </label>
            <button type="button" class="secondary" aria-label="Reset" onclick={reload}>{ "Reset" }</button>
            <p class="description">{ props.description.clone() }</p>
        </section>
    }
}

//! Panels as tabs: an embed beside its stage shows the panels its address names one at a time,
//! so that any number of them fits a small iframe without pushing the stage out of it.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TabsProps {
    /// (key, label) of each panel, in the children's order.
    pub panels: Vec<(&'static str, &'static str)>,
    /// One child per panel.
    pub children: Children,
}

#[component]
pub fn Tabs(props: &TabsProps) -> Html {
    let active = use_state_eq(|| 0usize);
    let current = (*active).min(props.panels.len().saturating_sub(1));
    if props.panels.len() == 1 {
        return html! { <div class="tab-panel single">{ props.children.clone() }</div> };
    }
    html! {
        <div class="tabs">
            <div class="tab-list" role="tablist" aria-label="Panels">
                { for props.panels.iter().enumerate().map(|(i, (key, label))| {
                    let active = active.clone();
                    html! {
                        <button key={*key} type="button" role="tab" id={format!("tab-{key}")} aria-selected={(i == current).to_string()}
                            aria-controls={format!("tab-panel-{key}")} tabindex={if i == current { "0" } else { "-1" }}
                            onclick={Callback::from(move |_: MouseEvent| active.set(i))}>{ *label }</button>
                    }
                }) }
            </div>
            { for props.children.iter().zip(&props.panels).enumerate().filter(|(i, _)| *i == current).map(|(_, (child, (key, _)))| html! {
                <div class="tab-panel" role="tabpanel" id={format!("tab-panel-{key}")} aria-labelledby={format!("tab-{key}")}>{ child }</div>
            }) }
        </div>
    }
}

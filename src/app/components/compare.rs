//! Compare mode's controls and figures: a choice of run to set beside the current one (the
//! same run under another protocol or seed), and, while comparing, the two runs' figures side
//! by side (messages, commits, latency), refreshed with the read panels.

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;

pub struct CompareProps {
    /// What can be set beside the run.
    pub choices: Rc<Vec<String>>,
    /// The twin's label while comparing.
    pub comparing: Option<String>,
    /// The current run's name for the table's heading.
    pub current: String,
    /// (figure, this run, the twin).
    pub metrics: Rc<Vec<(&'static str, String, String)>>,
    /// A choice by index, or none to stop.
    pub on_compare: Callback<Option<usize>>,
}

pub fn compare(props: &CompareProps) -> Html {
    let onchange = {
        let cb = props.on_compare.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                cb.emit(select.value().parse::<usize>().ok());
            }
        })
    };
    let selected = props.comparing.as_ref().and_then(|l| props.choices.iter().position(|c| c == l.as_str()));
    html! {
        <section class="compare" aria-label={tr!("Compare")} data-testid="compare">
            <label>
                <span>{ tr!("Compare with ") }</span>
                <select aria-label={tr!("Compare with")} {onchange}>
                    <option value="" selected={selected.is_none()}>{ tr!("nothing") }</option>
                    { for props.choices.iter().enumerate().map(|(i, label)| html! {
                        <option value={i.to_string()} selected={selected == Some(i)}>{ label.clone() }</option>
                    }) }
                </select>
            </label>
            if let Some(twin) = &props.comparing {
                <p class="hint">{ tr!("Both runs share the clock; crashes, partitions and requests you give apply to both.") }</p>
                <table class="metrics" data-testid="compare-metrics">
                    <thead>
                        <tr><th scope="col"></th><th scope="col">{ props.current.clone() }</th><th scope="col">{ twin.clone() }</th></tr>
                    </thead>
                    <tbody>
                        { for props.metrics.iter().map(|(name, a, b)| html! {
                            <tr key={*name}><th scope="row">{ crate::view::i18n::tr(name) }</th><td>{ a }</td><td>{ b }</td></tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

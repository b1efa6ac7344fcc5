//! The picker of shipped scenarios (choosing one loads it and starts over) and the scenario's
//! guide: its title, what to watch, and the step that fits the virtual clock, with Previous and
//! Next to read ahead or back. A scenario without a guide shows its description instead.

use std::rc::Rc;

use yew::prelude::*;

use crate::scenario::guide::Guide;
use crate::sim::Micros;
use crate::view::family::FAMILIES;
use crate::view::shipped::SHIPPED;

/// The picker's and the guide panel's inputs.
#[derive(Properties, PartialEq)]
pub struct ScenariosProps {
    /// The loaded scenario's file name (the picker's value).
    pub current: AttrValue,
    /// The loaded scenario's guide, if it has one.
    #[prop_or_default]
    pub guide: Rc<Option<Guide>>,
    /// The loaded scenario's description (shown when there is no guide).
    pub description: AttrValue,
    /// Virtual time: picks the guide's step.
    #[prop_or_default]
    pub now_us: Micros,
    /// Loads a shipped scenario by file name.
    pub on_load: Callback<String>,
}

/// The scenario picker and guide panel.
#[component]
pub fn Scenarios(props: &ScenariosProps) -> Html {
    // A scenario of another family opens that family's page (see `crate::view::family`).
    let groups = FAMILIES.iter().map(|f| (f.title, SHIPPED.iter().filter(move |s| f.protocols.contains(&s.protocol))));
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
        <section class="scenarios" aria-label="Scenario">
            <label>
                <span>{ "Scenario " }</span>
                <select aria-label="Scenario" {onchange}>
                    { for groups.map(|(family, shipped)| html! {
                        <optgroup key={family} label={family}>
                            { for shipped.map(|s| html! {
                                <option key={s.name} value={s.name} selected={s.name == props.current.as_str()}>{ s.title }</option>
                            }) }
                        </optgroup>
                    }) }
                </select>
            </label>
            <button type="button" class="secondary" aria-label="Reset" onclick={reload}>{ "Reset" }</button>
            if let Some(guide) = props.guide.as_ref() {
                <GuidePanel guide={props.guide.clone()} scenario={props.current.clone()} auto_step={guide.step_at(props.now_us)} description={props.description.clone()} />
            } else {
                <p class="description">{ props.description.clone() }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct GuidePanelProps {
    /// Always `Some` here; kept as the parent's `Rc` so comparing props is cheap.
    guide: Rc<Option<Guide>>,
    scenario: AttrValue,
    /// The step the clock points at.
    auto_step: usize,
    description: AttrValue,
}

/// The guide itself. It re-renders only when the clock crosses a step boundary (its props carry
/// the step index, not the time), not on every frame.
#[component]
fn GuidePanel(props: &GuidePanelProps) -> Html {
    // Where Previous/Next took the reader; forgotten once the clock reaches another step or
    // another scenario loads, so the guide follows the run again.
    let manual = use_state_eq(|| None::<usize>);
    {
        let manual = manual.clone();
        use_effect_with((props.auto_step, props.scenario.clone()), move |_| manual.set(None));
    }
    let Some(guide) = props.guide.as_ref() else { return html! {} };
    let count = guide.steps.len();
    let Some(last) = count.checked_sub(1) else { return html! {} };
    let shown = (*manual).unwrap_or(props.auto_step).min(last);
    let go = |to: usize| {
        let manual = manual.clone();
        Callback::from(move |_: MouseEvent| manual.set(Some(to)))
    };
    let text = guide.steps.get(shown).map(|s| s.text.clone()).unwrap_or_default();
    html! {
        <div class="guide" data-testid="guide">
            <h2 class="guide-title">{ guide.title.clone() }</h2>
            <p class="guide-watch"><strong>{ "What to watch: " }</strong>{ guide.watch.clone() }</p>
            <div class="guide-step" data-testid="guide-step">
                <span class="guide-count">{ format!("Step {} of {count}", shown + 1) }</span>
                <p role="status" aria-live="polite">{ text }</p>
                <span class="guide-nav">
                    <button type="button" class="secondary" aria-label="Previous step" disabled={shown == 0} onclick={go(shown.saturating_sub(1))}>{ "‹ Previous" }</button>
                    <button type="button" class="secondary" aria-label="Next step" disabled={shown == last} onclick={go((shown + 1).min(last))}>{ "Next ›" }</button>
                </span>
            </div>
            if !props.description.is_empty() {
                <details class="description">
                    <summary>{ "About this scenario" }</summary>
                    <p>{ props.description.clone() }</p>
                </details>
            }
        </div>
    }
}

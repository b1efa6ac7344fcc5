//! The scenario's guide beside the stage: its title, what to watch, and the step that holds the
//! run's clock. Previous, Next and the step dots move the run to a step's moment (time travel):
//! the step shown always follows the clock, so the buttons and a playing run never disagree.
//! A scenario without a guide shows its description.

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;

use crate::scenario::guide::Guide;

/// What the guide card shows.
pub struct GuidePanelProps {
    /// The loaded scenario's guide, if it has one.
    pub guide: Rc<Option<Guide>>,
    /// Its description ("About this scenario").
    pub description: AttrValue,
    /// The step the run's clock is in (see [`Guide::step_at`]).
    pub step: usize,
    /// Move the run to the start of this step.
    pub on_step: Callback<usize>,
}

/// The guide card: a plain function rather than a component (the page renders only when what
/// it shows changed, and a component's machinery costs the download more than it saves).
pub fn guide_panel(props: &GuidePanelProps) -> Html {
    let Some(guide) = props.guide.as_ref() else {
        return html! {
            <section class="guide card" aria-label={tr!("About this scenario")} data-testid="guide">
                <p class="description">{ props.description.clone() }</p>
            </section>
        };
    };
    let count = guide.steps.len();
    let Some(last) = count.checked_sub(1) else {
        return html! {};
    };
    let shown = props.step.min(last);
    let go = |to: usize| {
        let cb = props.on_step.clone();
        Callback::from(move |_: MouseEvent| cb.emit(to))
    };
    let text = guide.steps.get(shown).map(|s| s.text.clone()).unwrap_or_default();
    html! {
        <section class="guide card" aria-label={tr!("Guide")} data-testid="guide">
            <h2 class="guide-title">{ guide.title.clone() }</h2>
            <p class="guide-watch"><span class="label">{ tr!("What to watch") }</span>{ guide.watch.clone() }</p>
            <div class="guide-step" data-testid="guide-step">
                <p class="guide-text" role="status" aria-live="polite">{ text }</p>
                <nav class="guide-nav" aria-label={tr!("Guide steps")}>
                    <button type="button" class="icon" aria-label={tr!("Previous step")} title={tr!("Go to the previous step's moment")} disabled={shown == 0} onclick={go(shown.saturating_sub(1))}>{ "‹" }</button>
                    <ol class="guide-dots">
                        { for (0..count).map(|i| html! {
                            <li key={i}>
                                <button type="button" class={classes!("dot", (i == shown).then_some("current"), (i < shown).then_some("done"))}
                                    aria-label={tr!("Step {i} of {count}", i = i + 1, count = count)} aria-current={(i == shown).then_some("step")} onclick={go(i)}></button>
                            </li>
                        }) }
                    </ol>
                    <span class="guide-count">{ tr!("Step {i} of {count}", i = shown + 1, count = count) }</span>
                    <button type="button" class="icon" aria-label={tr!("Next step")} title={tr!("Go to the next step's moment")} disabled={shown == last} onclick={go((shown + 1).min(last))}>{ "›" }</button>
                </nav>
            </div>
            if !props.description.is_empty() {
                <details class="description">
                    <summary>{ tr!("About this scenario") }</summary>
                    <p>{ props.description.clone() }</p>
                </details>
            }
        </section>
    }
}

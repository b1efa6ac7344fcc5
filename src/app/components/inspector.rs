//! The inspector: a server's full state or a message's full content (an
//! [`Inspection`](crate::view::inspect::Inspection) built natively), as titled definition lists
//! with each field's hint both as a tooltip and as small text, since tooltips never reach touch
//! screens or keyboard users. The actions on what it shows open under the stage
//! ([`super::stage_menu`]).

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;
use crate::view::i18n::tr;
use crate::view::inspect::{Field, Inspection};

pub struct InspectorProps {
    /// What to show; rebuilt by the owner when the run moves.
    pub inspection: Rc<Inspection>,
    /// The close button.
    pub on_close: Callback<()>,
}

fn field(f: &Field) -> Html {
    html! {
        <div class="field" title={tr(f.hint)}>
            <dt>{ tr(f.name) }</dt>
            <dd>
                <span class="value">{ &f.value }</span>
                <span class="field-hint">{ tr(f.hint) }</span>
            </dd>
        </div>
    }
}

pub fn inspector(props: &InspectorProps) -> Html {
    let i = &props.inspection;
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let committed = i.entries_committed.min(i.entries.len());
    html! {
        <section class="inspector" data-testid="inspector" aria-label={tr!("Inspector: {what}", what = i.title)}>
            <header class="inspector-head">
                <h2>{ &i.title }</h2>
                <button type="button" class="secondary inspector-close" aria-label={tr!("Close inspector")} onclick={close}>{ "✕" }</button>
            </header>
            { for i.sections.iter().map(|(title, fields)| html! {
                <div class="inspector-section" key={*title}>
                    <h3>{ tr(title) }</h3>
                    <dl>{ for fields.iter().map(field) }</dl>
                </div>
            }) }
            if !i.entries.is_empty() {
                <div class="inspector-section">
                    <h3>
                        { tr(i.entries_title) }
                        if committed > 0 {
                            <span class="entries-note">{ " · " }{ tr!("✓ {n} committed", n = committed) }</span>
                        }
                    </h3>
                    <div class="inspector-entries" tabindex="0" role="region" aria-label={tr!("{what}, scrollable", what = tr(i.entries_title))}>
                        <ol>
                            { for i.entries.iter().enumerate().map(|(n, line)| {
                                let done = n < committed;
                                html! {
                                    <li key={n} class={classes!(done.then_some("committed"))}>
                                        <span class="entry">{ line }</span>
                                        if done {
                                            <span class="mark" aria-hidden="true">{ "✓" }</span>
                                            <span class="visually-hidden">{ tr!(" (committed)") }</span>
                                        }
                                    </li>
                                }
                            }) }
                        </ol>
                    </div>
                </div>
            }
        </section>
    }
}

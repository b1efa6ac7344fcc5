//! The keyboard shortcuts, as a modal dialog: focus moves to its close button when it opens
//! and back where it was when it closes; Escape, the close button or a click outside close it.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::{tr, tr_key};

#[derive(Properties, PartialEq)]
pub struct ShortcutsProps {
    /// Whether the dialog is shown.
    pub open: bool,
    /// Close it (Escape, the close button, a click outside).
    pub on_close: Callback<()>,
}

/// Each shortcut: its keys, as shown, and what it does.
const SHORTCUTS: [(&[&str], &str); 8] = [
    (&[tr_key!("Space")], tr_key!("play or pause")),
    (&["←", "→"], tr_key!("step back / step forward one event")),
    (&["+", "−"], tr_key!("speed up / slow down")),
    (&["c"], tr_key!("client request, to the selected server (else the leader)")),
    (&["1", "…", "9"], tr_key!("select server S1 … S9")),
    (&["0"], tr_key!("select server S10")),
    (&["Esc"], tr_key!("close the menu, inspector or dialog")),
    (&["?"], tr_key!("this help")),
];

#[component]
pub fn Shortcuts(props: &ShortcutsProps) -> Html {
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with(props.open, move |&open| {
            let previous = if open {
                let previous = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
                if let Some(button) = close_ref.cast::<web_sys::HtmlElement>() {
                    let _ = button.focus();
                }
                previous
            } else {
                None
            };
            // A keyboard user goes on from where they asked for help.
            move || {
                if let Some(el) = previous.and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            }
        });
    }
    if !props.open {
        return html! {};
    }
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let onkeydown = {
        let cb = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Escape" => {
                // Handled here: the page's own Escape (closing a menu) must not fire too.
                e.prevent_default();
                e.stop_propagation();
                cb.emit(());
            }
            // The close button is the one focusable thing inside, so keeping Tab on it is the
            // whole focus trap a modal needs.
            "Tab" => e.prevent_default(),
            _ => {}
        })
    };
    html! {
        <>
            <div class="shortcuts-backdrop" onclick={close.clone()}></div>
            <div class="shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" data-testid="shortcuts" {onkeydown}>
                <div class="shortcuts-head">
                    <h2 id="shortcuts-title">{ tr!("Keyboard shortcuts") }</h2>
                    <button type="button" class="secondary shortcuts-close" aria-label={tr!("Close shortcuts")} ref={close_ref} onclick={close}>{ "✕" }</button>
                </div>
                <dl>
                    { for SHORTCUTS.iter().map(|(keys, what)| html! {
                        <div class="shortcut" key={*what}>
                            <dt>{ for keys.iter().map(|k| if *k == "…" { html! { <span class="sep">{ "–" }</span> } } else { html! { <kbd>{ crate::view::i18n::tr(k) }</kbd> } }) }</dt>
                            <dd>{ crate::view::i18n::tr(what) }</dd>
                        </div>
                    }) }
                </dl>
                <p class="hint">{ tr!("Keys typed into a field stay with the field.") }</p>
            </div>
        </>
    }
}

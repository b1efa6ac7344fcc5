//! Keyboard shortcuts for the whole page (the `?` dialog lists them). A key typed into a
//! control stays with the control, and a key a control already handled (a server's Enter) is
//! left alone.

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::state::{LabAction, LabState, Selected};

/// The action a key stands for, if any.
fn action_for(key: &str) -> Option<LabAction> {
    Some(match key {
        " " => LabAction::TogglePlay,
        "ArrowRight" => LabAction::StepForward,
        "ArrowLeft" => LabAction::StepBack,
        "+" | "=" => LabAction::SpeedStep(1),
        "-" | "_" => LabAction::SpeedStep(-1),
        "c" | "C" => LabAction::ClientRequest,
        "?" => LabAction::Help(true),
        "Escape" => LabAction::Dismiss,
        "0" => LabAction::Select(Some(Selected::Node(10))),
        d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() => LabAction::Select(Some(Selected::Node(u32::from(d.as_bytes()[0] - b'0')))),
        _ => return None,
    })
}

/// Listens for the shortcuts on the document while the component lives.
#[hook]
pub fn use_shortcuts(dispatcher: UseReducerDispatcher<LabState>) {
    use_effect_with((), move |_| {
        let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&doc, "keydown", options, move |event| {
                let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if event.default_prevented() || event.ctrl_key() || event.meta_key() || event.alt_key() {
                    return;
                }
                let tag = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map(|e| e.tag_name().to_ascii_uppercase()).unwrap_or_default();
                let key = event.key();
                // Escape still closes things from inside a control; other keys belong to a text
                // field or list, and space to a button (which it presses).
                let owned = match tag.as_str() {
                    "INPUT" | "SELECT" | "TEXTAREA" => key != "Escape",
                    "BUTTON" | "SUMMARY" => key == " ",
                    _ => false,
                };
                if owned {
                    return;
                }
                let Some(action) = action_for(&key) else {
                    return;
                };
                event.prevent_default();
                dispatcher.dispatch(action);
            })
        });
        move || drop(listener)
    });
}

//! The browser app (wasm only): mounted by the `distlab-web` binary, which trunk builds.
//!
//! The Raft lab: a shipped scenario runs in the deterministic simulator, drawn as servers on a
//! ring with their messages in flight; the clock follows wall time × speed through
//! `requestAnimationFrame`, and the run can be paused, stepped, stepped back, and disturbed
//! (crash, pause, time out, client requests). The state and its typed actions are in [`state`];
//! the components under [`components`] only draw and send actions. What they draw is computed
//! natively testable in [`crate::view`].

pub mod components;
pub mod state;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{AnimationFrame, request_animation_frame};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use components::controls::Controls;
use components::event_log::EventLog;
use components::invariants::Invariants;
use components::log_view::LogView;
use components::node_menu::NodeMenu;
use components::scenarios::Scenarios;
use components::stage::Stage;
use state::{DEFAULT_SCENARIO, LabAction, LabState};

use crate::view::geometry::virtual_advance_us;

/// The id of the element the panic hook adds; the browser tests look for it.
const PANIC_OVERLAY_ID: &str = "panic-overlay";

/// Opening the page with this URL fragment panics at start-up, so the browser tests can check
/// that a panic shows the error overlay rather than a dead page.
const PANIC_SELF_TEST_HASH: &str = "#panic-self-test";

/// A frame longer than this (a background tab, a debugger stop) counts as this long, so the
/// clock never jumps far ahead.
const MAX_FRAME_MS: f64 = 100.0;

/// Installs the panic hook, then mounts the app on `<body>`.
pub fn start() {
    install_panic_hook();
    if location_hash().as_deref() == Some(PANIC_SELF_TEST_HASH) {
        panic!("panic self-test requested by the URL fragment {PANIC_SELF_TEST_HASH}");
    }
    yew::Renderer::<App>::new().render();
}

#[component]
fn App() -> Html {
    let lab = use_reducer(LabState::default);
    let frame: Rc<RefCell<Option<AnimationFrame>>> = use_mut_ref(|| None);
    let last_ts: Rc<Cell<Option<f64>>> = use_memo((), |_| Cell::new(None));

    // The frame loop: while playing, each render asks for the next frame, whose callback
    // advances the clock by the elapsed wall time × speed (the boids example's pattern).
    {
        let dispatcher = lab.dispatcher();
        let frame = frame.clone();
        let last_ts = last_ts.clone();
        use_effect_with((lab.playing, lab.frames, lab.speed.to_bits()), move |&(playing, _, speed_bits)| {
            if playing {
                let speed = f64::from_bits(speed_bits);
                *frame.borrow_mut() = Some(request_animation_frame(move |ts| {
                    let dt_ms = last_ts.get().map_or(0.0, |last| (ts - last).min(MAX_FRAME_MS));
                    last_ts.set(Some(ts));
                    dispatcher.dispatch(LabAction::Tick(virtual_advance_us(dt_ms, speed, u64::MAX)));
                }));
            } else {
                *frame.borrow_mut() = None;
                last_ts.set(None);
            }
        });
    }

    // Keyboard: space plays or pauses, arrows step. Keys typed into a control stay with it.
    {
        let dispatcher = lab.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
                let options = EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&doc, "keydown", options, move |event| {
                    let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                    // A control that handled the key (a server's Enter/space) prevented its default.
                    if event.default_prevented() || event.ctrl_key() || event.meta_key() || event.alt_key() {
                        return;
                    }
                    let tag = event
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .map(|e| e.tag_name().to_ascii_uppercase())
                        .unwrap_or_default();
                    if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON") {
                        return;
                    }
                    let action = match event.key().as_str() {
                        " " => LabAction::TogglePlay,
                        "ArrowRight" => LabAction::StepForward,
                        "ArrowLeft" => LabAction::StepBack,
                        _ => return,
                    };
                    event.prevent_default();
                    dispatcher.dispatch(action);
                })
            });
            move || drop(listener)
        });
    }

    let d = lab.dispatcher();
    let on_toggle = { let d = d.clone(); Callback::from(move |()| d.dispatch(LabAction::TogglePlay)) };
    let on_step = { let d = d.clone(); Callback::from(move |()| d.dispatch(LabAction::StepForward)) };
    let on_step_back = { let d = d.clone(); Callback::from(move |()| d.dispatch(LabAction::StepBack)) };
    let on_speed = { let d = d.clone(); Callback::from(move |s| d.dispatch(LabAction::SetSpeed(s))) };
    let on_select = { let d = d.clone(); let selected = lab.selected; Callback::from(move |id| d.dispatch(LabAction::Select(if selected == Some(id) { None } else { Some(id) }))) };
    let on_command = { let d = d.clone(); Callback::from(move |(id, c)| d.dispatch(LabAction::NodeAction(id, c))) };
    let on_close = { let d = d.clone(); Callback::from(move |()| d.dispatch(LabAction::Select(None))) };
    let on_drop = { let d = d.clone(); Callback::from(move |id| d.dispatch(LabAction::DropMessage(id))) };
    let on_load = { let d = d.clone(); Callback::from(move |name| d.dispatch(LabAction::LoadScenario(name))) };
    let run_demo = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            d.dispatch(LabAction::LoadScenario(DEFAULT_SCENARIO.to_string()));
            d.dispatch(LabAction::Play);
        })
    };
    let selected = lab.selected.and_then(|id| lab.nodes.iter().find(|n| n.id == id).cloned());
    let status = if core_loaded() { "core loaded" } else { "core self-check failed" };
    let violated = lab.invariants.iter().any(|i| i.violation.is_some());
    let highlight = Rc::new(lab.invariants.iter().filter_map(|i| i.violation.as_ref()).flat_map(|v| v.nodes.iter().copied()).collect::<Vec<_>>());

    html! {
        <main class="lab">
            <header class="lab-header">
                <h1 data-testid="title">{ "distlab" }</h1>
                <p class="lede">{ "Raft, running for real in a deterministic network simulator. Click a server to crash, pause or poke it." }</p>
                <button type="button" data-testid="run-demo" onclick={run_demo}>{ "Run a Raft election" }</button>
                <p class="status" data-testid="status">{ status }</p>
            </header>
            <Scenarios current={AttrValue::from(lab.scenario.clone())} description={AttrValue::from(lab.description.clone())} {on_load} />
            if let Some(e) = &lab.error {
                <p class="error" role="status">{ e.clone() }</p>
            }
            <Controls playing={lab.playing} speed={lab.speed} now_us={lab.now_us} events={lab.events} {on_toggle} {on_step} {on_step_back} {on_speed} />
            if violated {
                <p class="violation-banner" role="status">{ "An invariant broke: the run stopped on the event that broke it." }</p>
            }
            <div class="lab-body">
                <div class="stage-wrap">
                    <Stage nodes={lab.nodes.clone()} messages={lab.messages.clone()} now_us={lab.now_us} selected={lab.selected} {highlight} {on_select} {on_drop} />
                    <Legend />
                </div>
                <aside class="side">
                    if let Some(node) = selected {
                        <NodeMenu {node} {on_command} {on_close} />
                    } else {
                        <p class="hint">{ "Click or tab to a server (Enter) for its menu. Space plays or pauses; ← and → step one event." }</p>
                    }
                    <Invariants invariants={lab.invariants.clone()} />
                </aside>
            </div>
            <LogView rows={lab.logs.clone()} />
            <EventLog lines={lab.log.clone()} />
        </main>
    }
}

#[component]
fn Legend() -> Html {
    html! {
        <ul class="legend" aria-label="Legend">
            <li><span class="swatch leader"></span>{ "L leader" }</li>
            <li><span class="swatch candidate"></span>{ "C candidate" }</li>
            <li><span class="swatch follower"></span>{ "F follower" }</li>
            <li><span class="swatch down"></span>{ "✕ down, ❚❚ paused" }</li>
            <li><span class="swatch msg rv"></span>{ "RequestVote / reply (squares)" }</li>
            <li><span class="swatch msg ae"></span>{ "AppendEntries / reply (dots; pale = heartbeat)" }</li>
        </ul>
    }
}

/// Computes a known FNV-1a value with the simulator core: proof that the core is linked into
/// the wasm build and computes the same as natively.
fn core_loaded() -> bool {
    crate::sim::rng::fnv1a64(b"a") == 0xaf63_dc4c_8601_ec8c
}

fn location_hash() -> Option<String> {
    web_sys::window()?.location().hash().ok()
}

/// Like `console_error_panic_hook`, which it calls to log the panic to the console, and it also
/// shows the message in an overlay: a panic aborts the wasm instance, and the page would
/// otherwise stay frozen without a word.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_panic_overlay(&info.to_string());
    }));
}

fn show_panic_overlay(message: &str) {
    // A failure here must not panic again inside the hook: the overlay is then just left out.
    let _ = try_show_panic_overlay(message);
}

fn try_show_panic_overlay(message: &str) -> Result<(), wasm_bindgen::JsValue> {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return Ok(());
    };
    let Some(body) = document.body() else {
        return Ok(());
    };
    if document.get_element_by_id(PANIC_OVERLAY_ID).is_some() {
        return Ok(());
    }
    let overlay = document.create_element("div")?;
    overlay.set_id(PANIC_OVERLAY_ID);
    overlay.set_attribute("role", "alert")?;
    overlay.set_attribute("data-testid", PANIC_OVERLAY_ID)?;
    for (tag, text) in [
        ("h2", "distlab stopped after an internal error"),
        ("pre", message),
        (
            "p",
            "Reload the page to start again. The browser console has the details.",
        ),
    ] {
        let child = document.create_element(tag)?;
        child.set_text_content(Some(text));
        overlay.append_child(&child)?;
    }
    body.append_child(&overlay)?;
    Ok(())
}

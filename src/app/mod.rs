//! The browser app (wasm only): mounted by the `distlab-web` binary, which trunk builds.
//!
//! For now this is a placeholder page that shows the simulator core is linked into the wasm
//! build and starts. The lab UI (run a scenario, watch the messages, the timeline and the
//! invariants) arrives with the UI issue; the "Run a Raft election" button will then run the
//! built-in demo scenario of `crate::scenario`.

use yew::prelude::*;

/// The id of the element the panic hook adds; the browser tests look for it.
const PANIC_OVERLAY_ID: &str = "panic-overlay";

/// Opening the page with this URL fragment panics at start-up, so the browser tests can check
/// that a panic shows the error overlay rather than a dead page.
const PANIC_SELF_TEST_HASH: &str = "#panic-self-test";

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
    let status = if core_loaded() {
        "core loaded"
    } else {
        "core self-check failed"
    };
    html! {
        <main class="page">
            <h1 data-testid="title">{ "distlab" }</h1>
            <p class="lede">
                { "Real distributed-algorithm implementations in a deterministic network simulator, running in your browser." }
            </p>
            <button type="button" data-testid="run-demo" disabled=true
                    title="The interactive lab comes with the next release">
                { "Run a Raft election" }
            </button>
            <p class="status" data-testid="status">{ status }</p>
        </main>
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

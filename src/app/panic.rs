//! The panic hook: a panic aborts the wasm instance, so besides logging it to the console (as
//! `console_error_panic_hook` does) the hook shows the message in an overlay, and the page
//! never sits frozen without a word.

/// The id of the element the panic hook adds; the browser tests look for it.
pub const PANIC_OVERLAY_ID: &str = "panic-overlay";

/// Like `console_error_panic_hook`, which it calls to log the panic to the console, and it also
/// shows the message in an overlay: a panic aborts the wasm instance, and the page would
/// otherwise stay frozen without a word.
pub fn install_panic_hook() {
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
    for (tag, text) in [("h2", "distlab stopped after an internal error"), ("pre", message), ("p", "Reload the page to start again. The browser console has the details.")] {
        let child = document.create_element(tag)?;
        child.set_text_content(Some(text));
        overlay.append_child(&child)?;
    }
    body.append_child(&overlay)?;
    Ok(())
}

//! Files through the browser: a download made from text, the text of a file the person
//! picked, and a shipped scenario fetched from the server. What goes into them and what is read out is [`crate::view::files`], tested natively.

use wasm_bindgen::JsCast;

/// Offers `text` as a download named `name`. Returns an error message if the browser refused.
pub fn download(name: &str, text: &str, mime: &str) -> Result<(), String> {
    let fail = |what: &str| format!("Could not save {name}: {what}.");
    let window = web_sys::window().ok_or_else(|| fail("no window"))?;
    let document = window.document().ok_or_else(|| fail("no document"))?;
    let parts = js_sys_array(text);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| fail("the browser refused to make the file"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("the browser refused a download address"))?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|_| fail("no link element"))?.dyn_into().map_err(|_| fail("no link element"))?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

fn js_sys_array(text: &str) -> wasm_bindgen::JsValue {
    let array = js_sys::Array::new();
    array.push(&wasm_bindgen::JsValue::from_str(text));
    array.into()
}

thread_local! {
    static READER: std::cell::RefCell<Option<gloo::file::callbacks::FileReader>> = const { std::cell::RefCell::new(None) };
}

/// Files larger than this are refused before reading: no scenario or trace of the lab is near it.
pub const MAX_IMPORT_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Reads the first file of an `<input type=file>` and hands (name, text) or an error message to
/// `done`. The reader is kept alive until it finishes.
pub fn read_picked(input: &web_sys::HtmlInputElement, done: impl FnOnce(Result<(String, String), String>) + 'static) {
    let Some(file) = input.files().and_then(|list| list.get(0)) else {
        return;
    };
    let name = file.name();
    if file.size() > MAX_IMPORT_BYTES {
        done(Err(format!("{name} is {} MB; the lab reads files up to {} MB.", crate::num::fixed(file.size() / 1e6, 0), crate::num::fixed(MAX_IMPORT_BYTES / 1e6, 0))));
        return;
    }
    let file = gloo::file::File::from(file);
    let reader = gloo::file::callbacks::read_as_text(&file, move |result| {
        done(result.map(|text| (name.clone(), text)).map_err(|e| format!("Could not read {name}: {e}.")));
    });
    // A reader dropped early aborts its read, and one cannot be dropped from its own callback:
    // the latest is kept here until the next replaces it.
    READER.with(|slot| *slot.borrow_mut() = Some(reader));
    // Clear the input so picking the same file again fires `change` again.
    input.set_value("");
}

/// Fetches the text at `url` (relative to the page) and hands it to `done`, or why it could
/// not be had. A plain request with a load listener: the futures machinery a `fetch` needs
/// would weigh more on the download than this does.
pub fn fetch_text(url: &str, done: impl FnOnce(Result<String, String>) + 'static) {
    let failed = |what: &str| format!("{url}: {what}");
    let request = match web_sys::XmlHttpRequest::new() {
        Ok(r) => r,
        Err(_) => return done(Err(failed("the browser cannot make requests"))),
    };
    if request.open("GET", url).is_err() {
        return done(Err(failed("the address is not valid")));
    }
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let finish = {
        let (request, done, url) = (request.clone(), done.clone(), url.to_string());
        move |loaded: bool| {
            let Some(done) = done.borrow_mut().take() else {
                return;
            };
            let status = request.status().unwrap_or(0);
            done(match request.response_text() {
                Ok(Some(text)) if loaded && (200..300).contains(&status) => Ok(text),
                _ if loaded => Err(format!("{url}: the server answered {status}")),
                _ => Err(format!("{url}: the server could not be reached")),
            });
        }
    };
    let on_error = finish.clone();
    // The listeners live until they are heard: each is forgotten once, after it fired.
    gloo::events::EventListener::once(&request, "load", move |_| finish(true)).forget();
    gloo::events::EventListener::once(&request, "error", move |_| on_error(false)).forget();
    if request.send().is_err()
        && let Some(done) = done.borrow_mut().take()
    {
        done(Err(failed("the request could not be sent")));
    }
}

//! Links compressed by the browser: its `CompressionStream("deflate-raw")` deflates a link's
//! JSON ([`crate::view::share::payload`]), so the bundles carry no compressor of their own (see
//! the `link-deflate` feature). The browser answers later (a promise), so a link is handed over
//! once ready, and [`Newest`] drops one that was overtaken while it was being made.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// `bytes` as raw deflate: compressed by the browser, or, where it cannot (no
/// `CompressionStream`, or no `deflate-raw` in it, or it fails), as stored blocks: a longer
/// link, but one that opens all the same.
pub async fn deflate_raw(bytes: &[u8]) -> Vec<u8> {
    compress(bytes).await.unwrap_or_else(|_| crate::view::share::stored(bytes))
}

/// `new Response(new Response(bytes).body.pipeThrough(c)).arrayBuffer()`, with `c` a
/// `new CompressionStream("deflate-raw")`.
async fn compress(bytes: &[u8]) -> Result<Vec<u8>, JsValue> {
    let compressor = CompressionStream::new("deflate-raw")?;
    // A Response turns the bytes into a stream with fewer calls into JS than a Blob does
    // (web-sys asks for a mutable slice, which it copies).
    let body = web_sys::Response::new_with_opt_u8_array(Some(&mut bytes.to_vec()))?.body().ok_or(JsValue::NULL)?;
    // A CompressionStream is a transform stream: the pair of streams `pipeThrough` asks for.
    let compressed = body.pipe_through(compressor.unchecked_ref());
    let response = web_sys::Response::new_with_opt_readable_stream(Some(&compressed))?;
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

// Declared here rather than through web-sys, whose CompressionStream is behind its unstable
// APIs flag. A browser without it throws at the constructor, which `catch` turns into an error.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(extends = js_sys::Object)]
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;
}

/// Compresses a link's JSON in the background and hands `done` its fragment (without `#`).
pub fn pack(payload: String, done: impl FnOnce(String) + 'static) {
    spawn_pack(payload, Box::new(done));
}

// Not generic, so that the future is compiled once, not once per caller.
fn spawn_pack(payload: String, done: Box<dyn FnOnce(String)>) {
    wasm_bindgen_futures::spawn_local(async move { done(crate::view::share::fragment(&deflate_raw(payload.as_bytes()).await)) });
}

/// Makes links where only the newest one asked for counts: a link still being compressed when
/// a newer one is asked for, or when [`Newest::forget`] is called, is dropped, so an older
/// moment never lands after a newer one. Clones share their count.
#[derive(Clone, Default)]
pub struct Newest(Rc<Cell<u64>>);

impl Newest {
    /// Drops the link being made, if any: what it would show is gone.
    pub fn forget(&self) {
        self.0.set(self.0.get().wrapping_add(1));
    }

    /// Compresses `payload` and hands `done` its fragment, unless something newer was asked
    /// for meanwhile.
    pub fn pack(&self, payload: String, done: impl FnOnce(String) + 'static) {
        self.forget();
        let (asked, count) = (self.0.get(), self.0.clone());
        pack(payload, move |fragment| {
            if count.get() == asked {
                done(fragment);
            }
        });
    }
}

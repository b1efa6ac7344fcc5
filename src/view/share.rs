//! Links to an exact moment of a run: the scenario (with every action the person took, pinned
//! between events) and the moment, compressed into the URL fragment.
//!
//! `#run=<base64url(deflate(JSON))>` (raw deflate) where the JSON is
//! `{"v": 1, "name": "raft-election.json", "scenario": {...}, "at_event": 412}`. The scenario is
//! the whole file, not a reference to a shipped one: a link keeps working when the shipped
//! files change. A fragment never reaches a server, so a link can be as long as it needs to be;
//! deflate keeps a typical session to a few hundred characters.
//!
//! Making a link is split so that the browser can do the compressing: [`payload`] writes the
//! JSON, the page deflates it with the browser's `CompressionStream` (`crate::app`), and
//! [`fragment`] writes the result. Reading stays here, synchronous, with miniz_oxide's
//! inflater, which is small.
//!
//! Decoding is for input from anywhere (a link pasted into a chat, cut short, edited by hand):
//! every failure is a [`ShareError`] that says what is wrong in words a person can act on.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::scenario::Scenario;

/// The fragment's key: `#run=...`.
pub const FRAGMENT_KEY: &str = "run=";
/// The format version written into every link.
pub const VERSION: u64 = 1;
/// Largest decompressed payload accepted, so a crafted link cannot exhaust memory.
pub const MAX_PAYLOAD_BYTES: usize = 1 << 20;

/// A run as a link carries it.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedRun {
    /// The scenario's display name (a shipped file name, or the imported file's).
    pub name: String,
    /// The scenario, with the recorded actions in its schedule.
    pub scenario: Scenario,
    /// The moment: events processed.
    pub at_event: u64,
}

/// Why a link could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareError(pub String);

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShareError {}

fn err(message: impl Into<String>) -> ShareError {
    ShareError(message.into())
}

/// The JSON a link carries for a run: [`fragment`] once deflated.
pub fn payload(run: &SharedRun) -> String {
    // A link made in English leaves the guide's Chinese behind (half the link's length); one
    // made in Chinese keeps both, since it opens in Chinese (`lang=zh`) and the English is
    // what the scenario language requires.
    let mut scenario = run.scenario.clone();
    if crate::view::i18n::lang() == crate::view::i18n::Lang::En {
        scenario.description_zh = None;
        scenario.guide = scenario.guide.as_ref().map(|g| g.without_translations());
    }
    payload_value(&run.name, &scenario.to_value(), run.at_event)
}

/// The JSON a link carries for a scenario given as JSON, not parsed: for a build that cannot
/// parse it to hand it to one that can (see [`super::family`]).
pub fn payload_value(name: &str, scenario: &Value, at_event: u64) -> String {
    json!({ "v": VERSION, "name": name, "scenario": scenario, "at_event": at_event }).to_string()
}

/// The fragment (without `#`) for a payload deflated (raw deflate, no zlib header): by the
/// browser's `CompressionStream` in the web bundles, which carry no compressor of their own;
/// by [`stored`] where that is missing.
pub fn fragment(deflated: &[u8]) -> String {
    format!("{FRAGMENT_KEY}{}", base64url(deflated))
}

/// base64url without padding (RFC 4648 §5), as `URL_SAFE_NO_PAD.encode` writes it: written out
/// because the base64 crate's encoder, unrolled for speed, weighs more wasm than a link of a
/// few KB is worth (the decoder, which reading links needs, stays the crate's).
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let bits = chunk.iter().enumerate().fold(0u32, |bits, (i, &b)| bits | (u32::from(b) << (16 - 8 * i)));
        // n bytes give n + 1 characters of 6 bits each.
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((bits >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// `bytes` as a raw deflate stream of stored (uncompressed) blocks: a link as long as its JSON
/// in base64, but one every reader opens, for a browser that cannot compress.
pub fn stored(bytes: &[u8]) -> Vec<u8> {
    // A stored block holds at most 65535 bytes; an empty input still needs its one final block.
    let blocks: Vec<&[u8]> = if bytes.is_empty() { vec![bytes] } else { bytes.chunks(usize::from(u16::MAX)).collect() };
    let mut out = Vec::with_capacity(bytes.len() + 5 * blocks.len());
    for (i, block) in blocks.iter().enumerate() {
        // BFINAL in bit 0, BTYPE 00 (stored) in bits 1-2; the rest of the byte pads to the
        // byte boundary that LEN starts on.
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

/// The fragment (without `#`) for a run, compressed here: for native callers and the tests. The
/// web bundles are built without the `link-deflate` feature, so without miniz_oxide's
/// compressor (8.9 KB of the Raft page's wasm gzipped), and compress in the browser
/// ([`payload`], then [`fragment`]).
#[cfg(feature = "link-deflate")]
pub fn encode(run: &SharedRun) -> String {
    fragment(&deflate(&payload(run)))
}

/// The fragment (without `#`) for a scenario given as JSON, compressed here (see [`encode`]).
#[cfg(feature = "link-deflate")]
pub fn encode_value(name: &str, scenario: &Value, at_event: u64) -> String {
    fragment(&deflate(&payload_value(name, scenario, at_event)))
}

#[cfg(feature = "link-deflate")]
fn deflate(payload: &str) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(payload.as_bytes(), 9)
}

/// Whether a fragment (with or without `#`) is meant to be a run link, rather than empty or
/// something else.
pub fn is_run_link(fragment: &str) -> bool {
    fragment.trim_start_matches('#').starts_with(FRAGMENT_KEY)
}

/// The protocol a link's scenario names, read without parsing the scenario (which only a
/// build that runs the protocol can do).
pub fn peek_protocol(fragment: &str) -> Option<String> {
    let obj = unpack(fragment).ok()?;
    obj.get("scenario")?.get("protocol")?.as_str().map(str::to_string)
}

/// Reads a fragment (with or without the leading `#`).
pub fn decode(fragment: &str) -> Result<SharedRun, ShareError> {
    let obj = unpack(fragment)?;
    let name = match obj.get("name") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => return Err(err(crate::tr!("the link's \"name\" is not a non-empty string"))),
        None => crate::tr!("shared run").to_string(),
    };
    let scenario = obj.get("scenario").ok_or_else(|| err(crate::tr!("the link has no \"scenario\"")))?;
    let scenario = Scenario::from_value(scenario).map_err(|e| err(crate::tr!("the link's scenario: {e}", e = crate::view::i18n::scenario_error(&e))))?;
    let at_event = match obj.get("at_event") {
        Some(v) => v.as_u64().ok_or_else(|| err(crate::tr!("the link's \"at_event\" is not a whole number of events: {v}", v = v)))?,
        None => 0,
    };
    Ok(SharedRun { name, scenario, at_event })
}

/// The link's payload as a JSON object, its format version checked.
fn unpack(fragment: &str) -> Result<serde_json::Map<String, Value>, ShareError> {
    let body = fragment.trim_start_matches('#').strip_prefix(FRAGMENT_KEY).ok_or_else(|| err(crate::tr!("the link's fragment does not start with \"#{key}\"", key = FRAGMENT_KEY)))?;
    if body.is_empty() {
        return Err(err(crate::tr!("the link holds no run after \"#run=\" (was it cut short?)")));
    }
    if let Some((i, c)) = body.char_indices().find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
        return Err(err(crate::tr!(
            "the link's run data has a character that cannot be there, \"{c}\" (U+{code}) at position {i} (was the link edited?)",
            c = c,
            code = format!("{:04X}", c as u32),
            i = i
        )));
    }
    let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|e| err(crate::tr!("the link's run data is damaged ({e}); was the link cut short?", e = e)))?;
    let text = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_PAYLOAD_BYTES).map_err(|e| {
        if matches!(e.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput) {
            err(crate::tr!("the link's run data is larger than {kb} KB once unpacked", kb = MAX_PAYLOAD_BYTES / 1024))
        } else {
            err(crate::tr!("the link's run data does not unpack (was the link cut short?)"))
        }
    })?;
    let value: Value =
        serde_json::from_slice(&text).map_err(|e| err(crate::tr!("the link's run data is not valid JSON: {e}", e = crate::view::i18n::detail(&crate::scenario::ScenarioError::syntax_reason(&e)))))?;
    let Value::Object(obj) = value else {
        return Err(err(crate::tr!("the link's run data is not a JSON object")));
    };
    match obj.get("v").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(v) => {
            return Err(err(crate::tr!("the link was made by a distlab with link format {v}; this one reads format {ours}", v = v, ours = VERSION)));
        }
        None => return Err(err(crate::tr!("the link's run data has no format version \"v\""))),
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SharedRun {
        let name = "raft-figure8.json";
        let text = crate::view::shipped::text(name).expect("shipped");
        let mut scenario = Scenario::parse(&text, Some(name)).expect("parses");
        scenario.file = None;
        SharedRun { name: name.to_string(), scenario, at_event: 123 }
    }

    #[test]
    fn a_link_keeps_the_guides_chinese_only_when_made_in_chinese() {
        let run = sample();
        assert!(run.scenario.guide.as_ref().is_some_and(|g| g.title_zh.is_some()), "the sample has its Chinese");
        let english = decode(&encode(&run)).unwrap();
        assert!(english.scenario.guide.as_ref().is_some_and(|g| g.title_zh.is_none() && g.steps.iter().all(|s| s.text_zh.is_none())));
        assert_eq!(english.scenario.description_zh, None);
        crate::view::i18n::install(crate::view::i18n::Lang::Zh, Some(crate::view::i18n::Catalogue::default()));
        assert_eq!(decode(&encode(&run)), Ok(run));
    }

    #[test]
    fn a_run_survives_the_round_trip() {
        let mut run = sample();
        run.scenario.description_zh = None;
        run.scenario.guide = run.scenario.guide.map(|g| g.without_translations());
        let fragment = encode(&run);
        assert!(is_run_link(&fragment) && is_run_link(&format!("#{fragment}")));
        assert_eq!(decode(&format!("#{fragment}")), Ok(run.clone()));
        assert_eq!(decode(&fragment), Ok(run));
    }

    #[test]
    fn a_link_is_much_shorter_than_its_scenario() {
        let run = sample();
        let fragment = encode(&run);
        let json = run.scenario.to_json();
        assert!(fragment.len() * 2 < json.len() + 200, "{} chars for {} of JSON", fragment.len(), json.len());
    }

    #[test]
    fn damaged_links_say_what_is_wrong() {
        let fragment = encode(&sample());
        // Cut on a base64 quantum, so the text decodes and the deflate stream is what breaks.
        let cut = FRAGMENT_KEY.len() + (fragment.len() - FRAGMENT_KEY.len()) / 2 / 4 * 4;
        let cases = [("#other", "does not start with"), ("#run=", "holds no run"), ("#run=abc$def", "\"$\" (U+0024) at position 3"), (&fragment[..cut], "does not unpack"), ("#run=A", "damaged")];
        for (input, expected) in cases {
            let e = decode(input).expect_err(input);
            assert!(e.0.contains(expected), "{input}: {e}");
        }
    }

    #[test]
    fn well_packed_but_wrong_content_is_named() {
        let pack = |v: Value| format!("run={}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(v.to_string().as_bytes(), 6)));
        let pack_text = |s: &str| format!("run={}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(s.as_bytes(), 6)));
        let scenario = sample().scenario.to_value();
        let cases = [
            (pack_text("{not json"), "not valid JSON"),
            (pack(json!([1, 2])), "not a JSON object"),
            (pack(json!({"scenario": scenario})), "no format version"),
            (pack(json!({"v": 99, "scenario": scenario})), "link format 99"),
            (pack(json!({"v": 1})), "no \"scenario\""),
            (pack(json!({"v": 1, "scenario": {"protocol": "raft", "nodes": 99}})), "scenario: nodes"),
            (pack(json!({"v": 1, "scenario": scenario, "at_event": -4})), "not a whole number"),
        ];
        for (input, expected) in cases {
            let e = decode(&input).expect_err(expected);
            assert!(e.0.contains(expected), "{expected}: {e}");
        }
    }

    #[test]
    fn base64url_writes_what_the_base64_crate_writes() {
        let bytes: Vec<u8> = (0..300u32).map(|i| (i * 97 % 256) as u8).collect();
        for n in 0..bytes.len() {
            assert_eq!(base64url(&bytes[..n]), URL_SAFE_NO_PAD.encode(&bytes[..n]), "{n} bytes");
        }
    }

    #[test]
    fn stored_blocks_are_read_back_by_the_inflater() {
        let long: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for input in [&b""[..], b"{\"v\": 1}", &long[..65_535], &long[..65_536], &long] {
            let packed = stored(input);
            assert_eq!(packed.len(), input.len() + 5 * input.len().div_ceil(65_535).max(1), "{} bytes", input.len());
            assert_eq!(miniz_oxide::inflate::decompress_to_vec(&packed).ok().as_deref(), Some(input), "{} bytes", input.len());
        }
    }

    #[test]
    fn a_link_of_stored_blocks_opens_as_a_compressed_one_does() {
        let run = sample();
        let text = payload(&run);
        assert_eq!(decode(&fragment(&stored(text.as_bytes()))), decode(&encode(&run)));
    }

    #[test]
    fn a_bomb_is_refused() {
        let zeros = vec![b' '; MAX_PAYLOAD_BYTES + 10];
        let fragment = format!("run={}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&zeros, 9)));
        let e = decode(&fragment).expect_err("too large");
        assert!(e.0.contains("larger than"), "{e}");
    }
}

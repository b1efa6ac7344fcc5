//! Runs natively (`cargo test`) and in wasm (`cargo test --target wasm32-unknown-unknown`, run by
//! wasm-bindgen-test-runner in Node.js; see scripts/test.sh): the core computes the same in both.
//!
//! An integration test that can't run in wasm starts with `#![cfg(not(target_arch = "wasm32"))]`.

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn fnv1a64_matches_the_reference_value() {
    assert_eq!(distlab::sim::rng::fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
}

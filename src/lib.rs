//! distlab: real implementations of distributed algorithms inside a deterministic network
//! simulator. The core (`sim`, `protocols`, `scenario`) is plain Rust that runs the same natively
//! and in wasm; the browser app lives in `app` and only reads views and sends commands.

#[cfg(target_arch = "wasm32")]
pub mod app;
pub mod blanks;
pub mod num;
pub mod protocols;
pub mod scenario;
pub mod sim;
pub mod view;

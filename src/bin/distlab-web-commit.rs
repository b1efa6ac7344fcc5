//! The browser lab's atomic-commit page (2PC, 3PC; `?lab=commit`): trunk builds it to wasm with
//! only the `commit` feature (see index.html and `distlab::view::family`). Natively it only
//! points to the CLI.

#[cfg(target_arch = "wasm32")]
fn main() {
    distlab::app::start("commit");
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("{}", distlab::view::family::NATIVE_NOTICE);
    std::process::exit(2);
}

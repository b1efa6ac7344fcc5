//! The browser lab's Raft page (the default one): trunk builds it to wasm with only the `raft`
//! feature (see index.html and `distlab::view::family`). Natively it only points to the CLI.

#[cfg(target_arch = "wasm32")]
fn main() {
    distlab::app::start("raft");
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("{}", distlab::view::family::NATIVE_NOTICE);
    std::process::exit(2);
}

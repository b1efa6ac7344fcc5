//! The browser lab's load-balancing page (`?lab=balancer`): trunk builds it to wasm with only
//! the `balancer` feature (see index.html and `distlab::view::family`). Natively it only points
//! to the CLI.

#[cfg(target_arch = "wasm32")]
fn main() {
    distlab::app::start("balancer");
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("{}", distlab::view::family::NATIVE_NOTICE);
    std::process::exit(2);
}

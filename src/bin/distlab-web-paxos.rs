//! The browser lab's Paxos page (single-decree Paxos, Multi-Paxos; `?lab=paxos`): trunk builds
//! it to wasm with the `paxos` and `raft` features, Raft to compare with Multi-Paxos (see
//! index.html and `distlab::view::family`). Natively it only points to the CLI.

#[cfg(target_arch = "wasm32")]
fn main() {
    distlab::app::start("paxos");
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("{}", distlab::view::family::NATIVE_NOTICE);
    std::process::exit(2);
}

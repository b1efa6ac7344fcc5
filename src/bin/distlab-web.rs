//! The browser app's entry point: trunk builds it to wasm (see index.html and Trunk.toml).
//! Natively it does nothing but point to the CLI.

#[cfg(target_arch = "wasm32")]
fn main() {
    distlab::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "distlab-web is the browser app: serve it with `bash scripts/serve.sh` and open \
         http://127.0.0.1:8080. On the command line, use the CLI: `cargo run --bin distlab -- --help`."
    );
    std::process::exit(2);
}

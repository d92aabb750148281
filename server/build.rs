//! The browser app is embedded from `app/dist` (`web.rs`). A server compiled before Trunk first wrote it would keep
//! answering "not built" (rust-embed resolves the folder when it compiles), so it is compiled again whenever Trunk
//! writes the app.
fn main() {
    println!("cargo:rerun-if-changed=../app/dist");
}

//! Sets `IMAPLOAD_GIT_COMMIT` for `imapload --version` (see
//! `build/version.rs`).

use std::path::PathBuf;

#[path = "build/version.rs"]
mod version;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    version::emit(&root);
}

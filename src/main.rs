//! The `imapload` binary: everything lives in the library.

fn main() {
    std::process::exit(imapload::cli::main());
}

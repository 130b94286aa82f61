//! The `imapload` binary: everything lives in the library.

/// jemalloc hands freed pages back to the OS as they age (its decay
/// purging), so the RSS of an hours-long run follows what the run holds,
/// not the highest it ever held; glibc's arenas keep such pages.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    std::process::exit(imapload::cli::main());
}

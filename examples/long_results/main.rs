//! Writes a synthetic results directory of N intervals (default: 8 hours at 1 s, 28,800) x 96
//! rows through imapload's own writer types, to measure `imapload report` on a working day's
//! results without running for one. See `synth.rs` for what the data looks like.
//!
//! `cargo run --release --example long_results -- DIR [INTERVALS] [RATE] [FLAP_EVERY]`
//!
//! RATE is the mean commands per second on each recording row (default 3: about 216
//! commands/s over the 72 recording rows); FLAP_EVERY makes a queue monitor change state
//! every that many intervals (default 60; 0 for never).

#[path = "synth.rs"]
mod synth;

fn arg<T: std::str::FromStr>(n: usize, default: T) -> anyhow::Result<T> {
    match std::env::args().nth(n) {
        None => Ok(default),
        Some(s) => (s.parse()).map_err(|_| anyhow::anyhow!("argument {n}: not a number: {s}")),
    }
}

fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).ok_or_else(|| {
        anyhow::anyhow!("usage: long_results DIR [INTERVALS] [RATE] [FLAP_EVERY]")
    })?;
    let spec = synth::Spec {
        intervals: arg(2, 28_800)?,
        interval_s: 1.0,
        rate: arg(3, 3.0)?,
        seed: 14,
        flap_every: arg(4, 60)?,
    };
    let start = std::time::Instant::now();
    let rows = synth::write(std::path::Path::new(&dir), &spec)?;
    println!(
        "{dir}: {} intervals, {rows} timeseries rows, written in {:.1} s",
        spec.intervals,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

//! Writes `report.html` into an existing results directory, for trying the page (and
//! `scripts/check-report.sh`) on real runs without going through the CLI.
//!
//! `cargo run --example render_report -- RESULTS_DIR`

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: render_report RESULTS_DIR"))?;
    let path = imapload::report::html::write(std::path::Path::new(&dir))?;
    println!("{}", path.display());
    Ok(())
}

//! End to end on loopback, in one process: the generator's sessions (1,000 of
//! them, plain TCP, NOOP and FETCH of flags back to back) against the
//! embedded back ends with no added service time. Each sample is a whole
//! 2-second run through `imapload::run::run` (connect, login, the mix,
//! logout, histograms, results written); its figure is the run's elapsed time
//! divided by the commands it measured, so criterion's "elem/s" is commands
//! per second. Generator and servers share this process's cores, so it is a
//! floor for what the generator drives against servers of its own.

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use imapload::plan::{load_str, Overrides};
use tokio_util::sync::CancellationToken;

const SCENARIO: &str = r#"
name = "bench-loopback"
seed = 5
duration = "2s"
interval = "1s"

[topology]
kind = "embedded"
cas = 1
backends = 2
workers_per_backend = 1000

[topology.service]
default = { median = "0ms", p99 = "0ms" }

[users]
pattern = "user{:05}"
password = "secret"
count = 1000

[load]
sessions = 1000
cas_share = 0.0
ramp_up = "200ms"

[session]
security = "plain"
login = "login"
commands = [100000, 100000]
think_time = { dist = "none" }
command_timeout = "10s"

[session.mix]
NOOP = 50
FETCH_FLAGS = 50
"#;

/// One run; returns (elapsed from run.json, commands measured).
fn one_run(rt: &tokio::runtime::Runtime, dir: &Path) -> (Duration, u64) {
    let out = dir.join("run");
    let ov = Overrides {
        out: Some(out.clone()),
        force: true,
        quiet: true,
        ..Default::default()
    };
    let plan = load_str(SCENARIO, Path::new("bench-loopback.toml"), &ov).expect("scenario");
    let report = rt
        .block_on(imapload::run::run(
            plan,
            CancellationToken::new(),
            imapload::error::FailOn::Never,
        ))
        .expect("run");
    assert_eq!(
        report.errors, 0,
        "a benchmark run with errors measures nothing useful"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).expect("run.json"))
            .expect("json");
    let elapsed = json["elapsed_s"].as_f64().expect("elapsed_s in run.json");
    (Duration::from_secs_f64(elapsed), report.commands)
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut g = c.benchmark_group("loopback");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(1));
    g.bench_function("noop_fetch_flags_1000_sessions", |b| {
        b.iter_custom(|iters| {
            let (elapsed, commands) = one_run(&rt, dir.path());
            // Time per command, scaled to the iterations criterion asked for.
            elapsed.div_f64(commands as f64).mul_f64(iters as f64)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

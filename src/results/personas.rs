//! `personas.csv` and run.json's `personas`: what each client persona of a
//! population run did: its users, devices and connections (against its
//! pool), its commands with their errors and latency, and how it met new
//! mail (pushed while idling, found by a poll), read and sent.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::latency::Quantiles;

/// One persona's figures for a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonaRow {
    /// The persona's name.
    pub persona: String,
    /// Users with a device of this persona.
    pub users: u64,
    /// Devices of this persona.
    pub devices: u64,
    /// The most connections one device of it may hold (its pool).
    pub pool: u32,
    /// Connections opened (each counted as a session too).
    pub connections: u64,
    /// The most connections one device held at once.
    pub max_connections_per_device: u64,
    /// The most connections one user of it held at once (all their devices).
    pub max_connections_per_user: u64,
    /// Commands sent (connect phases not counted).
    pub commands: u64,
    /// Commands (and connections) that failed; each is also in errors.csv.
    pub errors: u64,
    /// Latency of its commands in microseconds (corrected: from when each was due).
    pub latency_us: Quantiles,
    /// `* N EXISTS` seen while idling.
    pub exists_pushed: u64,
    /// New-mail fetches that followed an EXISTS pushed during IDLE.
    pub idle_fetches: u64,
    /// New-mail fetches after a poll or session found new mail.
    pub poll_fetches: u64,
    /// Messages the user opened.
    pub reads: u64,
    /// Messages sent (APPEND to Sent).
    pub sends: u64,
    /// Messages delivered to its users' INBOXes.
    pub deliveries: u64,
}

/// The CSV header of `personas.csv`.
pub const HEADER: &str = "persona,users,devices,pool,connections,max_connections_per_device,\
max_connections_per_user,commands,errors,p50_us,p90_us,p99_us,max_us,exists_pushed,\
idle_fetches,poll_fetches,reads,sends,deliveries";

/// The file's name.
pub const PERSONAS_CSV: &str = "personas.csv";

/// `personas.csv`'s bytes.
pub fn to_csv(rows: &[PersonaRow]) -> Vec<u8> {
    let mut f = Vec::new();
    let _ = writeln!(f, "{HEADER}");
    for r in rows {
        let q = &r.latency_us;
        let _ = writeln!(
            f,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.persona,
            r.users,
            r.devices,
            r.pool,
            r.connections,
            r.max_connections_per_device,
            r.max_connections_per_user,
            r.commands,
            r.errors,
            q.p50,
            q.p90,
            q.p99,
            q.max,
            r.exists_pushed,
            r.idle_fetches,
            r.poll_fetches,
            r.reads,
            r.sends,
            r.deliveries
        );
    }
    f
}

/// The terminal block of a population run: one line per persona.
pub fn table(rows: &[PersonaRow]) -> String {
    let mut out = String::from(
        "persona      users devices conns  max/dev  max/user  commands  errors   p50 ms   p99 ms  pushed  idle-fetch  poll-fetch  delivered\n",
    );
    for r in rows {
        out.push_str(&format!(
            "{:<12} {:>5} {:>7} {:>5} {:>5}/{:<3} {:>8} {:>9} {:>7} {:>8.1} {:>8.1} {:>7} {:>11} {:>11} {:>10}\n",
            r.persona,
            r.users,
            r.devices,
            r.connections,
            r.max_connections_per_device,
            r.pool,
            r.max_connections_per_user,
            r.commands,
            r.errors,
            r.latency_us.p50 as f64 / 1000.0,
            r.latency_us.p99 as f64 / 1000.0,
            r.exists_pushed,
            r.idle_fetches,
            r.poll_fetches,
            r.deliveries
        ));
    }
    out
}

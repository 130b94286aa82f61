//! `run.json`'s `shard` (a `--shard K/N` run: which part, and what the
//! scenario run whole has, so `merge` can write the whole plan without the
//! scenario file) and `shards` (a merge: the parts merged and their skew).

use serde::{Deserialize, Serialize};

use super::plan::LoadDoc;
use super::run::Outcome;

/// `shard`: part K of N, and the whole scenario's seed, users, load, probes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardDoc {
    /// N.
    pub count: u32,
    /// K.
    pub index: u32,
    /// The whole scenario's load.
    pub load: LoadDoc,
    /// Whether the whole scenario runs probes.
    pub probes: bool,
    /// The whole scenario's seed.
    pub seed: u64,
    /// The whole scenario's number of users.
    pub users: usize,
}

/// `shards`: what a merge merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardsDoc {
    /// The clock the series were lined up on.
    pub clock: String,
    /// N.
    pub count: u32,
    /// Largest start skew, seconds.
    pub max_start_skew_s: f64,
    /// Parts merged.
    pub merged: usize,
    /// Parts missing.
    pub missing: Vec<u32>,
    /// Each part merged.
    pub parts: Vec<ShardPart>,
}

/// One merged part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardPart {
    /// Its commands.
    pub commands: u64,
    /// Its directory.
    pub dir: String,
    /// Its measured time, seconds.
    pub elapsed_s: f64,
    /// K.
    pub index: u32,
    /// How it ended.
    pub outcome: Option<Outcome>,
    /// Its seed.
    pub seed: u64,
    /// How long after the earliest part it started, seconds.
    pub start_skew_s: f64,
    /// Its wall-clock start.
    pub started_at: String,
}

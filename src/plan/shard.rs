//! `--shard K/N`: the K-th of N disjoint parts of one scenario, so N generator
//! processes (a Kubernetes Indexed Job, or any job runner) together offer the
//! load of the scenario run whole, and `imapload merge` can add their results.
//!
//! The split follows k6's execution segments: an integer amount `A` (sessions,
//! a closed stage's target, `max_sessions`, users) gives shard K the part
//! `floor(K*A/N) - floor((K-1)*A/N)`, so the parts are as equal as integers
//! allow and always sum to exactly `A`, whatever N is. Rates (open-model
//! arrivals per second) are divisible and are split by N. Users are
//! partitioned into contiguous blocks, so no user logs in from two shards at
//! once. Each shard gets its own seed, derived from (seed, K), so shards do not
//! replay each other's random choices. Probes run on shard 1 only: the probe
//! schedule is a fixed rate per server and would otherwise be multiplied by N.

use std::fmt;

use super::{LoadModel, LoadPlan, RunPlan};
use crate::error::InputError;

/// One shard of a scenario: part `index` (1-based) of `count` equal parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K, from 1 to `count`.
    pub index: u32,
    /// N, at least 1.
    pub count: u32,
}

/// What a sharded plan keeps of the scenario run whole, so `run.json` can say
/// what the shards add up to and `imapload merge` can write the whole plan.
#[derive(Debug, Clone)]
pub struct ShardPlan {
    /// Which part this is.
    pub shard: Shard,
    /// The seed of the scenario run whole (each shard runs with its own).
    pub whole_seed: u64,
    /// Users of the scenario run whole (this shard has a block of them).
    pub whole_users: usize,
    /// The load model of the scenario run whole.
    pub whole_load: LoadPlan,
    /// Whether the scenario run whole has probes (only shard 1 runs them).
    pub whole_probes: bool,
}

const ALLOWED: &str = "give K/N with whole numbers 1 <= K <= N, e.g. --shard 1/4";

impl Shard {
    /// Parses `K/N` (the `--shard` flag). Errors name the flag and what is allowed.
    pub fn parse(text: &str) -> Result<Shard, InputError> {
        let bad = |why: &str| InputError::new("--shard", format!("`{text}` {why}; {ALLOWED}"));
        let Some((k, n)) = text.trim().split_once('/') else {
            return Err(bad("is not K/N"));
        };
        let num = |s: &str| s.trim().parse::<u32>().ok();
        let (Some(index), Some(count)) = (num(k), num(n)) else {
            return Err(bad("is not K/N"));
        };
        if count == 0 {
            return Err(bad("has N = 0"));
        }
        if index == 0 || index > count {
            return Err(bad("has K outside 1..=N"));
        }
        Ok(Shard { index, count })
    }

    /// This shard's part of the integer amount `total`: the k6 segment rule,
    /// `floor(K*total/N) - floor((K-1)*total/N)`. The N parts sum to `total`.
    pub fn part(&self, total: u64) -> u64 {
        let (k, n, t) = (self.index as u128, self.count as u128, total as u128);
        ((k * t / n) - ((k - 1) * t / n)) as u64
    }

    /// The half-open range `[floor((K-1)*len/N), floor(K*len/N))`: this shard's
    /// block of a list of `len` items. The N blocks are disjoint and cover it.
    pub fn block(&self, len: usize) -> std::ops::Range<usize> {
        let (k, n, l) = (self.index as u128, self.count as u128, len as u128);
        (((k - 1) * l / n) as usize)..((k * l / n) as usize)
    }

    /// This shard's part of a (possibly fractional) closed-model target: the
    /// segment rule on real numbers, so integer targets split exactly.
    fn part_f64(&self, total: f64) -> f64 {
        let (k, n) = (self.index as f64, self.count as f64);
        (k * total / n).floor() - ((k - 1.0) * total / n).floor()
    }

    /// The seed shard K runs with. Shard 1 of 1 keeps the scenario's seed;
    /// otherwise a SplitMix64 step over (seed, K), so every shard's random
    /// choices differ and are the same on every rerun.
    pub fn seed(&self, seed: u64) -> u64 {
        if self.count == 1 {
            return seed;
        }
        let mut z = seed ^ (self.index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Turns the plan of a whole scenario into the plan of one shard. An amount
/// too small to give every shard a part (2 sessions over 3 shards) is an
/// input error naming it, for every K alike, rather than shards that silently
/// do nothing.
pub fn apply(mut plan: RunPlan, shard: Shard) -> Result<RunPlan, InputError> {
    let whole = ShardPlan {
        shard,
        whole_seed: plan.seed,
        whole_users: plan.users.len(),
        whole_load: plan.load.clone(),
        whole_probes: plan.probes.enabled,
    };
    let n = shard.count as u64;
    let too_small = |what: &str, amount: u64| {
        InputError::new(
            "--shard",
            format!(
                "{shard}: {what} is {amount}, fewer than the {n} shards, so a shard would \
                 get none; use at most {amount} shards or raise it"
            ),
        )
    };
    let load = &mut plan.load;
    match load.model {
        LoadModel::Closed => {
            let peak = load.stages.iter().map(|s| s.target).fold(0.0, f64::max);
            if load.stages.is_empty() && (load.sessions as u64) < n {
                return Err(too_small("load.sessions", load.sessions as u64));
            }
            if !load.stages.is_empty() && peak < n as f64 {
                return Err(too_small("the highest load.stages target", peak as u64));
            }
            load.sessions = shard.part(load.sessions as u64) as usize;
            load.max_sessions = shard.part(load.max_sessions as u64) as usize;
            for s in &mut load.stages {
                s.target = shard.part_f64(s.target);
            }
        }
        LoadModel::Open => {
            if (load.max_sessions as u64) < n {
                return Err(too_small("load.max_sessions", load.max_sessions as u64));
            }
            load.rate /= n as f64;
            for s in &mut load.stages {
                s.target /= n as f64;
            }
            load.max_sessions = shard.part(load.max_sessions as u64) as usize;
        }
    }
    if (plan.users.len() as u64) < n {
        return Err(too_small("the number of users", plan.users.len() as u64));
    }
    let block = shard.block(plan.users.len());
    plan.users = plan.users[block].to_vec();
    plan.seed = shard.seed(plan.seed);
    plan.probes.enabled = plan.probes.enabled && shard.index == 1;
    plan.shard = Some(whole);
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{load_str, Overrides};
    use std::path::Path;

    #[test]
    fn bad_shards_name_the_flag_and_what_is_allowed() {
        for text in ["3/2", "0/2", "1/0", "abc", "1/", "/2", "-1/2", "1.5/2", ""] {
            let e = Shard::parse(text).unwrap_err();
            assert_eq!(e.key.as_deref(), Some("--shard"), "{text}");
            assert!(e.message.contains("1 <= K <= N"), "{text}: {}", e.message);
            assert!(e.message.contains(&format!("`{text}`")), "{}", e.message);
        }
        assert_eq!(Shard::parse(" 2/3 ").unwrap(), Shard { index: 2, count: 3 });
    }

    #[test]
    fn parts_are_disjoint_and_sum_exactly() {
        for n in 1..=9u32 {
            for total in [0u64, 1, 2, 7, 10, 500, 1001, u32::MAX as u64] {
                let shards = (1..=n).map(|index| Shard { index, count: n });
                let parts: Vec<u64> = shards.clone().map(|s| s.part(total)).collect();
                assert_eq!(parts.iter().sum::<u64>(), total, "{total} over {n}");
                let (lo, hi) = (parts.iter().min().unwrap(), parts.iter().max().unwrap());
                assert!(hi - lo <= 1, "{total} over {n}: {parts:?}");
                let mut covered = 0;
                for s in shards {
                    let b = s.block(total as usize % 100_000);
                    assert_eq!(b.start, covered);
                    covered = b.end;
                }
                assert_eq!(covered, total as usize % 100_000);
            }
        }
    }

    #[test]
    fn seeds_differ_per_shard_and_are_stable() {
        let s = |index, count| Shard { index, count };
        assert_eq!(s(1, 1).seed(42), 42);
        let seeds: Vec<u64> = (1..=4).map(|k| s(k, 4).seed(42)).collect();
        let mut unique = seeds.clone();
        unique.dedup();
        assert_eq!(unique.len(), 4);
        assert_eq!(seeds, (1..=4).map(|k| s(k, 4).seed(42)).collect::<Vec<_>>());
        assert_ne!(s(1, 4).seed(42), s(1, 4).seed(43));
    }

    fn plan(load: &str) -> RunPlan {
        let text = format!("duration = \"5s\"\n[users]\ncount = 10\n[load]\n{load}\n");
        load_str(&text, Path::new("t.toml"), &Overrides::default()).unwrap()
    }

    #[test]
    fn closed_sessions_stages_and_users_split_like_k6_segments() {
        let whole = plan("sessions = 7\nstages = [{ duration = \"1s\", target = 5 }]");
        let parts: Vec<RunPlan> = (1..=3)
            .map(|k| apply(whole.clone(), Shard { index: k, count: 3 }).unwrap())
            .collect();
        let sum = |f: &dyn Fn(&RunPlan) -> f64| parts.iter().map(f).sum::<f64>();
        assert_eq!(sum(&|p| p.load.sessions as f64), 7.0);
        assert_eq!(sum(&|p| p.load.stages[0].target), 5.0);
        assert_eq!(sum(&|p| p.users.len() as f64), 10.0);
        let mut names: Vec<&str> = parts
            .iter()
            .flat_map(|p| p.users.iter().map(|u| u.name.as_str()))
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 10, "user blocks overlap");
        assert_eq!(
            parts.iter().map(|p| p.probes.enabled).collect::<Vec<_>>(),
            [true, false, false]
        );
        let info = parts[2].shard.as_ref().unwrap();
        assert_eq!((info.whole_seed, info.whole_users), (whole.seed, 10));
        assert_eq!(info.whole_load.sessions, 7);
    }

    #[test]
    fn open_rate_splits_by_n_and_max_sessions_by_segments() {
        let whole = plan("model = \"open\"\nrate = 30\nmax_sessions = 10");
        let parts: Vec<RunPlan> = (1..=4)
            .map(|k| apply(whole.clone(), Shard { index: k, count: 4 }).unwrap())
            .collect();
        assert!(parts.iter().all(|p| (p.load.rate - 7.5).abs() < 1e-9));
        let max: usize = parts.iter().map(|p| p.load.max_sessions).sum();
        assert_eq!(max, 10);
    }

    #[test]
    fn too_few_sessions_or_users_for_the_shards_is_an_input_error() {
        let e = apply(plan("sessions = 2"), Shard { index: 3, count: 3 }).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("--shard"));
        assert!(e.message.contains("sessions"), "{}", e.message);
        let e = apply(
            plan("sessions = 20"),
            Shard {
                index: 1,
                count: 11,
            },
        )
        .unwrap_err();
        assert!(e.message.contains("users"), "{}", e.message);
    }
}

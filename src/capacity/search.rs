//! The search controller, after RFC 9971 (MLRsearch): every trial is a fixed
//! load held for a fixed time; only between trials does the controller pick
//! the next load. It doubles from `min` until the first failure, then
//! bisects in relative width between the largest load that passed and the
//! smallest that failed, until they are within `precision` of each other.
//!
//! Noise is handled as RFC 9971 does, with trial time as the weight: a load
//! is an upper bound when more than `exceed_ratio` of its trial time failed
//! (so a load that failed once is an upper bound until more passing time at
//! it says otherwise), and the answer is the largest lower bound *below*
//! the smallest upper bound, whatever passed above it. A failing load below
//! one that passed (an inconsistent result) is tested again, and so is the
//! upper bound once before it is believed. A trial where the generator could
//! not hold the load is invalid: it neither passes nor fails, and the
//! smallest such load caps the search (the generator's ceiling).
//!
//! Pure: no I/O and no clock, so it is tested on simulated servers.

/// What a trial's health test said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrialResult {
    /// The verdict held (thresholds, gates, monitors).
    Passed,
    /// The verdict failed.
    Failed,
    /// The generator could not hold the load: the trial says nothing about the servers.
    Invalid,
}

impl TrialResult {
    /// As `capacity.json` spells it.
    pub fn label(self) -> &'static str {
        match self {
            TrialResult::Passed => "passed",
            TrialResult::Failed => "failed",
            TrialResult::Invalid => "invalid",
        }
    }
}

/// Why a trial was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrialKind {
    /// A step of the search.
    Search,
    /// A failing load tested again (noise).
    Retest,
    /// The longer trial at the answer.
    Confirm,
}

impl TrialKind {
    /// As `capacity.json` spells it.
    pub fn label(self) -> &'static str {
        match self {
            TrialKind::Search => "search",
            TrialKind::Retest => "retest",
            TrialKind::Confirm => "confirm",
        }
    }
}

/// The search's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The first load tried.
    pub min: f64,
    /// The largest load tried.
    pub max: f64,
    /// Relative width to narrow the bounds to (0.1: the upper bound within 10% of the lower).
    pub precision: f64,
    /// A search trial's measured time, seconds.
    pub trial_s: f64,
    /// The confirmation trial's measured time, seconds (0: no confirmation).
    pub confirm_s: f64,
    /// Share of a load's trial time that may fail at a lower bound.
    pub exceed_ratio: f64,
    /// The most trials run.
    pub max_trials: usize,
    /// Loads are whole numbers (sessions).
    pub integer: bool,
}

/// One trial run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trial {
    /// The load held.
    pub load: f64,
    /// Its measured time, seconds.
    pub duration_s: f64,
    /// Why it was run.
    pub kind: TrialKind,
    /// What it said.
    pub result: TrialResult,
}

/// How the search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A lower bound below a failing load, within the precision.
    BoundFound,
    /// The minimum load already fails.
    MinFails,
    /// Nothing failed up to the maximum (the lower bound is the maximum).
    NoFailureUpToMax,
    /// The generator could not hold the load before any failure.
    GeneratorLimited,
    /// The trial budget ran out before the bounds were within the precision.
    TrialLimit,
}

impl Outcome {
    /// As `capacity.json` spells it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::BoundFound => "bound_found",
            Outcome::MinFails => "min_fails",
            Outcome::NoFailureUpToMax => "no_failure_up_to_max",
            Outcome::GeneratorLimited => "generator_limited",
            Outcome::TrialLimit => "trial_limit",
        }
    }
}

/// What the search found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// How it ended.
    pub outcome: Outcome,
    /// The largest lower bound below the upper bound.
    pub lower: Option<f64>,
    /// Whether the lower bound passed a confirmation trial.
    pub confirmed: bool,
    /// The smallest upper bound.
    pub upper: Option<f64>,
    /// The smallest load only invalid trials were run at.
    pub ceiling: Option<f64>,
}

/// The controller's next step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// Run a trial.
    Run {
        /// The load to hold.
        load: f64,
        /// For how long (measured), seconds.
        duration_s: f64,
        /// Why.
        kind: TrialKind,
    },
    /// The search is over.
    Done(Found),
}

/// What the trials at one load say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Lower,
    Upper,
    Invalid,
}

/// The search: its settings and every trial so far.
#[derive(Debug, Clone)]
pub struct Search {
    settings: Settings,
    trials: Vec<Trial>,
}

impl Search {
    /// A search with no trials yet.
    pub fn new(settings: Settings) -> Search {
        Search {
            settings,
            trials: Vec::new(),
        }
    }

    /// Records a trial's result.
    pub fn record(&mut self, trial: Trial) {
        self.trials.push(trial);
    }

    /// The trials so far.
    pub fn trials(&self) -> &[Trial] {
        &self.trials
    }

    fn at(&self, load: f64) -> impl Iterator<Item = &Trial> {
        self.trials.iter().filter(move |t| t.load == load)
    }

    /// RFC 9971's rule with trial time as the weight: upper when more than
    /// the exceed ratio of the load's valid trial time failed.
    fn class(&self, load: f64) -> Class {
        let (mut failed, mut total) = (0.0, 0.0);
        for t in self.at(load) {
            match t.result {
                TrialResult::Passed => total += t.duration_s,
                TrialResult::Failed => {
                    failed += t.duration_s;
                    total += t.duration_s;
                }
                TrialResult::Invalid => {}
            }
        }
        if total == 0.0 {
            Class::Invalid
        } else if failed > self.settings.exceed_ratio * total.max(self.settings.trial_s) {
            Class::Upper
        } else {
            Class::Lower
        }
    }

    fn loads(&self) -> Vec<f64> {
        let mut loads: Vec<f64> = self.trials.iter().map(|t| t.load).collect();
        loads.sort_by(f64::total_cmp);
        loads.dedup();
        loads
    }

    /// The current bounds: (largest lower below the upper, smallest upper, ceiling).
    pub fn bounds(&self) -> (Option<f64>, Option<f64>, Option<f64>) {
        let loads = self.loads();
        let first = |c: Class| loads.iter().copied().find(|&l| self.class(l) == c);
        let upper = first(Class::Upper);
        let ceiling = first(Class::Invalid);
        let lower = (loads.iter().copied()).rfind(|&l| {
            self.class(l) == Class::Lower
                && upper.is_none_or(|u| l < u)
                && ceiling.is_none_or(|c| l < c)
        });
        (lower, upper, ceiling)
    }

    fn round(&self, load: f64) -> f64 {
        match self.settings.integer {
            true => load.round(),
            false => (load * 100.0).round() / 100.0,
        }
    }

    fn run(&self, load: f64, kind: TrialKind) -> Next {
        let duration_s = match kind {
            TrialKind::Confirm => self.settings.confirm_s,
            _ => self.settings.trial_s,
        };
        Next::Run {
            load,
            duration_s,
            kind,
        }
    }

    fn done(&self, outcome: Outcome) -> Next {
        let (lower, upper, ceiling) = self.bounds();
        let confirmed = lower.is_some_and(|l| {
            self.at(l)
                .any(|t| t.kind == TrialKind::Confirm && t.result == TrialResult::Passed)
        });
        Next::Done(Found {
            outcome,
            lower,
            confirmed,
            upper,
            ceiling,
        })
    }

    /// A failing load below one that passed, not yet tested three times.
    fn inconsistent(&self) -> Option<f64> {
        let loads = self.loads();
        let highest_lower = (loads.iter().copied()).rfind(|&l| self.class(l) == Class::Lower)?;
        (loads.iter().copied())
            .find(|&l| l < highest_lower && self.class(l) == Class::Upper && self.at(l).count() < 3)
    }

    /// The next step, from the trials so far.
    pub fn next(&self) -> Next {
        let s = &self.settings;
        if self.trials.is_empty() {
            return self.run(self.round(s.min), TrialKind::Search);
        }
        if self.trials.len() >= s.max_trials {
            return self.done(Outcome::TrialLimit);
        }
        if let Some(load) = self.inconsistent() {
            return self.run(load, TrialKind::Retest);
        }
        let (lower, upper, ceiling) = self.bounds();
        let Some(lower) = lower else {
            return match upper.is_some_and(|u| u <= self.round(s.min)) {
                true => self.done(Outcome::MinFails),
                false => self.done(Outcome::GeneratorLimited),
            };
        };
        let hi = match (upper, ceiling) {
            (Some(u), Some(c)) => Some(u.min(c)),
            (u, c) => u.or(c),
        };
        let Some(hi) = hi else {
            if lower >= s.max {
                return self.converged(lower, Outcome::NoFailureUpToMax);
            }
            return self.run(self.round((lower * 2.0).min(s.max)), TrialKind::Search);
        };
        let mid = self.round((lower * hi).sqrt());
        if hi / lower <= 1.0 + s.precision || mid <= lower || mid >= hi {
            let outcome = match upper == Some(hi) {
                true => Outcome::BoundFound,
                false => Outcome::GeneratorLimited,
            };
            return self.converged(lower, outcome);
        }
        self.run(mid, TrialKind::Search)
    }

    /// The bounds are close enough: retest an upper bound that failed only
    /// once, confirm the lower bound, then stop.
    fn converged(&self, lower: f64, outcome: Outcome) -> Next {
        if let (_, Some(upper), _) = self.bounds() {
            let once = self.at(upper).count() == 1;
            if once && outcome == Outcome::BoundFound {
                return self.run(upper, TrialKind::Retest);
            }
        }
        let confirmed = self.at(lower).any(|t| t.kind == TrialKind::Confirm);
        if self.settings.confirm_s > 0.0 && !confirmed {
            return self.run(lower, TrialKind::Confirm);
        }
        self.done(outcome)
    }
}

#[cfg(test)]
mod tests;

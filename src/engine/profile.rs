//! User profiles as the sessions sample them: commands per session, think
//! time and the weighted command mix, made once per run from the plan.

use rand::distr::weighted::WeightedIndex;

use crate::command::CommandKind;
use crate::plan::{Profile, RunPlan, ThinkTime};

/// A user profile ready for sampling.
#[derive(Debug, Clone)]
pub struct ProfileRt {
    /// Profile name.
    pub name: String,
    /// Commands per session (inclusive range).
    pub commands: (u32, u32),
    /// Think time.
    pub think: ThinkTime,
    /// Mix commands.
    pub mix: Vec<CommandKind>,
    /// Weighted index over `mix`.
    pub mix_index: WeightedIndex<u32>,
}

impl ProfileRt {
    /// The runtime form of the plan's profile `p`.
    pub(super) fn new(p: &Profile) -> Self {
        ProfileRt {
            name: p.name.clone(),
            commands: p.commands_per_session,
            think: p.think_time,
            mix: p.mix.iter().map(|(k, _)| *k).collect(),
            mix_index: WeightedIndex::new(p.mix.iter().map(|(_, w)| *w))
                .expect("plan validated the mix"),
        }
    }
}

/// The profiles of a plan: its own, or one made of the session's fields.
pub(super) fn profiles(plan: &RunPlan) -> Vec<Profile> {
    if !plan.session.profiles.is_empty() {
        return plan.session.profiles.clone();
    }
    vec![Profile {
        name: "default".into(),
        weight: 1,
        commands_per_session: plan.session.commands_per_session,
        think_time: plan.session.think_time,
        mix: plan.session.mix.clone(),
    }]
}

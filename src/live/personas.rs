//! A population run's persona families (`imapload_persona_*`): what each
//! client persona did so far, read from the engine's persona counters after
//! every tick, like the session counts. The label values are the personas'
//! names (a handful per run) and the trigger of a new-mail fetch.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::Ordering::Relaxed;

use super::buckets::HdrBuckets;
use super::sink::raise;
use crate::engine::persona::Tally;

/// One client persona.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PersonaLabels {
    /// The persona's name (`thunderbird`, `ios`...).
    pub persona: String,
}

/// A persona and what made it fetch new mail.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TriggerLabels {
    /// The persona's name.
    pub persona: String,
    /// `idle` (an EXISTS pushed while idling) or `poll` (found by a poll or session).
    pub trigger: String,
}

/// The persona families; empty (so not in a scrape) unless the run has personas.
#[derive(Debug, Default)]
pub struct PersonaFamilies {
    /// Users with a device of the persona.
    pub users: Family<PersonaLabels, Gauge>,
    /// The persona's devices.
    pub devices: Family<PersonaLabels, Gauge>,
    /// Its connections open now.
    pub connections: Family<PersonaLabels, Gauge>,
    /// Its connections opened.
    pub connections_opened: Family<PersonaLabels, Counter>,
    /// Its commands sent.
    pub commands: Family<PersonaLabels, Counter>,
    /// Its failures.
    pub errors: Family<PersonaLabels, Counter>,
    /// Its commands' corrected latency.
    pub latency: Family<PersonaLabels, HdrBuckets>,
    /// EXISTS pushed while it idled.
    pub exists_pushed: Family<PersonaLabels, Counter>,
    /// Its new-mail fetches, by trigger.
    pub new_mail_fetches: Family<TriggerLabels, Counter>,
    /// Messages its users opened.
    pub reads: Family<PersonaLabels, Counter>,
    /// Messages its users sent.
    pub sends: Family<PersonaLabels, Counter>,
    /// Messages delivered to its users.
    pub deliveries: Family<PersonaLabels, Counter>,
}

macro_rules! register_all {
    ($reg:expr, $f:expr, $( $name:literal, $help:literal, $field:ident; )*) => {
        $( $reg.register($name, $help, $f.$field.clone()); )*
    };
}

impl PersonaFamilies {
    /// Adds every persona family to `reg` (names without the registry's prefix).
    pub fn register(&self, reg: &mut Registry) {
        register_all!(reg, self,
            "persona_users", "Population run: users with a device of the persona", users;
            "persona_devices", "Population run: devices of the persona", devices;
            "persona_connections", "Population run: the persona's connections open now", connections;
            "persona_connections_opened", "Population run: the persona's connections opened (each also counts as a session)", connections_opened;
            "persona_commands", "Population run: commands the persona sent", commands;
            "persona_errors", "Population run: the persona's failed commands and connections", errors;
            "persona_latency_seconds", "Population run: the persona's corrected command latency", latency;
            "persona_exists_pushed", "Population run: EXISTS pushed to the persona while it idled", exists_pushed;
            "persona_new_mail_fetches", "Population run: the persona's new-mail fetches, after an EXISTS pushed during IDLE (trigger=idle) or found by a poll or session (trigger=poll)", new_mail_fetches;
            "persona_reads", "Population run: messages the persona's users opened", reads;
            "persona_sends", "Population run: messages the persona's users sent", sends;
            "persona_deliveries", "Population run: messages delivered to the persona's users", deliveries;
        );
    }

    /// Sets every family from the engine's counters.
    pub fn update(&self, tallies: &[Tally]) {
        for t in tallies {
            let l = PersonaLabels {
                persona: t.name.clone(),
            };
            let gauge = |g: &Family<PersonaLabels, Gauge>, v: u64| {
                g.get_or_create(&l).set(v as i64);
            };
            gauge(&self.users, t.users.load(Relaxed));
            gauge(&self.devices, t.devices.load(Relaxed));
            gauge(&self.connections, t.open.load(Relaxed));
            let count = |c: &Family<PersonaLabels, Counter>, v: &std::sync::atomic::AtomicU64| {
                raise(&c.get_or_create(&l), v.load(Relaxed));
            };
            count(&self.connections_opened, &t.connections);
            count(&self.commands, &t.commands);
            count(&self.errors, &t.errors);
            count(&self.exists_pushed, &t.exists_pushed);
            count(&self.reads, &t.reads);
            count(&self.sends, &t.sends);
            count(&self.deliveries, &t.deliveries);
            for (trigger, v) in [("idle", &t.idle_fetches), ("poll", &t.poll_fetches)] {
                let labels = TriggerLabels {
                    persona: t.name.clone(),
                    trigger: trigger.to_string(),
                };
                raise(
                    &self.new_mail_fetches.get_or_create(&labels),
                    v.load(Relaxed),
                );
            }
            self.latency.get_or_create(&l).set(&t.latency());
        }
    }

    /// One series in every family, for [`super::families::every_name`].
    pub fn placeholders(&self) {
        self.update(&[Tally::new("p", 1)]);
    }
}

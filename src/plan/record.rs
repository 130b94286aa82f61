//! What `run.json` records of a plan (`plan`, `monitor_settings`), and the
//! monitor and probe plans read back from a saved record: the conversions
//! between the plan's types and the results' types, kept on the plan's side
//! so that `results/` imports nothing above it.

use std::time::Duration;

use super::{
    LoadPlan, MonitorPlan, ProbeMonitor, ProbePlan, QueueRule, RunPlan, SessionPlan, ShardPlan,
    ThinkTime, ThresholdMonitor, TopologyPlan,
};
use crate::imap::url::Endpoint;
use crate::results::monitors::{
    MonitorSettings, ProbeMonitorDoc, ProbeSettings, QueueRuleDoc, ThresholdDoc,
};
use crate::results::plan::{
    EmbeddedDoc, LoadDoc, NamedUrl, PlanDoc, ProfileDoc, SessionDoc, StageDoc, ThinkDoc, TlsDoc,
    TopologyDoc,
};
use crate::results::shards::ShardDoc;

impl From<&ProbeMonitor> for ProbeMonitorDoc {
    fn from(m: &ProbeMonitor) -> Self {
        ProbeMonitorDoc {
            failures: m.failures,
            window_s: m.window.map(|w| w.as_secs_f64()),
        }
    }
}

impl ProbeMonitorDoc {
    fn plan(&self) -> ProbeMonitor {
        ProbeMonitor {
            failures: self.failures,
            window: self.window_s.map(Duration::from_secs_f64),
        }
    }
}

impl From<&ThresholdMonitor> for ThresholdDoc {
    fn from(m: &ThresholdMonitor) -> Self {
        ThresholdDoc {
            consecutive: m.consecutive,
            enabled: m.enabled,
            threshold: m.threshold,
        }
    }
}

impl ThresholdDoc {
    fn plan(&self) -> ThresholdMonitor {
        ThresholdMonitor {
            enabled: self.enabled,
            threshold: self.threshold,
            consecutive: self.consecutive,
        }
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

impl MonitorSettings {
    /// The settings of a run.
    pub fn of(m: &MonitorPlan, p: &ProbePlan) -> MonitorSettings {
        MonitorSettings {
            command_time_ms: ThresholdDoc::from(&m.command_time),
            escalation_delay_s: m.escalation_delay.as_secs_f64(),
            probes: ProbeSettings {
                ctp: ProbeMonitorDoc::from(&p.ctp),
                deep_test: ProbeMonitorDoc::from(&p.deep_test),
                enabled: p.enabled,
                interval_scale: p.interval_scale,
                proxy_test: ProbeMonitorDoc::from(&p.proxy_test),
                self_test: ProbeMonitorDoc::from(&p.self_test),
                timeout_full_s: p.timeout_full.as_secs_f64(),
                timeout_light_s: p.timeout_light.as_secs_f64(),
            },
            queue_rule: match m.queue_rule {
                QueueRule::Mean => QueueRuleDoc::Mean,
                QueueRule::Max => QueueRuleDoc::Max,
            },
            requests_queued: ThresholdDoc::from(&m.requests_queued),
            sample_period_s: m.sample_period.as_secs_f64(),
        }
    }

    /// The plans these settings describe.
    pub fn plans(&self) -> (MonitorPlan, ProbePlan) {
        let m = MonitorPlan {
            sample_period: secs(self.sample_period_s),
            escalation_delay: secs(self.escalation_delay_s),
            command_time: self.command_time_ms.plan(),
            requests_queued: self.requests_queued.plan(),
            queue_rule: match self.queue_rule {
                QueueRuleDoc::Mean => QueueRule::Mean,
                QueueRuleDoc::Max => QueueRule::Max,
            },
        };
        let p = &self.probes;
        let probes = ProbePlan {
            enabled: p.enabled,
            interval_scale: p.interval_scale,
            timeout_light: secs(p.timeout_light_s),
            timeout_full: secs(p.timeout_full_s),
            ctp: p.ctp.plan(),
            proxy_test: p.proxy_test.plan(),
            deep_test: p.deep_test.plan(),
            self_test: p.self_test.plan(),
        };
        (m, probes)
    }
}

fn session_doc(s: &SessionPlan) -> SessionDoc {
    let secs = |d: Duration| d.as_secs_f64();
    SessionDoc {
        append_size: s.append_size,
        command_timeout_s: secs(s.command_timeout),
        commands_per_session: [s.commands_per_session.0, s.commands_per_session.1],
        idle_duration_s: secs(s.idle_duration),
        login: format!("{:?}", s.login),
        mailbox: s.mailbox.clone(),
        mix: s
            .mix
            .iter()
            .map(|(k, w)| (k.label().to_string(), *w))
            .collect(),
        pacing: format!("{:?}", s.pacing),
        pipeline: s.pipeline,
        reconnect_delay_s: secs(s.reconnect_delay),
        security: s.security,
        starttls_share: s.starttls_share,
        think_time: match s.think_time {
            ThinkTime::None => ThinkDoc::None,
            ThinkTime::Fixed(d) => ThinkDoc::Fixed { value_s: secs(d) },
            ThinkTime::Exponential(d) => ThinkDoc::Exponential { mean_s: secs(d) },
            ThinkTime::Uniform(a, b) => ThinkDoc::Uniform {
                max_s: secs(b),
                min_s: secs(a),
            },
        },
        validate: format!("{:?}", s.validate),
    }
}

fn topology_doc(t: &TopologyPlan) -> TopologyDoc {
    let named = |list: &[(String, Endpoint)]| {
        list.iter()
            .map(|(n, e)| NamedUrl {
                name: n.clone(),
                url: e.to_string(),
            })
            .collect()
    };
    match t {
        TopologyPlan::Embedded(e) => TopologyDoc::Embedded(EmbeddedDoc {
            backends: e.backends,
            cas: e.cas,
            listen: e.listen.to_string(),
            login_disabled_without_tls: e.login_disabled_without_tls,
            message_size: e.message_size,
            messages_per_mailbox: e.messages_per_mailbox,
            service_default_ms: [
                e.service.default.median.as_secs_f64() * 1e3,
                e.service.default.p99.as_secs_f64() * 1e3,
            ],
            workers_per_backend: e.workers_per_backend,
        }),
        TopologyPlan::Real(r) => TopologyDoc::Real {
            backends: named(&r.backends),
            cas: named(&r.cas),
        },
    }
}

impl PlanDoc {
    /// The record of `plan` as a run writes it.
    pub fn of(plan: &RunPlan) -> PlanDoc {
        PlanDoc {
            duration_s: plan.duration.as_secs_f64(),
            interval_s: plan.interval.as_secs_f64(),
            load: LoadDoc::of(&plan.load),
            name: plan.name.clone(),
            population: plan
                .population
                .as_ref()
                .map(|p| crate::results::plan::PopulationDoc {
                    groups: (p.groups.iter())
                        .map(|g| {
                            let names: Vec<&str> = g
                                .devices
                                .iter()
                                .map(|&d| p.personas[d].name.as_str())
                                .collect();
                            format!("{}: {}", g.share, names.join("+"))
                        })
                        .collect(),
                    time_scale: p.time_scale,
                    received_per_day: p.day.received,
                    sent_per_day: p.day.sent,
                }),
            profiles: (plan.session.profiles.iter())
                .map(|p| ProfileDoc {
                    name: p.name.clone(),
                    weight: p.weight,
                })
                .collect(),
            scenario: plan.scenario.as_ref().map(|p| p.display().to_string()),
            seed: plan.seed,
            session: session_doc(&plan.session),
            tls: TlsDoc {
                ca_file: plan.tls.ca_file.as_ref().map(|p| p.display().to_string()),
                insecure: plan.tls.insecure,
            },
            topology: topology_doc(&plan.topology),
            users: plan.users.len(),
        }
    }
}

impl LoadDoc {
    /// The record of a load model.
    pub fn of(load: &LoadPlan) -> LoadDoc {
        LoadDoc {
            allow_shared_users: load.allow_shared_users,
            arrivals: format!("{:?}", load.arrivals).to_lowercase(),
            cas_share: load.cas_share,
            cooldown_s: load.cooldown.map(|c| c.as_secs_f64()),
            max_sessions: load.max_sessions,
            model: format!("{:?}", load.model).to_lowercase(),
            ramp_up_s: load.ramp_up.as_secs_f64(),
            rate: load.rate,
            sessions: load.sessions,
            stages: (load.stages.iter())
                .map(|s| StageDoc {
                    duration_s: s.duration.as_secs_f64(),
                    target: s.target,
                })
                .collect(),
            warmup_s: load.warmup.as_secs_f64(),
        }
    }
}

impl ShardDoc {
    /// The record of a shard's plan.
    pub fn of(s: &ShardPlan) -> ShardDoc {
        ShardDoc {
            count: s.shard.count,
            index: s.shard.index,
            load: LoadDoc::of(&s.whole_load),
            probes: s.whole_probes,
            seed: s.whole_seed,
            users: s.whole_users,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use crate::plan::QueueRule;

    #[test]
    fn settings_round_trip_through_json() {
        let mut m = MonitorPlan {
            sample_period: Duration::from_secs(5),
            queue_rule: QueueRule::Max,
            ..Default::default()
        };
        m.command_time.threshold = 200.0;
        m.requests_queued.enabled = false;
        let p = ProbePlan {
            interval_scale: 0.05,
            ..Default::default()
        };
        let json = serde_json::to_string(&MonitorSettings::of(&m, &p)).unwrap();
        let back: MonitorSettings = serde_json::from_str(&json).unwrap();
        assert_eq!(back.plans(), (m, p));
    }
}

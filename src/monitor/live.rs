//! The performance monitors judged while a run goes (the progress line's
//! "monitors Healthy" and the live metrics' monitor states): from the same
//! running sums the end of the run judges, re-judged only when a sample
//! period completes, so a tick costs the same however long the run.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::metrics::Layout;
use crate::plan::{MonitorPlan, ProbePlan};
use crate::results::Window;

use super::evaluate::{evaluate, MonitorResult, COMMAND_TIME, REQUESTS_QUEUED};
use super::feed::{complete_samples, Feed};
use super::input::from_feed;
use crate::results::AlertValue;

/// One monitor on one server, as judged now.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveState {
    /// Server name.
    pub server: String,
    /// Monitor name as Exchange spells it.
    pub monitor: String,
    /// Its state now (a Degraded one escalated once the delay has passed).
    pub state: AlertValue,
    /// The last complete sample's value (ms or queued commands), if it had data.
    pub last_value: Option<f64>,
    /// The threshold the rule compares samples with.
    pub threshold: f64,
}

/// A monitor as last judged, and since when it fires if it still does.
#[derive(Debug, Clone)]
struct Judged {
    state: LiveState,
    since: Option<Duration>,
}

/// The monitors of one run, judged live.
pub struct LiveMonitors {
    warmup: Duration,
    monitors: MonitorPlan,
    servers: (Vec<String>, Vec<String>),
    feed: Arc<Mutex<Feed>>,
    /// Complete samples when last judged, and what was judged then.
    cache: Mutex<(usize, Vec<Judged>)>,
}

/// Since when a monitor that still fires has fired.
fn since(r: &MonitorResult) -> Option<Duration> {
    match r.alert_value {
        AlertValue::Healthy => None,
        AlertValue::Degraded | AlertValue::Unhealthy => (r.transitions.iter().rev())
            .find(|t| t.to == AlertValue::Degraded)
            .map(|t| t.at),
    }
}

impl LiveMonitors {
    /// Live monitors of the servers of `layout`, the first `warmup` left out
    /// as it is of the verdict.
    pub fn new(warmup: Duration, monitors: MonitorPlan, layout: &Layout) -> Self {
        let (cas, backends) = (layout.cas_names.clone(), layout.backend_names.clone());
        let feed = Feed::new(&cas, &backends, monitors.sample_period, Duration::ZERO);
        LiveMonitors {
            warmup,
            monitors,
            servers: (cas, backends),
            feed: Arc::new(Mutex::new(feed)),
            cache: Mutex::new((usize::MAX, Vec::new())),
        }
    }

    /// The running sums the store must feed every interval into.
    pub fn feed(&self) -> Arc<Mutex<Feed>> {
        self.feed.clone()
    }

    /// Every performance monitor's state at `now` (probe monitors are judged
    /// at the end of the run).
    pub fn states(&self, now: Duration) -> Vec<LiveState> {
        let live = Window {
            from: self.warmup,
            to: Duration::MAX,
        };
        let (Ok(mut feed), Ok(mut cache)) = (self.feed.lock(), self.cache.lock()) else {
            return Vec::new();
        };
        feed.settle(&live, now);
        let samples = complete_samples(feed.period(), now);
        if samples != cache.0 {
            let probes_off = ProbePlan {
                enabled: false,
                ..Default::default()
            };
            let (cas, backends) = (&self.servers.0, &self.servers.1);
            let input = from_feed(&feed, (cas, backends), &[], &self.monitors, now, &live);
            let results = evaluate(&self.monitors, &probes_off, &input);
            cache.1 = results.iter().map(|r| self.judged(r)).collect();
            cache.0 = samples;
        }
        let escalation = self.monitors.escalation_delay;
        (cache.1.iter())
            .map(|j| {
                let mut s = j.state.clone();
                if let (AlertValue::Degraded, Some(at)) = (s.state, j.since) {
                    if at.saturating_add(escalation) <= now {
                        s.state = AlertValue::Unhealthy;
                    }
                }
                s
            })
            .collect()
    }

    /// The worst monitor state at `now`.
    pub fn worst(&self, now: Duration) -> AlertValue {
        (self.states(now).iter())
            .map(|s| s.state)
            .max()
            .unwrap_or(AlertValue::Healthy)
    }

    fn judged(&self, r: &MonitorResult) -> Judged {
        let threshold = match r.monitor.as_str() {
            COMMAND_TIME => self.monitors.command_time.threshold,
            REQUESTS_QUEUED => self.monitors.requests_queued.threshold,
            _ => f64::NAN,
        };
        Judged {
            state: LiveState {
                server: r.server.clone(),
                monitor: r.monitor.clone(),
                state: r.alert_value,
                last_value: r.values.last().and_then(|v| v.1),
                threshold,
            },
            since: since(r),
        }
    }
}

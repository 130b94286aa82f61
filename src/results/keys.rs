//! `run.json` keys that readers name in their error messages (`run.json:
//! verdict: ...`), spelt here once beside the types so a message cannot name
//! a key the file does not have.

/// [`super::RunRecord::shard`].
pub const SHARD: &str = "shard";
/// [`super::plan::PlanDoc::interval_s`], under `plan`.
pub const PLAN_INTERVAL_S: &str = "plan.interval_s";
/// [`super::RunRecord::started_at`].
pub const STARTED_AT: &str = "started_at";
/// [`super::RunRecord::ended_at`].
pub const ENDED_AT: &str = "ended_at";
/// [`super::RunRecord::monitor_settings`].
pub const MONITOR_SETTINGS: &str = "monitor_settings";
/// [`super::RunRecord::error_causes`].
pub const ERROR_CAUSES: &str = "error_causes";
/// [`super::RunRecord::verdict`].
pub const VERDICT: &str = "verdict";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::RunRecord;

    /// A key the record has refuses `true` (no field of it is a bool); a key
    /// it lacks would be ignored and read fine.
    fn is_key(path: &str) -> bool {
        let mut doc = serde_json::json!(true);
        for part in path.rsplit('.') {
            doc = serde_json::json!({ part: doc });
        }
        serde_json::from_value::<RunRecord>(doc).is_err()
    }

    #[test]
    fn every_key_is_one_the_record_has() {
        for key in [
            SHARD,
            PLAN_INTERVAL_S,
            STARTED_AT,
            ENDED_AT,
            MONITOR_SETTINGS,
            ERROR_CAUSES,
            VERDICT,
        ] {
            assert!(is_key(key), "{key}");
        }
        assert!(!is_key("no_such_key") && !is_key("plan.no_such_key"));
    }
}

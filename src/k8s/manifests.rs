//! The objects of one sharded run on Kubernetes, as JSON values: the
//! scenario's ConfigMap, the results volume claim, the shards' Indexed Job,
//! the merge Job and a helper Pod to copy results off the volume.
//!
//! Every object carries `imapload/step` (`run`, `merge` or `copy`) so one
//! printed file serves each step: `kubectl apply -f FILE -l imapload/step=run`.
//! The run id is in every name that belongs to one run; the volume claim is
//! shared by all runs (each writes its own folder on it).

use serde_json::{json, Value};

/// What the manifests are made of.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Shards: pods of the Indexed Job.
    pub shards: u32,
    /// The container image.
    pub image: String,
    /// The run id (a DNS label).
    pub run_id: String,
    /// The namespace, when one is given.
    pub namespace: Option<String>,
    /// The scenario file's text.
    pub scenario: String,
}

/// The label selecting the objects of one step.
pub const STEP_LABEL: &str = "imapload/step";
/// The claim every run writes to.
pub const CLAIM: &str = "imapload-results";
/// The Secret with `users.csv`, mounted next to the scenario when it exists.
pub const USERS_SECRET: &str = "imapload-users";
/// The user the image runs as (not root), and the group that owns the volume.
pub const RUN_AS: u32 = 10001;

impl Spec {
    /// `imapload-<run id>-<what>`.
    pub fn name(&self, what: &str) -> String {
        format!("imapload-{}-{what}", self.run_id)
    }

    /// Where this run's results go on the volume.
    pub fn folder(&self) -> String {
        format!("/results/{}", self.run_id)
    }

    /// Every object, in the order to apply them.
    pub fn all(&self) -> Vec<Value> {
        vec![
            self.config_map(),
            self.claim(),
            self.shards_job(),
            self.merge_job(),
            self.copy_pod(),
        ]
    }

    fn metadata(&self, name: &str, component: &str, step: &str) -> Value {
        let mut m = json!({
            "name": name,
            "labels": {
                "app.kubernetes.io/name": "imapload",
                "app.kubernetes.io/instance": self.run_id,
                "app.kubernetes.io/component": component,
                STEP_LABEL: step,
            },
        });
        if let Some(ns) = &self.namespace {
            m["namespace"] = json!(ns);
        }
        m
    }

    /// The scenario, mounted at `/scenario/scenario.toml`.
    pub fn config_map(&self) -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": self.metadata(&self.name("scenario"), "scenario", "run"),
            "data": {"scenario.toml": self.scenario},
        })
    }

    /// ReadWriteMany: shards on different nodes write at once. One claim for
    /// every run; applying it again changes nothing.
    pub fn claim(&self) -> Value {
        let mut meta = self.metadata(CLAIM, "results", "run");
        // Shared by runs: not labelled with one run's id.
        if let Some(labels) = meta["labels"].as_object_mut() {
            labels.remove("app.kubernetes.io/instance");
        }
        json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": meta,
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "resources": {"requests": {"storage": "2Gi"}},
            },
        })
    }

    /// Pod `i` of the Indexed Job runs `--shard i+1/N`. Exit 5 (a threshold
    /// crossed on one shard's part of the load) is the merge's to judge, so
    /// it ends the pod well; bad input (2) or a run that could not start (1)
    /// fails the whole Job at once; a pod evicted or lost with its node is
    /// retried without counting against the retries.
    pub fn shards_job(&self) -> Value {
        let script = format!(
            "K=$((JOB_COMPLETION_INDEX + 1)); \
             imapload run /scenario/scenario.toml --shard \"$K/$SHARDS\" \
             --out \"{folder}/shard-$K\" --force --fail-on never --quiet; \
             rc=$?; if [ \"$rc\" = 5 ]; then rc=0; fi; exit \"$rc\"",
            folder = self.folder()
        );
        let mut container = self.container(json!(["/bin/sh", "-c"]), json!([script]));
        container["env"] = json!([
            {"name": "SHARDS", "value": self.shards.to_string()},
            {"name": "RUN_ID", "value": self.run_id},
        ]);
        container["resources"] = json!({
            "requests": {"cpu": "1", "memory": "512Mi"},
            "limits": {"memory": "2Gi"},
        });
        container["volumeMounts"] = json!([
            {"name": "scenario", "mountPath": "/scenario", "readOnly": true},
            {"name": "results", "mountPath": "/results"},
        ]);
        let mut pod = self.pod_spec(container);
        pod["restartPolicy"] = json!("Never");
        pod["topologySpreadConstraints"] = json!([{
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {
                "app.kubernetes.io/instance": self.run_id,
                "app.kubernetes.io/component": "shard",
            }},
        }]);
        pod["volumes"] = json!([
            {"name": "scenario", "projected": {"sources": [
                {"configMap": {"name": self.name("scenario")}},
                {"secret": {"name": USERS_SECRET, "optional": true}},
            ]}},
            self.results_volume(),
        ]);
        json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": self.metadata(&self.name("shards"), "shard", "run"),
            "spec": {
                "completionMode": "Indexed",
                "completions": self.shards,
                "parallelism": self.shards,
                "backoffLimit": self.shards,
                "podFailurePolicy": {"rules": [
                    {
                        "action": "FailJob",
                        "onExitCodes": {"containerName": "imapload", "operator": "In", "values": [1, 2]},
                        // Schemas up to 1.28 require the key on every rule; empty is allowed.
                        "onPodConditions": [],
                    },
                    {
                        "action": "Ignore",
                        "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
                    },
                ]},
                "template": {
                    "metadata": {"labels": self.metadata("", "shard", "run")["labels"]},
                    "spec": pod,
                },
            },
        })
    }

    /// `imapload merge` over every shard, then the monitors and thresholds
    /// judged on the whole: its exit code is the run's verdict (0 passed,
    /// 3 a monitor ended Unhealthy, 5 a threshold failed, 2 a shard missing).
    pub fn merge_job(&self) -> Value {
        let mut args: Vec<String> = vec!["merge".into()];
        args.extend((1..=self.shards).map(|k| format!("{}/shard-{k}", self.folder())));
        args.extend([
            "--out".into(),
            format!("{}/merged", self.folder()),
            "--force".into(),
        ]);
        let mut container = self.container(json!(["imapload"]), json!(args));
        container["resources"] = json!({"requests": {"cpu": "500m", "memory": "256Mi"}});
        container["volumeMounts"] = json!([{"name": "results", "mountPath": "/results"}]);
        let mut pod = self.pod_spec(container);
        pod["restartPolicy"] = json!("Never");
        pod["volumes"] = json!([self.results_volume()]);
        json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": self.metadata(&self.name("merge"), "merge", "merge"),
            "spec": {
                "backoffLimit": 0,
                "template": {
                    "metadata": {"labels": self.metadata("", "merge", "merge")["labels"]},
                    "spec": pod,
                },
            },
        })
    }

    /// A Pod that only mounts the volume, for `kubectl cp` (the image has
    /// `tar`); delete it when the results are copied.
    pub fn copy_pod(&self) -> Value {
        let mut container = self.container(json!(["/bin/sh", "-c"]), json!(["sleep 3600"]));
        container["volumeMounts"] =
            json!([{"name": "results", "mountPath": "/results", "readOnly": true}]);
        let mut pod = self.pod_spec(container);
        pod["restartPolicy"] = json!("Never");
        pod["volumes"] = json!([self.results_volume()]);
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": self.metadata(&self.name("copy"), "copy", "copy"),
            "spec": pod,
        })
    }

    fn container(&self, command: Value, args: Value) -> Value {
        json!({
            "name": "imapload",
            "image": self.image,
            "imagePullPolicy": "IfNotPresent",
            "command": command,
            "args": args,
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]},
            },
        })
    }

    /// Not root, and the volume's files group-owned by the image's user.
    fn pod_spec(&self, container: Value) -> Value {
        json!({
            "securityContext": {
                "runAsNonRoot": true,
                "runAsUser": RUN_AS,
                "runAsGroup": RUN_AS,
                "fsGroup": RUN_AS,
            },
            "containers": [container],
        })
    }

    fn results_volume(&self) -> Value {
        json!({"name": "results", "persistentVolumeClaim": {"claimName": CLAIM}})
    }
}

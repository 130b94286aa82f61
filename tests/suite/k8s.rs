//! The Kubernetes manifests in `deploy/k8s/`: valid YAML, an Indexed Job whose
//! pods take their shard from `JOB_COMPLETION_INDEX`, N consistent in every
//! place, a merge Job reading the same volume, and the pods' shell lines run
//! (with a stand-in `imapload` that prints its arguments) give the flags the
//! guide promises.

use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn manifest(name: &str) -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy/k8s")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not valid YAML: {e}", path.display()));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

fn container(job: &Yaml) -> &Yaml {
    let c = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["name"].as_str(), Some("imapload"));
    c
}

fn env<'a>(c: &'a Yaml, name: &str) -> &'a str {
    c["env"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str() == Some(name))
        .and_then(|e| e["value"].as_str())
        .unwrap_or_else(|| panic!("no env {name}"))
}

fn claim(job: &Yaml) -> &str {
    let vols = job["spec"]["template"]["spec"]["volumes"].as_vec().unwrap();
    vols.iter()
        .find_map(|v| v["persistentVolumeClaim"]["claimName"].as_str())
        .expect("a results volume")
}

/// Runs a container's `sh -c` line with `imapload` replaced by a script that
/// prints its arguments; returns what it printed.
fn run_shell(c: &Yaml, vars: &[(&str, &str)]) -> String {
    let cmd: Vec<&str> = c["command"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(cmd, ["/bin/sh", "-c"]);
    let script = c["args"][0].as_str().unwrap();
    let bin = tempfile::tempdir().unwrap();
    let fake: PathBuf = bin.path().join("imapload");
    std::fs::write(&fake, "#!/bin/sh\necho \"$@\"\n").unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&fake)
        .status()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("/bin/sh")
        .args(["-c", script])
        .env("PATH", path)
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn the_shards_job_is_indexed_and_takes_its_shard_from_the_completion_index() {
    let job = manifest("shards-job.yaml");
    assert_eq!(job["kind"].as_str(), Some("Job"));
    assert_eq!(job["apiVersion"].as_str(), Some("batch/v1"));
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let n = spec["completions"].as_i64().unwrap();
    assert_eq!(
        spec["parallelism"].as_i64(),
        Some(n),
        "all shards run at once"
    );
    let c = container(&job);
    assert_eq!(
        env(c, "SHARDS"),
        n.to_string(),
        "SHARDS must equal completions"
    );
    let script = c["args"][0].as_str().unwrap();
    assert!(script.contains("JOB_COMPLETION_INDEX"), "{script}");
    let run_id = env(c, "RUN_ID");
    for index in 0..n {
        let k = index + 1;
        let printed = run_shell(
            c,
            &[
                ("JOB_COMPLETION_INDEX", &index.to_string()),
                ("SHARDS", &n.to_string()),
                ("RUN_ID", run_id),
            ],
        );
        assert!(
            printed.starts_with("run /scenario/scenario.toml "),
            "{printed}"
        );
        assert!(printed.contains(&format!("--shard {k}/{n} ")), "{printed}");
        assert!(
            printed.contains(&format!("--out /results/{run_id}/shard-{k} ")),
            "{printed}"
        );
        assert!(
            printed.contains("--fail-on never"),
            "a shard's verdict must not fail its pod: {printed}"
        );
    }
    let merge = manifest("merge-job.yaml");
    let m = container(&merge);
    assert_eq!(
        env(m, "RUN_ID"),
        run_id,
        "the merge must read this run's shards"
    );
    let script = m["args"][0].as_str().unwrap();
    assert!(
        script.contains("imapload merge /results/$RUN_ID/shard-*"),
        "{script}"
    );
    assert!(script.contains("--out"), "{script}");
    let pvc = manifest("results-pvc.yaml");
    assert_eq!(pvc["kind"].as_str(), Some("PersistentVolumeClaim"));
    assert_eq!(
        pvc["spec"]["accessModes"][0].as_str(),
        Some("ReadWriteMany")
    );
    let name = pvc["metadata"]["name"].as_str().unwrap();
    assert_eq!((claim(&job), claim(&merge)), (name, name));
}

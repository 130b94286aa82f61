//! `imapload k8s`: the manifests it prints are valid YAML, an Indexed Job
//! whose pods take their shard from `JOB_COMPLETION_INDEX`, N and the run
//! id consistent in every place, a merge Job over exactly those shards, the
//! scenario carried unchanged in a ConfigMap; the pods' shell lines run
//! (with a stand-in `imapload` that prints its arguments) give the flags the
//! guide promises; and an offline schema validator (`kubernetes-validate`)
//! accepts them for the oldest and newest Kubernetes versions it ships.

use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

use crate::support::{bin, imapload, text};

/// A scenario against real servers (so no embedded-topology warning), with
/// text a YAML writer must keep exactly: quotes, a blank line, a tab, `#`.
const SCENARIO: &str = "name = \"k8s: test\"\nduration = \"1m\"\n\n[topology]\nkind = \"real\"\n\
[[topology.cas]]\nname = \"cas1\"\nurl = \"imap://cas.example.com:143\"\n\
[[topology.backend]]\nname = \"mbx1\"\nurl = \"imap://mbx1.example.com:143\"\n\
[users]\t# generated\npattern = \"u{:03}\"\npassword = \"p'w: #1\"\ncount = 30\n[load]\nsessions = 10\n";

/// Writes the scenario and runs `imapload k8s` with `args` after it.
fn generate(dir: &Path, args: &[&str]) -> std::process::Output {
    let scenario = dir.join("scenario.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let mut all = vec!["k8s", "--scenario", "scenario.toml"];
    all.extend(args);
    imapload(dir, &all)
}

fn docs(out: &std::process::Output) -> Vec<Yaml> {
    assert_eq!(out.status.code(), Some(0), "{}", text(out));
    let yaml = String::from_utf8(out.stdout.clone()).unwrap();
    YamlLoader::load_from_str(&yaml).unwrap_or_else(|e| panic!("not valid YAML: {e}\n{yaml}"))
}

fn find<'a>(docs: &'a [Yaml], kind: &str, name: &str) -> &'a Yaml {
    (docs.iter())
        .find(|d| d["kind"].as_str() == Some(kind) && d["metadata"]["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn strings(v: &Yaml) -> Vec<&str> {
    v.as_vec()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

fn env<'a>(c: &'a Yaml, name: &str) -> &'a str {
    (c["env"].as_vec().unwrap().iter())
        .find(|e| e["name"].as_str() == Some(name))
        .and_then(|e| e["value"].as_str())
        .unwrap_or_else(|| panic!("no env {name}"))
}

fn claim(pod: &Yaml) -> &str {
    (pod["volumes"].as_vec().unwrap().iter())
        .find_map(|v| v["persistentVolumeClaim"]["claimName"].as_str())
        .expect("a results volume")
}

/// Runs a container's `sh -c` line with `imapload` replaced by a script that
/// prints its arguments and exits with `exit`; returns what it printed and
/// the shell's exit code.
fn run_shell(c: &Yaml, vars: &[(&str, &str)], exit: i32) -> (String, Option<i32>) {
    assert_eq!(strings(&c["command"]), ["/bin/sh", "-c"]);
    let script = c["args"][0].as_str().unwrap();
    let bin_dir = tempfile::tempdir().unwrap();
    let fake: PathBuf = bin_dir.path().join("imapload");
    std::fs::write(&fake, format!("#!/bin/sh\necho \"$@\"\nexit {exit}\n")).unwrap();
    Command::new("chmod").arg("+x").arg(&fake).status().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("/bin/sh")
        .args(["-c", script])
        .env("PATH", path)
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap().trim().to_string(),
        out.status.code(),
    )
}

#[test]
fn k8s_prints_an_indexed_job_a_merge_job_and_the_scenario_with_the_run_id_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--shards",
        "3",
        "--image",
        "reg.example.com/imapload:1",
        "--run-id",
        "r7",
    ];
    let out = generate(dir.path(), &[&args[..], &["--namespace", "load"]].concat());
    assert!(out.stderr.is_empty(), "{}", text(&out));
    let docs = docs(&out);
    assert_eq!(docs.len(), 5);
    for d in &docs {
        assert_eq!(d["metadata"]["namespace"].as_str(), Some("load"));
        assert!(d["metadata"]["labels"]["imapload/step"].as_str().is_some());
    }
    let cm = find(&docs, "ConfigMap", "imapload-r7-scenario");
    assert_eq!(
        cm["data"]["scenario.toml"].as_str(),
        Some(SCENARIO),
        "the scenario unchanged"
    );
    let job = find(&docs, "Job", "imapload-r7-shards");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    assert_eq!(
        (spec["completions"].as_i64(), spec["parallelism"].as_i64()),
        (Some(3), Some(3))
    );
    for rule in spec["podFailurePolicy"]["rules"].as_vec().unwrap() {
        assert!(
            !rule["onPodConditions"].is_badvalue(),
            "1.28's schema wants it on every rule"
        );
    }
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"].as_bool(), Some(true));
    let sources = &pod["volumes"][0]["projected"]["sources"];
    assert_eq!(
        sources[0]["configMap"]["name"].as_str(),
        Some("imapload-r7-scenario")
    );
    shard_pods_run_their_shard(&pod["containers"][0]);
    let merge = find(&docs, "Job", "imapload-r7-merge");
    merge_runs_over_every_shard(merge);
    let pvc = find(&docs, "PersistentVolumeClaim", "imapload-results");
    assert_eq!(
        pvc["spec"]["accessModes"][0].as_str(),
        Some("ReadWriteMany")
    );
    let copy = find(&docs, "Pod", "imapload-r7-copy");
    for pod in [pod, &merge["spec"]["template"]["spec"], &copy["spec"]] {
        assert_eq!(claim(pod), "imapload-results");
    }
}

/// The shards' container (of run `r7`, 3 shards), its shell line run per index.
fn shard_pods_run_their_shard(c: &Yaml) {
    assert_eq!(c["image"].as_str(), Some("reg.example.com/imapload:1"));
    assert_eq!((env(c, "SHARDS"), env(c, "RUN_ID")), ("3", "r7"));
    for index in 0..3 {
        let k = index + 1;
        let vars = [
            ("JOB_COMPLETION_INDEX", index.to_string()),
            ("SHARDS", "3".into()),
        ];
        let vars: Vec<(&str, &str)> = vars.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let (printed, code) = run_shell(c, &vars, 0);
        assert!(
            printed.starts_with("run /scenario/scenario.toml "),
            "{printed}"
        );
        assert!(printed.contains(&format!("--shard {k}/3 ")), "{printed}");
        assert!(
            printed.contains(&format!("--out /results/r7/shard-{k} ")),
            "{printed}"
        );
        assert!(printed.contains("--fail-on never"), "{printed}");
        assert_eq!(code, Some(0));
    }
    let vars = [("JOB_COMPLETION_INDEX", "0"), ("SHARDS", "3")];
    assert_eq!(
        run_shell(c, &vars, 5).1,
        Some(0),
        "a shard's crossed threshold is the merge's"
    );
    assert_eq!(
        run_shell(c, &vars, 2).1,
        Some(2),
        "bad input fails the pod (and the Job)"
    );
}

/// The merge Job of run `r7`: imapload itself over the 3 shards, no retry.
fn merge_runs_over_every_shard(merge: &Yaml) {
    let m = &merge["spec"]["template"]["spec"]["containers"][0];
    let shards: Vec<String> = (1..=3).map(|k| format!("/results/r7/shard-{k}")).collect();
    let mut want = vec!["merge".to_string()];
    want.extend(shards);
    want.extend([
        "--out".into(),
        "/results/r7/merged".into(),
        "--force".into(),
    ]);
    assert_eq!(
        strings(&m["command"]),
        ["imapload"],
        "the exit code is imapload's own"
    );
    assert_eq!(strings(&m["args"]), want);
    assert_eq!(merge["spec"]["backoffLimit"].as_i64(), Some(0));
}

#[test]
fn k8s_refuses_bad_flags_and_bad_scenarios_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let image = ["--image", "i:1"];
    for (args, word) in [
        (vec!["--shards", "0"], "--shards"),
        (vec!["--shards", "2", "--run-id", "Run_1"], "--run-id"),
        (vec!["--shards", "2", "--namespace", "Load"], "--namespace"),
    ] {
        let out = generate(dir.path(), &[&args[..], &image[..]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(word),
            "{}",
            text(&out)
        );
        assert!(out.stdout.is_empty());
    }
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "duration = \"1m\"\n[load]\nsesions = 3\n").unwrap();
    let out = Command::new(bin())
        .args([
            "k8s",
            "--shards",
            "2",
            "--image",
            "i:1",
            "--scenario",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bad.toml:3"),
        "{}",
        text(&out)
    );
    assert!(out.stdout.is_empty());
}

/// The oldest and newest Kubernetes versions `kubernetes-validate` ships
/// schemas for, or `None` when it is not installed.
fn validator_versions() -> Option<(String, String)> {
    let code = "import kubernetes_validate.utils as u; v = sorted(set(u.all_versions()), \
                key=lambda s: tuple(int(p) for p in s.split('.'))); print(v[0], v[-1])";
    let out = Command::new("python3").args(["-c", code]).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let (old, new) = text.trim().split_once(' ')?;
    (out.status.success()).then(|| (old.to_string(), new.to_string()))
}

#[test]
fn kubernetes_validate_accepts_the_manifests_for_the_oldest_and_newest_versions() {
    let Some((oldest, newest)) = validator_versions() else {
        assert!(
            std::env::var("IMAPLOAD_REQUIRE_K8S_VALIDATE").is_err(),
            "kubernetes-validate is required here but not installed"
        );
        eprintln!(
            "skipped: kubernetes-validate is not installed (pip install kubernetes-validate)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = generate(
        dir.path(),
        &[
            "--shards",
            "4",
            "--image",
            "imapload:0.1.0",
            "--run-id",
            "ci",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let file = dir.path().join("manifests.yaml");
    std::fs::write(&file, &out.stdout).unwrap();
    for version in [&oldest, &newest] {
        let check = Command::new("kubernetes-validate")
            .args(["--strict", "--kubernetes-version", version])
            .arg(&file)
            .output()
            .expect("kubernetes-validate runs");
        let said = text(&check);
        assert_eq!(check.status.code(), Some(0), "Kubernetes {version}: {said}");
        assert_eq!(said.matches("passed for resource").count(), 5, "{said}");
    }
    // It can fail: the rule 1.28's schema rejected.
    let broken = String::from_utf8(out.stdout)
        .unwrap()
        .replace("onPodConditions: []", "");
    std::fs::write(&file, broken).unwrap();
    let check = Command::new("kubernetes-validate")
        .args(["--strict", "--kubernetes-version", &oldest])
        .arg(&file)
        .output()
        .unwrap();
    assert_ne!(check.status.code(), Some(0), "{}", text(&check));
}

//! The container files, checked as text (the image itself is built from
//! `deploy/Containerfile.scratch` by `scripts/container-smoke.sh` in CI, as
//! no registry is reachable for `deploy/Dockerfile`'s bases): a build
//! context without `target/` or `.git`, a multi-stage build on bases pinned
//! to an exact tag or digest, no package manager, a non-root user, and the
//! OCI labels carrying the version and the commit.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// `ARG NAME=default` values of a Dockerfile.
fn arg_default<'a>(file: &'a str, name: &str) -> Option<&'a str> {
    (file.lines()).find_map(|l| l.trim().strip_prefix(&format!("ARG {name}=")))
}

/// Pinned: a digest, or a tag with an exact version (`1.95.0`, `12.11`).
fn pinned(image: &str) -> bool {
    if image.contains("@sha256:") {
        return true;
    }
    let Some((_, tag)) = image.rsplit_once(':') else {
        return false;
    };
    let version = tag.split('-').next().unwrap_or_default();
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn the_dockerfile_is_multi_stage_pinned_non_root_and_labelled() {
    let file = read("deploy/Dockerfile");
    let froms: Vec<&str> = file.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(
        froms.len(),
        2,
        "a build stage and a runtime stage: {froms:?}"
    );
    for (stage, arg) in froms.iter().zip(["RUST_IMAGE", "RUNTIME_IMAGE"]) {
        assert!(stage.contains(&format!("${{{arg}}}")), "{stage}");
        let image = arg_default(&file, arg).unwrap_or_else(|| panic!("no ARG {arg}="));
        assert!(pinned(image), "{arg}={image} is not pinned");
    }
    assert!(!pinned("rust:1-bookworm") && !pinned("debian:bookworm-slim") && !pinned("x:latest"));
    assert!(
        file.contains("--from=build"),
        "the binary comes from the build stage"
    );
    assert!(!file.contains("apt-get"), "no unpinned packages");
    let user = (file.lines().rev())
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER line");
    let uid = user.split(':').next().unwrap().trim();
    assert!(uid != "0" && uid != "root", "runs as {user}");
    assert_eq!(
        uid,
        imapload::k8s::manifests::RUN_AS.to_string(),
        "the manifests' user"
    );
    assert_eq!(
        arg_default(&file, "VERSION"),
        Some(env!("CARGO_PKG_VERSION"))
    );
    for label in ["version=\"${VERSION}\"", "revision=\"${GIT_COMMIT}\""] {
        assert!(
            file.contains(&format!("org.opencontainers.image.{label}")),
            "{label}"
        );
    }
    assert!(
        file.contains("ENV IMAPLOAD_GIT_COMMIT=${GIT_COMMIT}"),
        "the commit reaches build.rs"
    );
    let smoke = read("deploy/Containerfile.scratch");
    assert!(smoke.contains("USER 10001:10001") && smoke.contains("image.revision"));
}

#[test]
fn the_build_context_leaves_out_build_output_results_and_git() {
    let ignore = read(".dockerignore");
    let lines: Vec<&str> = ignore.lines().map(str::trim).collect();
    for must in ["target/", "bench/", "results/", ".git/"] {
        assert!(lines.contains(&must), "{must} not in .dockerignore");
    }
    // What the build needs stays in.
    for needed in ["src", "build", "benches", "Cargo.lock", "scenarios"] {
        assert!(
            !lines.iter().any(|l| l.trim_end_matches('/') == needed),
            "{needed} ignored"
        );
    }
}

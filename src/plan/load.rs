//! Entry points: scenario text (or the built-in quickstart) + command-line
//! overrides -> a validated [`RunPlan`] with every default filled in.
//!
//! Parsing happens twice on purpose: once into toml's spanned tree (syntax
//! errors, and the map used to name the dotted key of any serde error), once
//! into the raw serde structs. Scenario files are small; clear errors matter more.

use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::de::DeTable;

use super::faults::RunEnd;
use super::fields::Zero;
use super::scenario::{RawScenario, RawUsers};
use super::session::SecurityKeys;
use super::span::Ctx;
use super::steady;
use super::users::{
    check_backends, embedded_token, expand, read_users_csv, Pattern, UNKNOWN_BACKEND,
};
use super::{
    faults, load_model, monitors, session, stages, thresholds, topology, LoginMethod, OutputPlan,
    Overrides, RunPlan, SessionPlan, TlsPlan, TopologyPlan, User,
};
use crate::error::InputError;
use crate::imap::protolog::{Settings as ProtoLogSettings, DEFAULT_SAMPLE};

/// The built-in quickstart, used when `imapload run` gets no scenario. Errors
/// in it are reported as [`QUICKSTART_ORIGIN`] (they can only come from overrides).
pub const QUICKSTART: &str = include_str!("../../scenarios/quickstart.toml");

/// The path the built-in quickstart is reported as.
pub const QUICKSTART_ORIGIN: &str = "scenarios/quickstart.toml";

/// Loads a scenario file (`None` = built-in quickstart), applies CLI overrides,
/// validates, fills every default. The plan's `scenario` is the path given, or
/// `None` for the quickstart.
pub fn load(scenario: Option<&Path>, overrides: &Overrides) -> Result<RunPlan, InputError> {
    match scenario {
        None => {
            let mut plan = load_text(QUICKSTART, Path::new(QUICKSTART_ORIGIN), overrides, true)?;
            plan.scenario = None;
            Ok(plan)
        }
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                InputError::at(path, None, None, format!("cannot read scenario file: {e}"))
            })?;
            load_str(&text, path, overrides)
        }
    }
}

/// Same from text (tests and the built-in quickstart); `origin` is the path
/// reported in errors and stored as the plan's `scenario`; relative paths
/// inside (users file, ca_file) resolve against origin's directory.
pub fn load_str(text: &str, origin: &Path, overrides: &Overrides) -> Result<RunPlan, InputError> {
    load_text(text, origin, overrides, false)
}

/// [`load_str`]; `builtin` says the text is the built-in quickstart, whose
/// values for its embedded servers step aside (are not refused) when flags
/// make the topology real, since the user did not write them: the session's
/// security, STARTTLS share and login method (see [`SecurityKeys::SetAside`])
/// and the CAS share (`load_model`).
fn load_text(
    text: &str,
    origin: &Path,
    overrides: &Overrides,
    builtin: bool,
) -> Result<RunPlan, InputError> {
    let ctx = Ctx::new(origin, text);
    let root = DeTable::parse(text).map_err(|e| ctx.toml_error(&e, None))?;
    let raw: RawScenario =
        toml::from_str(text).map_err(|e| ctx.toml_error(&e, Some(root.get_ref())))?;
    build(&ctx, &raw, origin, overrides, builtin)
}

fn build(
    ctx: &Ctx,
    raw: &RawScenario,
    origin: &Path,
    ov: &Overrides,
    builtin: bool,
) -> Result<RunPlan, InputError> {
    let name = super::name::scenario_name(ctx, raw, origin)?;
    let seed = match ov.seed {
        Some(s) => s,
        None => ctx.int(&raw.seed, "seed", 0, i64::MAX, 1)? as u64,
    };
    let topology = topology::build(ctx, &raw.topology, ov)?;
    let mut load = load_model::build(ctx, raw, ov, &topology, builtin)?;
    let duration = stages::duration(ctx, raw, ov, &load)?;
    steady::apply(ctx, raw, &mut load.plan, duration)?;
    let keys = match (&topology, builtin) {
        (TopologyPlan::Embedded(_), _) => SecurityKeys::Allowed,
        (TopologyPlan::Real(_), false) => SecurityKeys::Refused,
        (TopologyPlan::Real(_), true) => SecurityKeys::SetAside,
    };
    let session = session::build(ctx, &raw.session, ov, keys)?;
    let mut topology = topology;
    let users = users(ctx, raw, origin, ov, &mut topology)?;
    let users = with_tokens(ctx, raw, users, &topology, &session)?;
    let interval = ctx.dur(
        &raw.interval,
        "interval",
        Zero::Rejected,
        Duration::from_secs(1),
    )?;
    let end = RunEnd {
        duration,
        from_flag: ov.duration.is_some(),
    };
    let faults = faults::build(ctx, &raw.faults, &topology, &end)?;
    let shard = ov.shard.as_deref().map(super::Shard::parse).transpose()?;
    let tls = tls(ctx, raw, origin, ov, &topology)?;
    let population = super::population::build(ctx, raw, ov, load.plan.model)?;
    if let (Some(_), TopologyPlan::Embedded(e)) = (&population, &mut topology) {
        e.mailset = Some(crate::mailset::MailSet::default());
    }
    let plan = RunPlan {
        scenario: Some(origin.to_path_buf()),
        name,
        seed,
        duration,
        interval,
        load: load.plan,
        topology,
        users,
        session,
        tls,
        output: OutputPlan {
            out: ov.out.clone().or_else(|| {
                raw.output
                    .as_ref()
                    .and_then(|o| o.get_ref().out.as_ref())
                    .map(|o| PathBuf::from(o.get_ref()))
            }),
            force: ov.force,
            quiet: ov.quiet,
            protocol_log: protocol_log(ov)?,
            tables_on_stderr: false,
            metrics_listen: metrics_listen(ctx, raw, ov)?,
        },
        monitors: monitors::build(ctx, &raw.monitors, interval)?,
        probes: monitors::probes(ctx, &raw.probes)?,
        faults,
        shard: None,
        thresholds: thresholds::build(ctx, &raw.thresholds, &ov.thresholds, ov.abort_on_fail)?,
        population,
    };
    match shard {
        Some(s) => super::shard::apply(plan, s),
        None => Ok(plan),
    }
}

/// `--metrics-listen` (first) or `[output] metrics_listen`, parsed.
fn metrics_listen(
    ctx: &Ctx,
    raw: &RawScenario,
    ov: &Overrides,
) -> Result<Option<std::net::SocketAddr>, InputError> {
    if let Some(flag) = &ov.metrics_listen {
        let addr = crate::plan::parse_listen(flag);
        return addr
            .map(Some)
            .map_err(|m| InputError::new("--metrics-listen", m));
    }
    let key = raw
        .output
        .as_ref()
        .and_then(|o| o.get_ref().metrics_listen.as_ref());
    let Some(key) = key else { return Ok(None) };
    let addr = crate::plan::parse_listen(key.get_ref());
    addr.map(Some)
        .map_err(|m| ctx.at(key.span(), "output.metrics_listen", m))
}

/// `--protocol-log DIR [--protocol-log-sample F]`, checked.
fn protocol_log(ov: &Overrides) -> Result<Option<ProtoLogSettings>, InputError> {
    let sample = ov.protocol_log_sample.unwrap_or(DEFAULT_SAMPLE);
    if !(sample > 0.0 && sample <= 1.0) {
        let msg = format!("{sample} is out of range; expected a share of sessions > 0 and <= 1, e.g. 0.01 (1%) or 1 (all)");
        return Err(InputError::new("--protocol-log-sample", msg));
    }
    match &ov.protocol_log {
        None if ov.protocol_log_sample.is_some() => Err(InputError::new(
            "--protocol-log-sample",
            "needs --protocol-log DIR (where the logs go)",
        )),
        None => Ok(None),
        Some(dir) => Ok(Some(ProtoLogSettings {
            dir: dir.clone(),
            sample,
        })),
    }
}

/// `path` as written in the scenario, made relative to the scenario's folder.
fn resolve(origin: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    match origin.parent() {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p.to_path_buf(),
    }
}

/// Fills and checks OAuth 2 tokens: on the embedded topology a user without
/// one gets `tok-<user>` (what those servers accept); against real servers an
/// XOAUTH2 / OAUTHBEARER run without `token_command` needs every user's token.
fn with_tokens(
    ctx: &Ctx,
    raw: &RawScenario,
    mut users: Vec<User>,
    topo: &TopologyPlan,
    session: &SessionPlan,
) -> Result<Vec<User>, InputError> {
    let oauth = match session.login {
        LoginMethod::XOAuth2 | LoginMethod::OAuthBearer => session.token_command.is_none(),
        LoginMethod::Login | LoginMethod::AuthenticatePlain | LoginMethod::Mixed => false,
    };
    match topo {
        TopologyPlan::Embedded(_) => {
            for u in users.iter_mut().filter(|u| u.token.is_none()) {
                u.token = Some(embedded_token(&u.name));
            }
        }
        TopologyPlan::Real(_) if oauth => {
            if let Some(u) = users.iter().find(|u| u.token.is_none()) {
                let login = raw
                    .session
                    .as_ref()
                    .and_then(|s| s.get_ref().login.as_ref());
                let span = login.map_or(0..0, |l| l.span());
                let msg = format!(
                    "needs an OAuth 2 access token per user and user `{}` has none; give a \
                     `token` column in the users file (user,password,backend,token) or \
                     [session] token_command",
                    u.name
                );
                return Err(ctx.at(span, "session.login", msg));
            }
        }
        TopologyPlan::Real(_) => {}
    }
    Ok(users)
}

fn users(
    ctx: &Ctx,
    raw: &RawScenario,
    origin: &Path,
    ov: &Overrides,
    topo: &mut TopologyPlan,
) -> Result<Vec<User>, InputError> {
    if let Some(path) = &ov.users {
        let rows = read_users_csv(path).map_err(|mut e| {
            if e.line.is_none() && e.key.is_none() {
                e.key = Some("--users".into()); // name the flag that gave the file
            }
            e
        })?;
        return homes(path, rows, topo);
    }
    let default = RawUsers::default();
    let u = raw.users.as_ref().map_or(&default, |s| s.get_ref());
    if let Some(file) = &u.file {
        if u.pattern.is_some() || u.count.is_some() || u.password.is_some() {
            return Err(ctx.at(
                file.span(),
                "users.file",
                "`file` replaces `pattern`, `count` and `password`; give one or the other",
            ));
        }
        let path = resolve(origin, file.get_ref());
        let rows = read_users_csv(&path).map_err(|mut e| {
            if e.line.is_none() {
                // The file could not be opened: point at the key that names it.
                e = ctx.at(
                    file.span(),
                    "users.file",
                    format!("{}: {}", path.display(), e.message),
                );
            }
            e
        })?;
        return homes(&path, rows, topo);
    }
    let pattern = |field: &Option<toml::Spanned<String>>, key: &str, default: &str| match field {
        None => Pattern::parse(default).map_err(|m| ctx.missing(None, key, m)),
        Some(p) => Pattern::parse(p.get_ref()).map_err(|m| ctx.at(p.span(), key, m)),
    };
    let name = pattern(&u.pattern, "users.pattern", "user{:05}")?;
    let password = pattern(&u.password, "users.password", "secret")?;
    let count = ctx.int(&u.count, "users.count", 1, 10_000_000, 1000)? as usize;
    if !name.has_placeholder() && count > 1 {
        let span = u.pattern.as_ref().map_or(0..0, |p| p.span());
        return Err(ctx.at(
            span,
            "users.pattern",
            format!("{count} users would share one name; add `{{}}` or `{{:0N}}` for the index"),
        ));
    }
    if let TopologyPlan::Real(r) = topo {
        if r.backends.is_empty() {
            // CAS-only: pattern users name no home; the CAS's answer may.
            r.behind_cas = vec![UNKNOWN_BACKEND.to_string()];
        }
    }
    Ok(expand(&name, &password, count, &topo.backend_names()))
}

/// Checks the users' home back ends against the topology; in a CAS-only run
/// (no back end has a URL) the names the file gives become the back ends
/// behind the CAS instead, and a row without one is homed on `unknown`.
fn homes(
    path: &Path,
    rows: Vec<(User, usize)>,
    topo: &mut TopologyPlan,
) -> Result<Vec<User>, InputError> {
    match topo {
        TopologyPlan::Real(r) if r.backends.is_empty() => {
            let mut rows = rows;
            for (user, _) in rows.iter_mut() {
                if user.backend.is_empty() {
                    user.backend = UNKNOWN_BACKEND.to_string();
                }
                if !r.behind_cas.contains(&user.backend) {
                    r.behind_cas.push(user.backend.clone());
                }
            }
            Ok(rows.into_iter().map(|(u, _)| u).collect())
        }
        TopologyPlan::Real(_) | TopologyPlan::Embedded(_) => {
            check_backends(path, rows, &topo.backend_names())
        }
    }
}

fn tls(
    ctx: &Ctx,
    raw: &RawScenario,
    origin: &Path,
    ov: &Overrides,
    topology: &TopologyPlan,
) -> Result<TlsPlan, InputError> {
    let default = Default::default();
    let t = raw.tls.as_ref().map_or(&default, |s| s.get_ref());
    let readable = |p: &Path| match std::fs::File::open(p).and_then(|f| f.metadata()) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(format!(
            "{} is not a file; expected a PEM file of CA certificates",
            p.display()
        )),
        Err(e) => Err(format!("cannot read {}: {e}", p.display())),
    };
    let ca_file = match (&ov.ca_file, &t.ca_file) {
        (Some(p), _) => {
            readable(p).map_err(|m| InputError::new("--ca-file", m))?;
            Some(p.clone())
        }
        (None, Some(f)) => {
            let p = resolve(origin, f.get_ref());
            readable(&p).map_err(|m| ctx.at(f.span(), "tls.ca_file", m))?;
            Some(p)
        }
        (None, None) => None,
    };
    let insecure = ov.insecure || t.insecure.as_ref().is_some_and(|b| *b.get_ref());
    Ok(TlsPlan {
        ca_file,
        insecure,
        server_name: tls_server_name(ov, topology)?,
    })
}

/// `--tls-server-name`: a usable name, and only for real servers (the embedded
/// ones have certificates for their own addresses).
fn tls_server_name(ov: &Overrides, topology: &TopologyPlan) -> Result<Option<String>, InputError> {
    let Some(name) = &ov.tls_server_name else {
        return Ok(None);
    };
    let flag = "--tls-server-name";
    match topology {
        TopologyPlan::Embedded(_) => Err(InputError::new(
            flag,
            "only applies to real servers (--cas / --backend or kind = \"real\"); \
             the embedded servers' certificates name their own addresses",
        )),
        TopologyPlan::Real(_) => {
            crate::imap::url::check_sni(name, flag).map_err(|m| InputError::new(flag, m))?;
            Ok(Some(name.clone()))
        }
    }
}

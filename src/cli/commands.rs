//! The subcommands that need more than a call into the library: their flags
//! checked and turned into the library's options.

use crate::error::Failure;
use crate::plan;

use super::args::{CompareArgs, ProbeArgs, ReportArgs, ServeArgs};
use super::interrupt_token;

/// `imapload serve`: the embedded topology in the foreground until Ctrl-C.
pub async fn serve(a: ServeArgs) -> Result<i32, Failure> {
    if a.backends == 0 || a.cas == 0 || a.users == 0 || a.workers == 0 {
        return Err(crate::error::InputError::new(
            "--backends/--cas/--users/--workers",
            "must be at least 1",
        )
        .into());
    }
    // The embedded servers hold two sockets per client session.
    let _ = crate::fdlimit::raise();
    let opts = crate::serve::ServeOptions {
        cas: a.cas,
        backends: a.backends,
        listen: a.listen,
        port_base: a.port_base,
        users: a.users,
        seed: a.seed,
        workers_per_backend: a.workers,
        dir: a.dir,
        service: crate::serve::parse_service_time(&a.service_time)
            .map_err(|m| crate::error::InputError::new("--service-time", m))?,
        only: match a.only {
            Some(list) => {
                crate::serve::check_only(&list, a.cas, a.backends)
                    .map_err(|m| crate::error::InputError::new("--only", m))?;
                if a.port_base.is_none() {
                    return Err(crate::error::InputError::new(
                        "--only",
                        "needs --port-base, so that the processes of one topology agree on its ports",
                    )
                    .into());
                }
                Some(list)
            }
            None => None,
        },
        login_disabled_without_tls: a.login_disabled_without_tls,
        metrics_listen: (a.metrics_listen.as_deref())
            .map(crate::plan::parse_listen)
            .transpose()
            .map_err(|m| crate::error::InputError::new("--metrics-listen", m))?,
    };
    crate::serve::serve(opts, interrupt_token())
        .await
        .map_err(Failure::Run)?;
    Ok(0)
}

/// `imapload compare`: two results directories, row by row.
pub fn compare(a: CompareArgs) -> Result<i32, Failure> {
    let min_delta = plan::parse_duration(&a.min_delta)
        .or_else(|e| {
            if a.min_delta.trim() == "0" {
                Ok(std::time::Duration::ZERO)
            } else {
                Err(e)
            }
        })
        .map_err(|e| crate::error::InputError::new("--min-delta", e))?;
    if !(a.alpha > 0.0 && a.alpha < 1.0) {
        let msg = format!("{} is not a significance level; give e.g. 0.05", a.alpha);
        return Err(crate::error::InputError::new("--alpha", msg).into());
    }
    let opts = crate::compare::CompareOptions {
        max_regression_pct: crate::compare::parse_max_regression(&a.max_regression)?,
        metric: a.metric,
        min_samples: a.min_samples,
        alpha: a.alpha,
        min_delta_us: min_delta.as_micros() as u64,
        format: a.format,
    };
    let (base, current) = crate::compare::input::sides(&a.runs, &a.current)?;
    crate::compare::command(&base, &current, &opts)
}

/// `imapload report`: (re)writes `report.html` from the files.
pub fn report(a: ReportArgs) -> Result<i32, Failure> {
    if !a.results.join(crate::results::files::RUN_JSON).is_file() {
        let msg = format!(
            "{} is not an imapload results directory (no run.json)",
            a.results.display()
        );
        return Err(crate::error::InputError::new("RESULTS", msg).into());
    }
    // A damaged results file is bad input (exit 2) naming its file, line and column.
    let path = crate::report::html::write(&a.results).map_err(|e| match e
        .downcast::<crate::error::InputError>()
    {
        Ok(input) => Failure::Input(input),
        Err(e) => Failure::Run(e),
    })?;
    println!("{}", path.display());
    Ok(0)
}

/// The password in `file`: its first line, without the line end (what
/// `echo secret > file` and a mounted Secret hold). Unreadable or empty is
/// bad input naming the file, never showing its content.
fn password_file(file: &std::path::Path) -> Result<String, Failure> {
    use crate::error::InputError;
    let key = Some("--password-file".to_string());
    let text = std::fs::read_to_string(file)
        .map_err(|e| InputError::at(file, None, key.clone(), format!("cannot read ({e})")))?;
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        return Err(InputError::at(file, Some(1), key, "the first line is empty").into());
    }
    Ok(line.to_string())
}

/// `imapload probe`: one Exchange probe, printed like Invoke-MonitoringProbe.
pub async fn probe(mut a: ProbeArgs) -> Result<i32, Failure> {
    use crate::error::InputError;
    use crate::probe::{format_list, run_probe, ProbeKind};
    if let Some(file) = a.password_file.take() {
        a.password = password_file(&file)?;
    }
    let kind = ProbeKind::parse(&a.probe).map_err(|e| InputError::new("PROBE", e))?;
    let mut endpoint =
        crate::imap::url::Endpoint::parse(&a.server).map_err(|e| InputError::new("--server", e))?;
    if let Some(name) = a.tls.tls_server_name {
        let flag = "--tls-server-name";
        crate::imap::url::check_sni(&name, flag).map_err(|m| InputError::new(flag, m))?;
        endpoint.sni = Some(name);
    }
    if !kind.light() && (a.user.is_empty() || a.password.is_empty()) {
        let msg = format!(
            "{} logs in: give --user and --password-file (or --password, or IMAPLOAD_PASSWORD)",
            kind.name()
        );
        return Err(InputError::new("--user/--password", msg).into());
    }
    // As in users files: a credential must not be able to change the command stream.
    for (key, value) in [("--user", &a.user), ("--password", &a.password)] {
        if value.contains(['\r', '\n', '\0']) {
            let msg = "contains a line break or NUL, which IMAP cannot carry in a login";
            return Err(InputError::new(key, msg).into());
        }
    }
    let timeout = match a.timeout.as_deref() {
        Some(t) => match plan::parse_duration(t) {
            Ok(d) if !d.is_zero() => d,
            Ok(_) => return Err(InputError::new("--timeout", "must be more than zero").into()),
            Err(e) => return Err(InputError::new("--timeout", e).into()),
        },
        None if kind.light() => plan::ProbePlan::default().timeout_light,
        None => plan::ProbePlan::default().timeout_full,
    };
    let tls = crate::imap::tls::TlsClient::new(a.tls.ca_file.as_deref(), None, a.tls.insecure)?;
    if a.tls.insecure {
        eprintln!("{}", crate::imap::tls::INSECURE_WARNING);
    }
    let result = run_probe(
        kind,
        &a.server,
        &endpoint,
        &tls,
        &a.user,
        &a.password,
        timeout,
        false,
    )
    .await;
    print!("{}", format_list(&result));
    Ok(if result.ok { 0 } else { 3 })
}

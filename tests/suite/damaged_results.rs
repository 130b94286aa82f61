//! Damaged results files (issue 23): `health`, `report` and `merge` on a
//! results directory whose CSV has a cell that is not a number, a short row
//! or a missing column exit 2 naming the file, line and column; a
//! half-written last row (a run killed while appending) is left out with a
//! warning and the rest still read; an unreadable histogram in an `.hlog`
//! is left out of the report with a warning and a note on the page, and is
//! an error naming its line, row and interval where exact sums depend on it
//! (`health`, `merge`).

use std::path::{Path, PathBuf};

use crate::support::*;

/// A results directory and two shards of one scenario, written once.
struct Runs {
    _dir: tempfile::TempDir,
    whole: PathBuf,
    shards: [PathBuf; 2],
}

fn runs() -> Runs {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let run = |out: &str, shard: Option<&str>| {
        let mut args = vec!["run", "-d", "2s", "-s", "10", "-q", "--out", out];
        args.extend(shard.map(|s| ["--shard", s]).into_iter().flatten());
        let o = imapload(dir.path(), &args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        dir.path().join(out)
    };
    Runs {
        whole: run("whole", None),
        shards: [run("s1", Some("1/2")), run("s2", Some("2/2"))],
        _dir: dir,
    }
}

/// How a file is damaged.
#[derive(Clone, Copy)]
enum Damage {
    /// The cell of this column in the first data row (line 2) becomes `xx`.
    NotANumber(&'static str),
    /// This column is gone from every row.
    NoColumn(&'static str),
    /// The last line loses its second half (and its line end).
    HalfLastLine,
    /// The histogram of the line in the middle loses its second half.
    CutHistogram,
    /// The file ends inside the row tag of its last line.
    CutInTag,
}

fn damage(file: &Path, how: Damage) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header: Vec<String> = lines[0].split(',').map(String::from).collect();
    let col = |c: &str| header.iter().position(|h| h == c).unwrap();
    let out = match how {
        Damage::NotANumber(c) => {
            let i = col(c);
            let mut cells: Vec<&str> = lines[1].split(',').collect();
            cells[i] = "xx";
            lines[1] = cells.join(",");
            lines.join("\n") + "\n"
        }
        Damage::NoColumn(c) => {
            let i = col(c);
            let cut = |l: &String| {
                let mut cells: Vec<&str> = l.split(',').collect();
                cells.remove(i);
                cells.join(",")
            };
            lines.iter().map(cut).collect::<Vec<_>>().join("\n") + "\n"
        }
        Damage::HalfLastLine => {
            let last = lines.pop().unwrap();
            lines.push(last[..last.len() / 2].to_string());
            lines.join("\n")
        }
        Damage::CutInTag => {
            let last = lines.pop().unwrap();
            lines.push(last[.."Tag=cas.c".len()].to_string());
            lines.join("\n")
        }
        Damage::CutHistogram => {
            let n = lines.len() / 2;
            assert!(lines[n].starts_with("Tag="), "{}", lines[n]);
            let keep = lines[n].len() - 12;
            lines[n].truncate(keep);
            lines.join("\n") + "\n"
        }
    };
    std::fs::write(file, out).unwrap();
}

/// One case: a command on a copy of the runs with one file damaged.
struct Case {
    command: &'static str,
    file: &'static str,
    damage: Damage,
    /// The exit code it must end with.
    code: i32,
    /// Words its stderr must contain.
    expect: &'static [&'static str],
}

const fn case(
    command: &'static str,
    file: &'static str,
    damage: Damage,
    code: i32,
    expect: &'static [&'static str],
) -> Case {
    Case {
        command,
        file,
        damage,
        code,
        expect,
    }
}

use Damage::*;

const LAST_ROW: &str = "the last row does not read";

const CASES: &[Case] = &[
    case(
        "health",
        "timeseries.csv",
        NotANumber("count"),
        2,
        &["timeseries.csv:2: count: `xx` is not a number"],
    ),
    case(
        "report",
        "timeseries.csv",
        NotANumber("count"),
        2,
        &["timeseries.csv:2: count: `xx` is not a number"],
    ),
    case(
        "merge",
        "timeseries.csv",
        NotANumber("count"),
        2,
        &["timeseries.csv:2: count: `xx` is not a number"],
    ),
    case(
        "health",
        "timeseries.csv",
        NoColumn("count"),
        2,
        &["timeseries.csv:1: count: missing column"],
    ),
    case(
        "report",
        "timeseries.csv",
        NoColumn("p99_us"),
        2,
        &["timeseries.csv:1: p99_us: missing column"],
    ),
    case(
        "merge",
        "timeseries.csv",
        NoColumn("count"),
        2,
        &["timeseries.csv:1: count: missing column"],
    ),
    case(
        "health",
        "queue.csv",
        NotANumber("depth_mean"),
        2,
        &["queue.csv:2: depth_mean: `xx` is not a number"],
    ),
    case(
        "report",
        "queue.csv",
        NotANumber("depth_max"),
        2,
        &["queue.csv:2: depth_max: `xx` is not a number"],
    ),
    case(
        "merge",
        "queue.csv",
        NoColumn("depth_mean"),
        2,
        &["queue.csv:1: depth_mean: missing column"],
    ),
    case(
        "health",
        "probes.csv",
        NotANumber("latency_ms"),
        2,
        &["probes.csv:2: latency_ms: `xx` is not a number"],
    ),
    case(
        "report",
        "probes.csv",
        NoColumn("latency_ms"),
        2,
        &["probes.csv:1: latency_ms: missing column"],
    ),
    case(
        "merge",
        "probes.csv",
        NotANumber("t_s"),
        2,
        &["probes.csv:2: t_s: `xx` is not a number"],
    ),
    case(
        "report",
        "summary.csv",
        NotANumber("count"),
        2,
        &["summary.csv:2: count: `xx` is not a number"],
    ),
    case(
        "report",
        "summary.csv",
        NoColumn("errors"),
        2,
        &["summary.csv:1: errors: missing column"],
    ),
    case(
        "merge",
        "summary.csv",
        NotANumber("count"),
        2,
        &["summary.csv:2: count:"],
    ),
    // A run killed while appending: the rest still reads, and the loss is said.
    case(
        "health",
        "timeseries.csv",
        HalfLastLine,
        0,
        &["warning", "timeseries.csv", LAST_ROW],
    ),
    case(
        "report",
        "timeseries.csv",
        HalfLastLine,
        0,
        &["warning", "timeseries.csv", LAST_ROW],
    ),
    case(
        "health",
        "queue.csv",
        HalfLastLine,
        0,
        &["warning", "queue.csv", LAST_ROW],
    ),
    case(
        "merge",
        "queue.csv",
        HalfLastLine,
        0,
        &["warning", "queue.csv", LAST_ROW],
    ),
    case(
        "health",
        "probes.csv",
        HalfLastLine,
        0,
        &["warning", "probes.csv", LAST_ROW],
    ),
    case(
        "report",
        "summary.csv",
        HalfLastLine,
        0,
        &["warning", "summary.csv", LAST_ROW],
    ),
    // The merge adds the series up to summary.csv: a shard that lost a row adds up to less.
    case(
        "merge",
        "timeseries.csv",
        HalfLastLine,
        2,
        &["warning", LAST_ROW, "adds up to"],
    ),
    case(
        "report",
        "latency.hlog",
        CutHistogram,
        0,
        &["warning: latency.hlog: left out", "of the interval at"],
    ),
    case(
        "report",
        "latency.hlog",
        CutInTag,
        0,
        &["warning: latency.hlog: left out", "1 histogram unreadable"],
    ),
    case(
        "report",
        "service.hlog",
        HalfLastLine,
        0,
        &["warning: service.hlog: left out"],
    ),
    case(
        "merge",
        "latency.hlog",
        CutHistogram,
        2,
        &["latency.hlog:", "bad histogram", "in the interval at"],
    ),
    case(
        "merge",
        "service.hlog",
        HalfLastLine,
        2,
        &["service.hlog:", "bad histogram", "in the interval at"],
    ),
];

/// Copies `from` to `to` (a results directory: files only).
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Runs one case; what is wrong with its outcome.
fn check(runs: &Runs, c: &Case) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (damaged, args): (PathBuf, Vec<&str>) = match c.command {
        "merge" => {
            copy(&runs.shards[0], &d.join("s1"));
            copy(&runs.shards[1], &d.join("s2"));
            (d.join("s1"), vec!["merge", "s1", "s2", "-o", "m"])
        }
        cmd => {
            copy(&runs.whole, &d.join("r"));
            (d.join("r"), vec![cmd, "r"])
        }
    };
    damage(&damaged.join(c.file), c.damage);
    let o = imapload(d, &args);
    let err = String::from_utf8_lossy(&o.stderr);
    let mut wrong = Vec::new();
    if o.status.code() != Some(c.code) {
        wrong.push(format!("exit {:?}, not {}", o.status.code(), c.code));
    }
    wrong.extend(
        (c.expect.iter())
            .filter(|w| !err.contains(*w))
            .map(|w| format!("no `{w}`")),
    );
    if c.command == "report" && c.code == 0 {
        let page = std::fs::read_to_string(damaged.join("report.html")).unwrap_or_default();
        let said = err
            .lines()
            .find_map(|l| l.strip_prefix("imapload: warning: "));
        let noted =
            said.is_some_and(|s| page.contains(&s.replace('`', "&#96;")) || page.contains(s));
        if !noted {
            wrong.push("the warning is not noted on the page".to_string());
        }
    }
    let what = format!("{} on {} ({:?})", c.command, c.file, c.expect);
    (!wrong.is_empty()).then(|| format!("{what}: {} -- stderr: {err}", wrong.join(", ")))
}

#[test]
fn damaged_results_files_are_named_with_line_and_column_or_left_out_with_a_warning() {
    let runs = runs();
    let failures: Vec<String> = CASES.iter().filter_map(|c| check(&runs, c)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

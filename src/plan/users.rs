//! The user population: pattern users (`user{:05}`) expanded here, or a CSV
//! file `user,password,backend[,token]` read with line numbers so that a bad
//! row in a 50,000-line export can be found without bisecting the file. The
//! optional fourth column is the user's OAuth 2 access token (XOAUTH2 /
//! OAUTHBEARER logins); it may be empty on some rows.

use std::collections::HashMap;
use std::path::Path;

use super::User;
use crate::error::InputError;

const COLUMNS: [&str; 3] = ["user", "password", "backend"];
/// The optional fourth column.
const TOKEN: &str = "token";

/// The token pattern users get: what the embedded servers accept for them.
pub fn embedded_token(user: &str) -> String {
    format!("tok-{user}")
}

/// The home back end of a user of a CAS-only run whose row names none: the
/// CAS's answer may name it (`[Proxy=mbx2]`), else its commands count here.
pub const UNKNOWN_BACKEND: &str = "unknown";

/// Loads a users CSV (`user,password,backend`, header row optional but
/// recognized if the first row is exactly that). Errors name the file, the
/// line and the column. Fields are trimmed; lines starting with `#` are comments.
pub fn load_users_csv(path: &Path) -> Result<Vec<User>, InputError> {
    Ok(read_users_csv(path)?.into_iter().map(|(u, _)| u).collect())
}

/// [`load_users_csv`] keeping each user's line, so later checks (an unknown
/// back end) can still point at the row.
pub(crate) fn read_users_csv(path: &Path) -> Result<Vec<(User, usize)>, InputError> {
    let cant = |e: &dyn std::fmt::Display| {
        InputError::at(path, None, None, format!("cannot read users file: {e}"))
    };
    let bytes = std::fs::read(path).map_err(|e| cant(&e))?;
    let line_at = |byte: u64| line_of_byte(&bytes, byte);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes.as_slice());
    let mut users = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| line_at(p.byte()));
            InputError::at(path, line, None, format!("not valid CSV: {e}"))
        })?;
        let line = record.position().map_or(i + 1, |p| line_at(p.byte()));
        if i == 0 && record.iter().take(3).eq(COLUMNS) && record.get(3).is_none_or(|t| t == TOKEN) {
            continue;
        }
        check_row(path, line, &record)?;
        let name = record[0].to_string();
        if let Some(first) = first_line.insert(name.clone(), line) {
            let msg = format!("duplicate user `{name}` (first on line {first})");
            return Err(InputError::at(path, Some(line), Some("user".into()), msg));
        }
        let user = User {
            name,
            password: record[1].to_string(),
            backend: record[2].to_string(),
            token: record.get(3).filter(|t| !t.is_empty()).map(str::to_string),
        };
        users.push((user, line));
    }
    if users.is_empty() {
        return Err(InputError::at(
            path,
            None,
            None,
            "no users; expected rows of user,password,backend",
        ));
    }
    Ok(users)
}

/// The 1-based line of the record starting at `byte`. Lines are counted from
/// byte offsets: csv's own counter and record start positions do not account
/// for skipped blank and comment lines.
fn line_of_byte(bytes: &[u8], byte: u64) -> usize {
    let mut at = (byte as usize).min(bytes.len());
    while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r' | b'#') {
        at = match bytes[at] {
            b'#' => bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| at + p + 1),
            _ => at + 1,
        };
    }
    1 + bytes[..at].iter().filter(|&&b| b == b'\n').count()
}

/// A data row's shape: three or four columns, a non-empty user and password
/// that an IMAP login can carry.
fn check_row(path: &Path, line: usize, record: &csv::StringRecord) -> Result<(), InputError> {
    let at = |key: &str, msg: String| InputError::at(path, Some(line), Some(key.to_string()), msg);
    if record.len() < COLUMNS.len() {
        let missing = COLUMNS[record.len()];
        return Err(at(
            missing,
            format!("missing column `{missing}`; each row is user,password,backend"),
        ));
    }
    if record.len() > COLUMNS.len() + 1 {
        return Err(InputError::at(
            path,
            Some(line),
            None,
            format!(
                "{} columns; each row is user,password,backend and optionally token",
                record.len()
            ),
        ));
    }
    // An empty `backend` is allowed here: a CAS-only run finds the home
    // back end itself; [`check_backends`] refuses it for other runs.
    for (col, value) in COLUMNS.iter().zip(record.iter()).take(2) {
        if value.is_empty() {
            return Err(at(
                col,
                format!("empty `{col}`; every row needs user,password,backend"),
            ));
        }
    }
    for (col, value) in COLUMNS.iter().zip(record.iter()).take(2) {
        if let Some(what) = control_char(value) {
            return Err(at(
                col,
                format!("`{col}` holds {what}, which IMAP cannot carry in a login; remove it"),
            ));
        }
    }
    Ok(())
}

/// The first character of `value` that no IMAP login can carry (CR, LF or
/// NUL: in a quoted string or literal they would end the command line or be
/// refused), named; `None` when the value is safe to send.
pub(crate) fn control_char(value: &str) -> Option<&'static str> {
    value.bytes().find_map(|b| match b {
        b'\r' => Some("a carriage return (CR)"),
        b'\n' => Some("a line break (LF)"),
        0 => Some("a NUL byte"),
        _ => None,
    })
}

/// Checks that every CSV user's back end is one of `known`, pointing at the row otherwise.
pub(crate) fn check_backends(
    path: &Path,
    users: Vec<(User, usize)>,
    known: &[String],
) -> Result<Vec<User>, InputError> {
    users
        .into_iter()
        .map(|(u, line)| {
            if known.contains(&u.backend) {
                Ok(u)
            } else if u.backend.is_empty() {
                Err(InputError::at(
                    path,
                    Some(line),
                    Some("backend".to_string()),
                    format!("empty `backend`; name one of: {} (only a CAS-only run, with no back-end URLs, may leave it empty)", known.join(", ")),
                ))
            } else {
                Err(InputError::at(
                    path,
                    Some(line),
                    Some("backend".to_string()),
                    format!(
                        "unknown back end `{}`; known back ends: {}",
                        u.backend,
                        known.join(", ")
                    ),
                ))
            }
        })
        .collect()
}

/// A name pattern with at most one `{}` / `{:0N}` placeholder for the 1-based user index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    prefix: String,
    /// `None` = no placeholder; `Some(w)` = zero-padded to `w` digits (0 = no padding).
    width: Option<usize>,
    suffix: String,
}

impl Pattern {
    /// Parses `text`; the error says which placeholders are allowed.
    pub(crate) fn parse(text: &str) -> Result<Pattern, String> {
        let allowed =
            "use `{}` or `{:0N}` (N digits, zero-padded) for the 1-based user index, at most once";
        if let Some(what) = control_char(text) {
            return Err(format!(
                "holds {what}, which IMAP cannot carry in a login; remove it"
            ));
        }
        let Some(open) = text.find('{') else {
            if text.contains('}') {
                return Err(format!("stray `}}` in \"{text}\"; {allowed}"));
            }
            return Ok(Pattern {
                prefix: text.to_string(),
                width: None,
                suffix: String::new(),
            });
        };
        let close = text[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| format!("unclosed `{{` in \"{text}\"; {allowed}"))?;
        let inner = &text[open + 1..close];
        let width = match inner.strip_prefix(":0") {
            _ if inner.is_empty() => 0,
            Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n
                .parse()
                .map_err(|_| format!("bad width in \"{text}\"; {allowed}"))?,
            _ => {
                return Err(format!(
                    "bad placeholder `{{{inner}}}` in \"{text}\"; {allowed}"
                ))
            }
        };
        let suffix = &text[close + 1..];
        if suffix.contains(['{', '}']) || text[..open].contains('}') {
            return Err(format!(
                "more than one placeholder in \"{text}\"; {allowed}"
            ));
        }
        Ok(Pattern {
            prefix: text[..open].to_string(),
            width: Some(width),
            suffix: suffix.to_string(),
        })
    }

    /// Whether the pattern varies with the index.
    pub(crate) fn has_placeholder(&self) -> bool {
        self.width.is_some()
    }

    /// The text for 1-based index `i`.
    pub(crate) fn render(&self, i: usize) -> String {
        match self.width {
            None => self.prefix.clone(),
            Some(w) => format!("{}{:0w$}{}", self.prefix, i, self.suffix),
        }
    }
}

/// Expands pattern users 1..=count; user `i` lives on `backends[(i-1) % n]`.
pub(crate) fn expand(
    name: &Pattern,
    password: &Pattern,
    count: usize,
    backends: &[String],
) -> Vec<User> {
    (1..=count)
        .map(|i| User {
            name: name.render(i),
            password: password.render(i),
            backend: backends[(i - 1) % backends.len()].clone(),
            token: Some(embedded_token(&name.render(i))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn reads_rows_with_and_without_header() {
        let (_d, p) = csv("user,password,backend\nalice, pw1 ,mbx1\nbob,pw2,mbx2\n");
        let users = load_users_csv(&p).unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(
            users[0],
            User {
                name: "alice".into(),
                password: "pw1".into(),
                backend: "mbx1".into(),
                token: None,
            }
        );
        let (_d, p) = csv("user,password,backend,token\nalice,pw,mbx1,t1\nbob,pw,mbx1,\n");
        let users = load_users_csv(&p).unwrap();
        assert_eq!(users[0].token.as_deref(), Some("t1"));
        assert_eq!(users[1].token, None, "an empty token cell is no token");
        let (_d, p) = csv("carol,pw,mbx1\n");
        assert_eq!(load_users_csv(&p).unwrap()[0].name, "carol");
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let cases = [
            (
                "user,password,backend\nalice,pw,mbx1\nbob,pw\n",
                3,
                Some("backend"),
            ),
            ("alice,pw,mbx1\n\nbob,,mbx1\n", 3, Some("password")),
            ("alice\n", 1, Some("password")),
            ("alice,pw,mbx1,tok,extra\n", 1, None),
            ("alice,pw,mbx1\nalice,pw,mbx2\n", 2, Some("user")),
            ("alice,pw,mbx1\nbob,\"p\n1\",mbx1\n", 2, Some("password")),
            ("alice,pw,mbx1\nbob,\"p\r1\",mbx1\n", 2, Some("password")),
            ("alice,\"p\u{0}1\",mbx1\n", 1, Some("password")),
            ("\"a\nb\",pw,mbx1\n", 1, Some("user")),
        ];
        for (text, line, key) in cases {
            let (_d, p) = csv(text);
            let e = load_users_csv(&p).unwrap_err();
            assert_eq!(e.file.as_deref(), Some(p.as_path()), "{text}");
            assert_eq!((e.line, e.key.as_deref()), (Some(line), key), "{text}: {e}");
        }
    }

    #[test]
    fn unknown_backend_points_at_the_row() {
        let (_d, p) = csv("# comment\nalice,pw,mbx1\n# more\n\nbob,pw,\n");
        let rows = read_users_csv(&p).unwrap();
        let e = check_backends(&p, rows, &["mbx1".into()]).unwrap_err();
        assert_eq!((e.line, e.key.as_deref()), (Some(5), Some("backend")));
        let (_d, p) = csv("a,pw,mbx1\nb,pw,mbx9\n");
        let rows = read_users_csv(&p).unwrap();
        let e = check_backends(&p, rows, &["mbx1".into(), "mbx2".into()]).unwrap_err();
        assert_eq!((e.line, e.key.as_deref()), (Some(2), Some("backend")));
        assert!(
            e.message.contains("mbx9") && e.message.contains("mbx1, mbx2"),
            "{}",
            e.message
        );
    }

    #[test]
    fn empty_or_missing_files_are_errors() {
        let (_d, p) = csv("user,password,backend\n");
        assert!(load_users_csv(&p).is_err());
        assert!(load_users_csv(Path::new("/nonexistent/users.csv")).is_err());
    }

    #[test]
    fn patterns_render_and_reject_junk() {
        assert_eq!(Pattern::parse("user{:05}").unwrap().render(7), "user00007");
        assert_eq!(Pattern::parse("u{}x").unwrap().render(12), "u12x");
        assert!(!Pattern::parse("secret").unwrap().has_placeholder());
        for bad in [
            "u{x}", "u{:5}", "u{}{}", "u{", "u}", "u{:0}", "p\n{}", "p\0",
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn expansion_is_round_robin() {
        let n = Pattern::parse("user{:03}").unwrap();
        let pw = Pattern::parse("pw{}").unwrap();
        let users = expand(&n, &pw, 3, &["mbx1".into(), "mbx2".into()]);
        let got: Vec<_> = users
            .iter()
            .map(|u| (u.name.as_str(), u.password.as_str(), u.backend.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("user001", "pw1", "mbx1"),
                ("user002", "pw2", "mbx2"),
                ("user003", "pw3", "mbx1")
            ]
        );
    }
}

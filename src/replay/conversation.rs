//! A logged conversation (both directions of one connection, line by line,
//! as rawlogs and imapload's protocol logs keep it) -> the session's events:
//! each client command with its duration up to its tagged answer. Literal
//! data, `DONE` after IDLE and SASL answers are not commands.

use std::collections::HashMap;

use super::event::{split_command, Event, Logged, SessionKey, What};

/// One logged line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// When, µs since the epoch.
    pub at_us: i64,
    /// Written by the client (else by the server).
    pub client: bool,
    /// The line without its line end.
    pub text: String,
    /// Bytes of the line the log left out (imapload cuts long lines).
    pub cut: u64,
    /// The line goes on in the next one (rawlog's `>`): no CRLF counted.
    pub continued: bool,
}

/// The literal size a line announces at its end (`{123}`, `{123+}`).
pub fn literal_at_end(text: &str) -> Option<u64> {
    let inner = text.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    inner[open + 1..].trim_end_matches('+').parse().ok()
}

/// The session's events: `Open` at its first line, its commands, `Close` at its last.
pub fn events(lines: &[Line], session: SessionKey, user_hint: Option<&str>) -> Vec<Event> {
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return Vec::new();
    };
    let done = completions(lines);
    let mut out = vec![Event {
        at_us: first.at_us,
        session,
        what: What::Open,
    }];
    let mut user = user_hint.map(String::from);
    let mut literal: i64 = 0;
    let mut after_idle = false;
    for line in lines.iter().filter(|l| l.client) {
        if literal > 0 {
            if line.text.starts_with("... (") && line.text.ends_with(" more lines)") {
                literal = 0; // imapload's protocol log kept only the first lines
            } else {
                let crlf = if line.continued { 0 } else { 2 };
                literal -= (line.text.len() as u64 + line.cut + crlf) as i64;
            }
            continue;
        }
        if after_idle && line.text.eq_ignore_ascii_case("DONE") {
            after_idle = false;
            continue;
        }
        literal = literal_at_end(&line.text).map_or(0, |n| n as i64);
        let Some((tag, verb, args)) = split_command(&line.text) else {
            continue; // a SASL answer or a bare line
        };
        after_idle = verb == "IDLE";
        if verb == "LOGIN" {
            user = args
                .split(' ')
                .next()
                .map(|u| u.trim_matches('"').to_string());
        }
        let duration_us = done
            .get(tag.as_str())
            .and_then(|ts| ts.iter().find(|t| **t >= line.at_us))
            .map(|t| (t - line.at_us) as u64);
        let request_bytes = literal_at_end(&line.text).map(|n| n + line.text.len() as u64);
        out.push(Event {
            at_us: line.at_us,
            session,
            what: What::Command(Logged {
                verb,
                args,
                tag: Some(tag),
                user: user.clone(),
                duration_us,
                request_bytes,
            }),
        });
    }
    out.push(Event {
        at_us: last.at_us.max(first.at_us),
        session,
        what: What::Close,
    });
    out
}

/// When each tag was answered (`tag OK|NO|BAD`), in order.
fn completions(lines: &[Line]) -> HashMap<&str, Vec<i64>> {
    let mut done: HashMap<&str, Vec<i64>> = HashMap::new();
    for l in lines.iter().filter(|l| !l.client) {
        let mut w = l.text.splitn(3, ' ');
        let (Some(tag), Some(status)) = (w.next(), w.next()) else {
            continue;
        };
        if tag != "*"
            && tag != "+"
            && matches!(status.to_ascii_uppercase().as_str(), "OK" | "NO" | "BAD")
        {
            done.entry(tag).or_default().push(l.at_us);
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(at: i64, client: bool, text: &str) -> Line {
        Line {
            at_us: at,
            client,
            text: text.into(),
            cut: 0,
            continued: false,
        }
    }

    #[test]
    fn literals_idle_and_sasl_lines_are_not_commands() {
        let key = SessionKey { server: 1, id: 0 };
        let lines = vec![
            line(0, false, "* OK ready"),
            line(10, true, "a1 AUTHENTICATE PLAIN"),
            line(12, false, "+ "),
            line(15, true, "dGVzdAB0ZXN0AHNlY3JldA=="),
            line(20, false, "a1 OK done"),
            line(30, true, "a2 APPEND INBOX {12}"),
            line(31, false, "+ go"),
            line(32, true, "a3 NOOP xy"), // 10 bytes + CRLF: the literal data
            line(40, false, "a2 OK [APPENDUID 1 2] done"),
            line(50, true, "a3 IDLE"),
            line(60, true, "DONE"),
            line(70, false, "a3 OK idle done"),
            line(80, true, "a4 LOGOUT"),
            line(90, false, "a4 OK bye"),
        ];
        let ev = events(&lines, key, Some("bob"));
        let cmds: Vec<(String, Option<u64>)> = ev
            .iter()
            .filter_map(|e| match &e.what {
                What::Command(l) => Some((l.verb.clone(), l.duration_us)),
                _ => None,
            })
            .collect();
        assert_eq!(
            cmds,
            [
                ("AUTHENTICATE".into(), Some(10)),
                ("APPEND".into(), Some(10)),
                ("IDLE".into(), Some(20)),
                ("LOGOUT".into(), Some(10))
            ]
        );
        assert!(matches!(ev.first().unwrap().what, What::Open));
        assert!(matches!(ev.last().unwrap().what, What::Close));
        assert_eq!(ev.last().unwrap().at_us, 90);
        assert_eq!(literal_at_end("a APPEND x {300+}"), Some(300));
    }
}

//! Colour on a terminal for what a person scans for: the verdict line, each
//! threshold's ✓/✗ and the monitors' states (Healthy, Degraded, Unhealthy).
//!
//! The text is painted with ANSI styles and written through `anstream`,
//! which strips them again when the stream is not a terminal, when
//! `NO_COLOR` is set, or when `CLICOLOR=0` (and keeps them when
//! `CLICOLOR_FORCE` is set), so files, pipes and logs get plain text.

use std::io::Write;

use anstyle::{AnsiColor, Style};

const GREEN: Style = AnsiColor::Green.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const RED: Style = AnsiColor::Red.on_default();

/// Monitor states and their colours, as whole words.
const STATES: [(&str, Style); 3] = [("Unhealthy", RED), ("Degraded", YELLOW), ("Healthy", GREEN)];

/// `text` with the verdict lines, threshold marks and monitor states styled.
pub fn paint(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        out.push_str(&paint_line(body));
        out.push_str(end);
    }
    out
}

fn paint_line(line: &str) -> String {
    let whole = |style: Style| format!("{style}{line}{style:#}");
    if line.starts_with("verdict: PASSED") {
        return whole(GREEN.bold());
    }
    if line.starts_with("verdict: FAILED") || line.starts_with("ABORTED at") {
        return whole(RED.bold());
    }
    if let Some(rest) = line.strip_prefix("  \u{2713} ") {
        return format!("  {GREEN}\u{2713}{GREEN:#} {rest}");
    }
    if let Some(rest) = line.strip_prefix("  \u{2717} ") {
        return format!("  {RED}\u{2717}{RED:#} {rest}");
    }
    STATES.iter().fold(line.to_string(), |l, (word, style)| {
        paint_word(&l, word, *style)
    })
}

/// Every whole-word `word` in `line` styled.
fn paint_word(line: &str, word: &str, style: Style) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        let alone =
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..at]);
        if alone {
            out.push_str(&format!("{style}{word}{style:#}"));
        } else {
            out.push_str(word);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// Writes `text` painted to stdout (or stderr), coloured only where that
/// stream is a terminal and colour is not turned off. A closed pipe is
/// not an error worth reporting at the end of a run.
pub fn print(text: &str, to_stderr: bool) {
    let painted = paint(text);
    let _ = if to_stderr {
        anstream::stderr().write_all(painted.as_bytes())
    } else {
        let mut out = anstream::stdout();
        out.write_all(painted.as_bytes()).and_then(|()| out.flush())
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paints_verdicts_marks_and_states_and_nothing_else() {
        let text = "cas1    Online  ImapCTPMonitor  MSExchangeImap4  IMAP  Unhealthy   25.0s Degraded\n\
                    mbx1    Online  HealthSetName   X                IMAP  Healthy\n\
                    monitors: Healthy\n  \u{2713} errors.rate <= 1%   0%\n  \u{2717} p99(*) < 1ms  3ms\n\
                    verdict: FAILED \u{2014} p99(*) < 1ms (measured 3ms)\n";
        let painted = paint(text);
        assert_eq!(
            anstream::adapter::strip_str(&painted).to_string(),
            text,
            "only styles are added"
        );
        let red = format!("{RED}Unhealthy{RED:#}");
        assert!(painted.contains(&red), "{painted:?}");
        assert!(painted.contains(&format!("{YELLOW}Degraded{YELLOW:#}")));
        assert!(painted.contains(&format!("monitors: {GREEN}Healthy{GREEN:#}")));
        assert!(
            painted.contains("HealthSetName"),
            "part of a word is not a state"
        );
        assert!(painted.contains(&format!("  {GREEN}\u{2713}{GREEN:#} errors.rate")));
        assert!(painted.contains(&format!("{}verdict: FAILED", RED.bold())));
        assert_eq!(
            paint("verdict: PASSED"),
            format!("{}verdict: PASSED{:#}", GREEN.bold(), GREEN.bold())
        );
        assert_eq!(paint("plain line\n"), "plain line\n");
    }
}

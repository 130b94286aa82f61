//! The spans of a monitor's lane on the state timeline. A monitor that changes state every
//! few intervals of a long run has thousands of spans, narrower than a pixel; past
//! [`MAX_SPANS`] the lane is drawn in columns, each coloured by the worst state the monitor
//! held in it, so the page stays small and no Unhealthy moment disappears.

/// Spans drawn per lane at most.
pub const MAX_SPANS: usize = 600;
/// Columns of a lane drawn in columns.
const COLUMNS: usize = 300;

/// A drawn span: (from s, to s, state, tooltip).
pub type Span = (f64, f64, String, String);

/// How bad a state is, to pick a column's worst.
fn rank(state: &str) -> u8 {
    match state {
        "Healthy" => 0,
        "Unhealthy" => 3,
        "Degraded" => 2,
        _ => 1,
    }
}

/// The states over `[0, x_max]` from `transitions` ((at s, new state), in order; the monitor
/// starts Healthy): `(from, to, state)`.
fn exact(transitions: &[(f64, String)], x_max: f64) -> Vec<(f64, f64, String)> {
    let mut out = Vec::new();
    let (mut from, mut state) = (0.0, "Healthy".to_string());
    for (at, to) in transitions.iter().filter(|(at, _)| at.is_finite()) {
        let at = at.clamp(from, x_max.max(from));
        out.push((from, at, std::mem::replace(&mut state, to.clone())));
        from = at;
    }
    out.push((from, x_max.max(from), state));
    out
}

/// The spans of a lane, with tooltips.
pub fn spans(transitions: &[(f64, String)], x_max: f64) -> Vec<Span> {
    let states = exact(transitions, x_max);
    if states.len() <= MAX_SPANS {
        let last = states.len() - 1;
        return (states.into_iter().enumerate())
            .map(|(i, (from, to, s))| {
                let tip = match i == last {
                    true => format!("{s} from {from:.1} s"),
                    false => format!("{s} {from:.1}-{to:.1} s"),
                };
                (from, to, s, tip)
            })
            .collect();
    }
    columns(&states, x_max)
}

/// Worst state and number of changes per column, neighbours with the same worst state joined.
fn columns(states: &[(f64, f64, String)], x_max: f64) -> Vec<Span> {
    let w = x_max.max(1e-9) / COLUMNS as f64;
    let mut worst: Vec<Option<&str>> = vec![None; COLUMNS];
    let mut changes = vec![0u64; COLUMNS];
    let col = |t: f64| ((t / w).floor().max(0.0) as usize).min(COLUMNS - 1);
    for (from, to, s) in states {
        changes[col(*from)] += 1;
        for cell in &mut worst[col(*from)..=col(*to)] {
            if cell.is_none_or(|o| rank(o) < rank(s)) {
                *cell = Some(s);
            }
        }
    }
    let mut out: Vec<Span> = Vec::new();
    for (c, state) in worst.iter().enumerate() {
        let Some(state) = *state else { continue };
        let (from, to) = (c as f64 * w, (c + 1) as f64 * w);
        match out.last_mut() {
            Some(last) if last.2 == state && (last.1 - from).abs() < w * 1e-6 => last.1 = to,
            _ => out.push((from, to, state.to_string(), String::new())),
        }
    }
    for span in &mut out {
        let n: u64 = changes[col(span.0)..col(span.1 - w / 2.0) + 1].iter().sum();
        span.3 = format!(
            "{} at worst, {n} states {:.1}-{:.1} s (too many changes to draw one by one)",
            span.2, span.0, span.1
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_transitions_are_drawn_exactly() {
        let t = vec![
            (2.0, "Degraded".to_string()),
            (3.0, "Unhealthy".to_string()),
        ];
        let s = spans(&t, 10.0);
        assert_eq!(s.len(), 3);
        assert_eq!((s[1].0, s[1].1, s[1].2.as_str()), (2.0, 3.0, "Degraded"));
        assert_eq!(s[2].3, "Unhealthy from 3.0 s");
    }

    #[test]
    fn a_flapping_monitor_is_bounded_and_keeps_its_worst_moment() {
        let mut t: Vec<(f64, String)> = (1..20_000)
            .map(|i| (i as f64, ["Degraded", "Healthy"][i % 2].to_string()))
            .collect();
        t.insert(9_999, (9_999.5, "Unhealthy".to_string()));
        let s = spans(&t, 20_000.0);
        assert!(s.len() <= COLUMNS, "{}", s.len());
        let bad = s
            .iter()
            .find(|s| s.2 == "Unhealthy")
            .expect("the Unhealthy moment");
        assert!(bad.0 <= 9_999.5 && bad.1 >= 9_999.5, "{bad:?}");
        assert!(
            s.iter().all(|s| s.2 != "Healthy"),
            "every column held a worse state"
        );
        let nan = spans(&[(f64::NAN, "Degraded".into())], 5.0);
        assert_eq!(nan.len(), 1);
    }
}

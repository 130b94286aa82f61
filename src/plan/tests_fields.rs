//! No scenario value panics the loader: every scalar field of every shipped
//! scenario, replaced by hostile values (extreme integers, NaN and infinite
//! floats, durations the clock cannot hold, odd strings, a value of the
//! wrong type), either loads or is refused with an error. A panic on any
//! scenario value is a defect.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use toml::{Table, Value};

use super::{load_str, Overrides};

/// The shipped scenarios, as parsed tables.
fn scenarios() -> Vec<Table> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            out.push(std::fs::read_to_string(&path).unwrap().parse().unwrap());
        }
    }
    out
}

/// A way down to one leaf: table keys and array indexes.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every scalar leaf of `v`, as the steps to reach it.
fn leaves(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Table(t) => {
            for (k, v) in t {
                at.push(Step::Key(k.clone()));
                leaves(v, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                at.push(Step::Index(i));
                leaves(v, at, out);
                at.pop();
            }
        }
        Value::String(_)
        | Value::Integer(_)
        | Value::Float(_)
        | Value::Boolean(_)
        | Value::Datetime(_) => out.push(at.clone()),
    }
}

/// The leaf at `path` in `v`.
fn leaf<'v>(v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(v, |v, step| match (step, v) {
        (Step::Key(k), Value::Table(t)) => t.get_mut(k).unwrap(),
        (Step::Index(i), Value::Array(a)) => &mut a[*i],
        (_, v) => v,
    })
}

/// Hostile values for a leaf that holds `original`: extremes of its own
/// type (which pass the TOML type check and reach the range checks), then
/// one value of each other type.
fn hostile_for(original: &Value) -> Vec<Value> {
    let ints = [i64::MIN, i64::MAX, -1, 0, 1 << 53].map(Value::Integer);
    let floats = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        1e300,
        5e-324,
    ]
    .map(Value::Float);
    let strings = [
        "18446744073709551615s",
        "18446744073709551615ms",
        "99999999999999h",
        "8784h",
        "0ms",
        "",
        "../../x",
        "imap://[::1]:0",
        "\u{0}\r\n",
        "user{:999999999}",
    ]
    .map(|s| Value::String(s.to_string()));
    let other = [
        Value::Boolean(true),
        Value::Integer(7),
        Value::String("x".into()),
    ];
    let own: Vec<Value> = match original {
        Value::Integer(_) => ints.to_vec(),
        Value::Float(_) => floats.to_vec(),
        Value::String(_) => strings.to_vec(),
        Value::Boolean(_) | Value::Datetime(_) | Value::Array(_) | Value::Table(_) => Vec::new(),
    };
    own.into_iter().chain(other).collect()
}

/// Loads `root` as a scenario. Refusing is fine; a panic fails the test. A
/// plan that loads must leave the run's clock arithmetic room (run start +
/// duration once panicked with an overflow).
fn load_survives(root: &Value) -> Result<(), String> {
    let text = toml::to_string(root).unwrap();
    if let Ok(plan) = load_str(&text, Path::new("s.toml"), &Overrides::default()) {
        let room = plan
            .duration
            .checked_mul(4)
            .and_then(|d| std::time::Instant::now().checked_add(d));
        if room.is_none() {
            return Err(format!(
                "duration {:?} overflows the clock:\n{text}",
                plan.duration
            ));
        }
    }
    Ok(())
}

#[test]
fn every_field_of_every_scenario_survives_hostile_values() {
    let mut tried = 0;
    for (root, path) in all_leaves() {
        let original = leaf(&mut root.clone(), path).clone();
        for value in hostile_for(&original) {
            let mut root = root.clone();
            *leaf(&mut root, path) = value;
            load_survives(&root).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            tried += 1;
        }
    }
    assert!(
        tried > 1000,
        "only {tried} cases: were the scenarios found?"
    );
}

/// Arbitrary values of each TOML scalar type.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::Integer),
        any::<f64>().prop_map(Value::Float),
        "[0-9]{1,22}(ms|s|m|h)".prop_map(Value::String),
        "[ -~]{0,24}".prop_map(Value::String),
        any::<bool>().prop_map(Value::Boolean),
    ]
}

/// Every (scenario, leaf) pair of the shipped scenarios, found once.
fn all_leaves() -> &'static [(Value, Vec<Step>)] {
    static ALL: OnceLock<Vec<(Value, Vec<Step>)>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = Vec::new();
        for table in scenarios() {
            let root = Value::Table(table);
            let mut paths = Vec::new();
            leaves(&root, &mut Vec::new(), &mut paths);
            all.extend(paths.into_iter().map(|p| (root.clone(), p)));
        }
        all
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn no_scenario_value_panics_the_loader(pick in any::<prop::sample::Index>(), value in any_value()) {
        let all = all_leaves();
        let (root, path) = &all[pick.index(all.len())];
        let mut root = root.clone();
        *leaf(&mut root, path) = value;
        prop_assert!(load_survives(&root).is_ok(), "{:?}", load_survives(&root));
    }
}

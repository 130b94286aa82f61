//! Loader tests for `[[session.profile]]` (fields, inheritance from
//! `[session]`, errors) and for `session.validate` / `--validate`.

use std::path::Path;
use std::time::Duration;

use super::tests::assert_errors;
use super::*;
use crate::error::InputError;

fn with(text: &str, ov: &Overrides) -> Result<RunPlan, InputError> {
    load_str(text, Path::new("dir/s.toml"), ov)
}

fn ok(text: &str) -> RunPlan {
    with(text, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"))
}

const PROFILES: &str = r#"duration = "10s"
[session]
commands = [4, 6]
think_time = { dist = "fixed", value = "300ms" }
[session.mix]
NOOP = 1
FETCH_BODY = 3

[[session.profile]]
name = "light"
weight = 60

[[session.profile]]
name = "heavy"
weight = 40
commands = [10, 30]
think_time = { dist = "exponential", mean = "2s" }
[session.profile.mix]
SEARCH = 5
APPEND = 1
"#;

#[test]
fn no_profiles_and_light_validation_by_default() {
    let p = ok("duration = \"1s\"\n");
    assert!(p.session.profiles.is_empty());
    assert_eq!(p.session.validate, Validate::Light);
}

#[test]
fn validate_key_and_flag() {
    let p = ok("duration = \"1s\"\n[session]\nvalidate = \"strict\"\n");
    assert_eq!(p.session.validate, Validate::Strict);
    let ov = Overrides {
        validate: Some(Validate::Light),
        ..Default::default()
    };
    let p = with("duration = \"1s\"\n[session]\nvalidate = \"strict\"\n", &ov).unwrap();
    assert_eq!(p.session.validate, Validate::Light);
    let ov = Overrides {
        validate: Some(Validate::Strict),
        ..Default::default()
    };
    assert_eq!(load(None, &ov).unwrap().session.validate, Validate::Strict);
}

#[test]
fn profiles_parse_and_inherit_from_the_session() {
    let p = ok(PROFILES);
    let [light, heavy] = &p.session.profiles[..] else {
        panic!("two profiles expected: {:?}", p.session.profiles)
    };
    // `light` gives only name and weight: everything else is [session]'s.
    assert_eq!((light.name.as_str(), light.weight), ("light", 60));
    assert_eq!(light.commands_per_session, (4, 6));
    assert_eq!(
        light.think_time,
        ThinkTime::Fixed(Duration::from_millis(300))
    );
    assert_eq!(light.mix, p.session.mix);
    assert_eq!(
        light.mix,
        vec![(CommandKind::Noop, 1), (CommandKind::FetchBody, 3)]
    );
    // `heavy` overrides all three.
    assert_eq!((heavy.name.as_str(), heavy.weight), ("heavy", 40));
    assert_eq!(heavy.commands_per_session, (10, 30));
    assert_eq!(
        heavy.think_time,
        ThinkTime::Exponential(Duration::from_secs(2))
    );
    assert_eq!(
        heavy.mix,
        vec![(CommandKind::Search, 5), (CommandKind::Append, 1)]
    );
}

#[test]
fn profiles_inherit_the_built_in_defaults_too() {
    let p = ok("duration = \"1s\"\n[[session.profile]]\nname = \"only\"\n");
    let only = &p.session.profiles[0];
    assert_eq!(only.weight, 1);
    assert_eq!(only.commands_per_session, (5, 20));
    assert_eq!(
        only.think_time,
        ThinkTime::Exponential(Duration::from_millis(200))
    );
    assert_eq!(only.mix, DEFAULT_MIX.to_vec());
}

/// Scenario text, expected line, key, and a word the message must contain.
const ERRORS: &[(&str, usize, &str, &str)] = &[
    ("duration = \"1s\"\n[session]\nvalidate = \"paranoid\"\n", 3, "session.validate", "\"strict\""),
    ("duration = \"1s\"\n[[session.profile]]\nweight = 1\n", 2, "session.profile[1].name", "missing"),
    ("duration = \"1s\"\n[[session.profile]]\nname = \" \"\n", 3, "session.profile[1].name", "empty"),
    ("duration = \"1s\"\n[[session.profile]]\nname = \"a\"\n[[session.profile]]\nname = \"a\"\n", 5, "session.profile[2].name", "unique"),
    ("duration = \"1s\"\n[[session.profile]]\nname = \"a\"\nweight = 0\n", 4, "session.profile[1].weight", "from 1 to"),
    ("duration = \"1s\"\n[[session.profile]]\nname = \"a\"\ncommands = [9, 2]\n", 4, "session.profile[1].commands", "min <= max"),
    ("duration = \"1s\"\n[[session.profile]]\nname = \"a\"\nthink_time = { dist = \"exponential\" }\n", 4, "session.profile[1].think_time.mean", "missing"),
    ("duration = \"1s\"\n[[session.profile]]\nname = \"a\"\n[[session.profile]]\nname = \"b\"\nthink_time = { dist = \"zipf\" }\n", 6, "session.profile[2].think_time.dist", "\"uniform\""),
    ("duration = \"1s\"\n[[session.profile]]\nname = \"a\"\n[session.profile.mix]\nNOOP = 1\nLOGOUT = 1\n", 6, "session.profile[1].mix.LOGOUT", "every session"),
    ("duration = \"1s\"\n[[session.profile]]\nname = \"a\"\n[session.profile.mix]\nNOOP = 0\n", 4, "session.profile[1].mix", "weight > 0"),
    ("duration = \"1s\"\n[[session.profile]]\nname = \"a\"\nwieght = 2\n", 4, "session.profile[1].wieght", "`weight`"),
];

#[test]
fn every_profile_error_names_file_line_and_key() {
    assert_errors(ERRORS);
}

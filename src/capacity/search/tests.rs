use super::*;

fn settings() -> Settings {
    Settings {
        min: 1.0,
        max: 10_000.0,
        precision: 0.1,
        trial_s: 5.0,
        confirm_s: 15.0,
        exceed_ratio: 0.5,
        max_trials: 40,
        integer: true,
    }
}

/// Runs the search against `oracle(load, kind, nth trial at this load)`.
fn search(
    s: Settings,
    mut oracle: impl FnMut(f64, TrialKind, usize) -> TrialResult,
) -> (Found, Vec<Trial>) {
    let mut search = Search::new(s);
    for _ in 0..100 {
        match search.next() {
            Next::Run {
                load,
                duration_s,
                kind,
            } => {
                let nth = search.trials().iter().filter(|t| t.load == load).count();
                let result = oracle(load, kind, nth);
                search.record(Trial {
                    load,
                    duration_s,
                    kind,
                    result,
                });
            }
            Next::Done(found) => return (found, search.trials().to_vec()),
        }
    }
    panic!("the search did not end: {:?}", search.trials());
}

fn capacity(cap: f64) -> impl FnMut(f64, TrialKind, usize) -> TrialResult {
    move |load, _, _| match load <= cap {
        true => TrialResult::Passed,
        false => TrialResult::Failed,
    }
}

#[test]
fn a_clean_server_is_bracketed_within_the_precision_and_the_answer_confirmed() {
    let (found, trials) = search(settings(), capacity(100.0));
    assert_eq!(found.outcome, Outcome::BoundFound, "{trials:?}");
    let (lower, upper) = (found.lower.unwrap(), found.upper.unwrap());
    assert!(lower <= 100.0 && upper > 100.0, "{found:?}");
    assert!(upper / lower <= 1.1 + 1e-9, "{found:?}");
    assert!(found.confirmed);
    let last = trials.last().unwrap();
    assert_eq!(
        (last.kind, last.load, last.duration_s),
        (TrialKind::Confirm, lower, 15.0)
    );
    // Doubling first: 1, 2, 4, ... 128.
    let firsts: Vec<f64> = trials.iter().take(8).map(|t| t.load).collect();
    assert_eq!(firsts, [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0]);
}

#[test]
fn a_noisy_failure_below_a_passing_load_is_tested_again_and_outweighed() {
    // 64 fails spuriously the first time only; found out when a higher load passes.
    let mut oracle = capacity(100.0);
    let (found, trials) = search(settings(), move |load, kind, nth| {
        if load == 64.0 && nth == 0 {
            return TrialResult::Failed;
        }
        oracle(load, kind, nth)
    });
    assert_eq!(found.outcome, Outcome::BoundFound, "{trials:?}");
    assert!(
        found.lower.unwrap() > 90.0 && found.upper.unwrap() > 100.0,
        "{found:?} {trials:?}"
    );
    let retests: Vec<&Trial> = trials
        .iter()
        .filter(|t| t.kind == TrialKind::Retest)
        .collect();
    assert!(
        retests
            .iter()
            .any(|t| t.load == 64.0 && t.result == TrialResult::Passed),
        "{trials:?}"
    );
}

fn trial(load: f64, result: TrialResult) -> Trial {
    Trial {
        load,
        duration_s: 5.0,
        kind: TrialKind::Search,
        result,
    }
}

#[test]
fn the_answer_stays_below_the_smallest_failure_whatever_passed_above_it() {
    // An inconsistent server: 32 fails, 64 passes.
    let mut search = Search::new(settings());
    for (load, result) in [(16.0, TrialResult::Passed), (64.0, TrialResult::Passed)] {
        search.record(trial(load, result));
    }
    search.record(trial(32.0, TrialResult::Failed));
    let retest = Next::Run {
        load: 32.0,
        duration_s: 5.0,
        kind: TrialKind::Retest,
    };
    assert_eq!(
        search.next(),
        retest,
        "a failure below a pass is tested again"
    );
    search.record(trial(32.0, TrialResult::Failed));
    assert_eq!(
        search.next(),
        retest,
        "still more failing than passing time: again"
    );
    search.record(trial(32.0, TrialResult::Failed));
    let (lower, upper, _) = search.bounds();
    assert_eq!(
        (lower, upper),
        (Some(16.0), Some(32.0)),
        "64 passed, but above a failure"
    );
    match search.next() {
        Next::Run { load, kind, .. } => {
            assert!(
                load > 16.0 && load < 32.0 && kind == TrialKind::Search,
                "{load}"
            )
        }
        done => panic!("{done:?}"),
    }
}

#[test]
fn one_pass_and_one_failure_of_equal_time_make_a_lower_bound_a_longer_failure_does_not() {
    let mut search = Search::new(settings());
    search.record(trial(10.0, TrialResult::Failed));
    assert_eq!(search.bounds().1, Some(10.0), "failed once: an upper bound");
    search.record(trial(10.0, TrialResult::Passed));
    assert_eq!(
        search.bounds(),
        (Some(10.0), None, None),
        "half the time failed: lower"
    );
    search.record(Trial {
        duration_s: 15.0,
        kind: TrialKind::Confirm,
        ..trial(10.0, TrialResult::Failed)
    });
    assert_eq!(search.bounds().1, Some(10.0), "20 s of 25 failed: upper");
}

#[test]
fn a_single_spurious_failure_at_the_upper_bound_is_retested_before_it_is_believed() {
    // The first failure seen (at 16) is noise: the retest passes and the search goes on up.
    let mut oracle = capacity(100.0);
    let (found, trials) = search(settings(), move |load, kind, nth| {
        if load == 16.0 && nth == 0 {
            return TrialResult::Failed;
        }
        oracle(load, kind, nth)
    });
    assert!(found.lower.unwrap() > 90.0, "{found:?} {trials:?}");
}

#[test]
fn an_invalid_trial_caps_the_search_and_is_neither_a_pass_nor_a_failure() {
    // The generator cannot hold 50 or more; the servers would take 100.
    let mut oracle = capacity(100.0);
    let (found, trials) = search(settings(), move |load, kind, nth| match load >= 50.0 {
        true => TrialResult::Invalid,
        false => oracle(load, kind, nth),
    });
    assert_eq!(found.outcome, Outcome::GeneratorLimited, "{trials:?}");
    assert_eq!(found.upper, None, "an invalid trial is no failure");
    let ceiling = found.ceiling.unwrap();
    assert!(ceiling >= 50.0 && found.lower.unwrap() < 50.0, "{found:?}");
    assert!(ceiling / found.lower.unwrap() <= 1.1 + 1e-9, "{found:?}");
}

#[test]
fn an_invalid_load_above_the_failures_does_not_change_the_bound() {
    let mut oracle = capacity(100.0);
    let (found, _) = search(settings(), move |load, kind, nth| match load >= 128.0 {
        true => TrialResult::Invalid,
        false => oracle(load, kind, nth),
    });
    assert_eq!(found.outcome, Outcome::BoundFound);
    assert!(
        found.lower.unwrap() <= 100.0 && found.upper.unwrap() > 100.0,
        "{found:?}"
    );
}

#[test]
fn a_failing_minimum_ends_the_search_at_once() {
    let (found, trials) = search(settings(), capacity(0.5));
    assert_eq!(found.outcome, Outcome::MinFails);
    assert_eq!((found.lower, found.upper), (None, Some(1.0)));
    assert_eq!(trials.len(), 1);
}

#[test]
fn nothing_failing_up_to_the_maximum_says_so() {
    let s = Settings {
        max: 300.0,
        ..settings()
    };
    let (found, trials) = search(s, capacity(1e9));
    assert_eq!(found.outcome, Outcome::NoFailureUpToMax);
    assert_eq!((found.lower, found.upper), (Some(300.0), None));
    assert_eq!(
        trials.iter().filter(|t| t.load == 300.0).count(),
        2,
        "searched, then confirmed"
    );
}

#[test]
fn a_failed_confirmation_moves_the_answer_down() {
    // Short trials pass up to 100, the longer confirmation only up to 80.
    let (found, trials) = search(settings(), |load, kind, _| {
        let cap = if kind == TrialKind::Confirm {
            80.0
        } else {
            100.0
        };
        match load <= cap {
            true => TrialResult::Passed,
            false => TrialResult::Failed,
        }
    });
    assert!(
        found.lower.unwrap() <= 80.0 && found.confirmed,
        "{found:?} {trials:?}"
    );
}

#[test]
fn rates_are_searched_in_hundredths_and_the_trial_budget_is_kept() {
    let s = Settings {
        min: 0.5,
        integer: false,
        precision: 0.001,
        max_trials: 12,
        ..settings()
    };
    let (found, trials) = search(s, capacity(7.3));
    assert_eq!(found.outcome, Outcome::TrialLimit);
    assert_eq!(trials.len(), 12);
    assert!(trials.iter().all(|t| (t.load * 100.0).fract().abs() < 1e-6));
    assert!(found.lower.unwrap() <= 7.3 && found.upper.unwrap() > 7.3);
}

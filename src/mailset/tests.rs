use std::collections::HashSet;

use super::lmtp::dot_stuff;
use super::*;

#[test]
fn the_same_settings_give_the_same_bytes_and_another_seed_other_bytes() {
    let set = MailSet::default();
    let other = MailSet {
        seed: 2,
        ..MailSet::default()
    };
    for (folder, spec) in set.folders.iter().enumerate() {
        for n in 0..spec.messages {
            let a = set.message("user00001", folder, n);
            assert_eq!(a, set.message("user00001", folder, n));
            assert_eq!(a.len(), set.size("user00001", folder, n), "{folder} {n}");
            assert_ne!(a, other.message("user00001", folder, n));
            assert_ne!(a, set.message("user00002", folder, n));
            assert!(a.ends_with(b"\r\n"));
            assert!(!a.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'));
        }
    }
}

#[test]
fn sizes_follow_the_stated_lognormal() {
    let set = MailSet::default();
    let mut sizes: Vec<usize> = (0..20_000)
        .map(|i| set.drawn_size(&format!("u{}", i / 50), 0, i % 50))
        .collect();
    sizes.sort_unstable();
    let median = sizes[sizes.len() / 2] as f64;
    let want = set.size_median as f64;
    assert!(
        (median / want - 1.0).abs() < 0.05,
        "median {median}, want {want}"
    );
    // The spread: the 84th percentile is one sigma above the median.
    let p84 = sizes[sizes.len() * 841 / 1000] as f64;
    let sigma = (p84 / median).ln();
    assert!((sigma - set.size_sigma).abs() < 0.1, "sigma {sigma}");
    let mean = sizes.iter().sum::<usize>() as f64 / sizes.len() as f64;
    assert!(
        (60_000.0..90_000.0).contains(&mean),
        "mean {mean}: about 75 KB"
    );
    assert!(sizes[0] >= set.size_min as usize);
    assert!(*sizes.last().unwrap() <= set.size_cap as usize);
}

#[test]
fn message_ids_are_unique_and_replies_thread() {
    let set = MailSet::default();
    let mut ids = HashSet::new();
    let mut replies = 0;
    for user in ["a", "b", "a_", "a.b@x"] {
        for (folder, spec) in set.folders.iter().enumerate() {
            for n in 0..spec.messages {
                assert!(ids.insert(set.message_id(user, folder, n)));
                let text = String::from_utf8(set.message(user, folder, n)).unwrap();
                if let Some(parent) = set.parent(user, folder, n) {
                    replies += 1;
                    assert!(parent < n);
                    let want = format!("In-Reply-To: {}\r\n", set.message_id(user, folder, parent));
                    assert!(text.contains(&want), "{text}");
                    assert!(text.contains("Subject: Re: "));
                } else {
                    assert!(!text.contains("In-Reply-To"));
                }
            }
        }
    }
    assert!(replies > 20, "{replies} replies");
}

#[test]
fn flags_follow_the_shares_and_the_special_folders() {
    let set = MailSet {
        folders: vec![
            FolderSpec::new("INBOX", "", 2_000),
            FolderSpec::new("Sent", "\\Sent", 10),
            FolderSpec::new("Drafts", "\\Drafts", 10),
        ],
        ..MailSet::default()
    };
    let flags: Vec<Flags> = (0..2_000).map(|n| set.flags("u", 0, n)).collect();
    let share = |f: fn(&Flags) -> bool| flags.iter().filter(|x| f(x)).count() as f64 / 2_000.0;
    assert!((share(|f| f.seen) - 0.8).abs() < 0.04);
    assert!((share(|f| f.flagged) - 0.05).abs() < 0.02);
    assert!((share(|f| f.answered) - 0.8 * 0.15).abs() < 0.03);
    assert!(
        flags[1_997..].iter().all(|f| !f.seen),
        "the newest stay unseen"
    );
    assert!((0..10).all(|n| set.flags("u", 1, n).seen && set.flags("u", 2, n).draft));
    let all = Flags {
        seen: true,
        answered: true,
        flagged: true,
        draft: true,
    };
    assert_eq!(all.names(), "\\Seen \\Answered \\Flagged \\Draft");
    assert_eq!(Flags::default().names(), "");
}

#[test]
fn dates_run_from_old_to_the_newest() {
    let set = MailSet::default();
    let dates: Vec<i64> = (0..30).map(|n| set.date("u", 0, n)).collect();
    assert!(dates.windows(2).all(|w| w[0] < w[1]));
    assert!(dates[29] <= set.newest && dates[29] > set.newest - 7_200);
    assert_eq!(
        set.internal_date("u", 0, 29).len(),
        "05-Jan-2026 09:00:00 +0000".len()
    );
}

#[test]
fn dot_stuffing_escapes_leading_dots_and_ends_the_data() {
    assert_eq!(dot_stuff(b"a\r\n.b\r\n..\r\n"), b"a\r\n..b\r\n...\r\n.\r\n");
    assert_eq!(dot_stuff(b".x"), b"..x\r\n.\r\n");
}

#[test]
fn check_accepts_the_default_and_names_what_is_wrong() {
    assert_eq!(MailSet::default().check(), Ok(()));
    let bad = |change: fn(&mut MailSet), want: &str| {
        let mut set = MailSet::default();
        change(&mut set);
        let err = set.check().unwrap_err();
        assert!(err.contains(want), "{err}");
    };
    bad(|s| s.folders.clear(), "0 folders");
    bad(
        |s| s.folders.push(FolderSpec::new("inbox", "", 1)),
        "listed twice",
    );
    bad(
        |s| s.folders.push(FolderSpec::new("a\"b", "", 1)),
        "folder name",
    );
    bad(
        |s| s.folders.push(FolderSpec::new("x/", "", 1)),
        "folder name",
    );
    bad(|s| s.seen_share = 1.5, "seen_share = 1.5");
    bad(|s| s.size_sigma = f64::NAN, "finite sigma");
    bad(|s| s.size_min = s.size_cap + 1, "over size_cap");
}

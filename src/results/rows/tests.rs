use super::*;
use crate::results::probes::ProbeRow;

fn read(text: &str) -> (Result<Option<String>, InputError>, usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(crate::results::files::PROBES_CSV);
    std::fs::write(&path, text).unwrap();
    let mut n = 0;
    let r = each::<ProbeRow>(&path, &["t_s", "latency_ms"], |_| n += 1);
    (r, n)
}

#[test]
fn a_half_written_last_row_is_left_out_with_a_note_and_a_bad_row_inside_is_an_error() {
    let good = "t_s,probe,latency_ms\n1.0,SelfTestProbe,3.5\n2.0,SelfTestProbe,4.0\n";
    let (r, n) = read(good);
    assert!(r.unwrap().is_none());
    assert_eq!(n, 2);
    let (r, n) = read(&format!("{good}3.0,Self"));
    assert!(r.unwrap().unwrap().contains("last row"));
    assert_eq!(n, 2);
    let (r, _) = read("t_s,probe,latency_ms\nx,SelfTestProbe,3.5\n2.0,SelfTestProbe,4.0\n");
    let e = r.unwrap_err();
    assert_eq!((e.line, e.key.as_deref()), (Some(2), Some("t_s")), "{e}");
    assert!(e.message.contains("`x` is not a number"), "{e}");
    let (r, _) = read("t_s,probe,latency_ms\n1.0,SelfTestProbe\n2.0,SelfTestProbe,4.0\n");
    let e = r.unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("2 cells where the header has 3"), "{e}");
    let (r, _) = read("t_s,probe\n1.0,SelfTestProbe\n");
    let e = r.unwrap_err();
    assert_eq!(
        (e.line, e.key.as_deref()),
        (Some(1), Some("latency_ms")),
        "{e}"
    );
    let missing = each::<ProbeRow>(Path::new("/nonexistent/probes.csv"), &[], |_| {});
    assert!(missing.unwrap().is_none());
}

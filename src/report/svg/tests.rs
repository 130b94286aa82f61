//! The charts' markup: escaping, gaps, log axes, shades.
use super::*;

#[test]
fn escapes_markup() {
    assert_eq!(
        esc(r#"<a href="x">&'"#),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
    );
}

#[test]
fn gaps_split_the_path_and_log_axis_spans_decades() {
    let c = LineChart {
        x_label: "t (s)".into(),
        y_label: "ms".into(),
        x_max: 10.0,
        log_y: true,
        series: vec![Series {
            name: "a".into(),
            color: "red".into(),
            dashed: false,
            points: vec![(1.0, 2.0), (2.0, f64::NAN), (3.0, 300.0), (4.0, 0.5)],
        }],
        markers: vec![],
        thresholds: vec![],
        x_axis: XAxis::Seconds,
        shades: vec![Shade {
            from: 0.0,
            to: 2.0,
            kind: ShadeKind::Excluded,
            label: "warm-up: excluded from the verdict".into(),
        }],
    };
    let svg = c.to_svg();
    assert!(svg.contains(r#"<rect class="excluded""#) && svg.contains("excluded from the verdict"));
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(d.matches('M').count(), 2, "{d}");
    assert!(svg.contains(">0.1<") && svg.contains(">1000<"));
}

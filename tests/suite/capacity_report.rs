//! `capacity.html` in Chromium: both curves drawn for all servers and each
//! one, the model's curve, and the bounds, knee and operating point marked
//! where they belong.

use std::collections::BTreeMap;

use imapload::results::capacity::*;

use crate::support::{chromium, drive_page};

fn trial(n: usize, load: f64, result: &str, x: f64, mean: f64) -> TrialDoc {
    let server = |name: &str, share: f64, slow: f64| ServerFigures {
        server: name.into(),
        commands_per_s: x * share,
        mean_ms: mean * slow,
        p99_ms: mean * slow * 2.0,
        blamed: result == "failed" && name == "mbx2",
    };
    TrialDoc {
        trial: n,
        load,
        kind: "search".into(),
        duration_s: 5.0,
        result: result.into(),
        commands_per_s: x,
        mean_ms: mean,
        p99_ms: mean * 2.0,
        concurrency: x * mean / 1000.0,
        dir: format!("trials/{n:02}-{load}"),
        servers: vec![server("mbx1", 0.5, 0.8), server("mbx2", 0.5, 1.2)],
        ..TrialDoc::default()
    }
}

fn record() -> CapacityRecord {
    let trials = vec![
        trial(1, 5.0, "passed", 50.0, 100.0),
        trial(2, 10.0, "passed", 98.0, 102.0),
        trial(3, 20.0, "passed", 150.0, 133.0),
        trial(4, 40.0, "failed", 160.0, 250.0),
        trial(5, 28.0, "passed", 158.0, 177.0),
        trial(6, 34.0, "failed", 159.0, 214.0),
        trial(7, 31.0, "passed", 158.0, 196.0),
    ];
    let curve = (0..=20)
        .map(|i| {
            let load = 5.0 + 3.25 * i as f64;
            let x = (load * 10.0).min(160.0);
            CurvePoint {
                load,
                commands_per_s: x,
                mean_ms: Some(load / x * 1000.0),
            }
        })
        .collect();
    CapacityRecord {
        scenario: "browser".into(),
        by: "sessions".into(),
        unit: "sessions".into(),
        outcome: "bound_found".into(),
        lower_bound: Some(31.0),
        lower_bound_confirmed: true,
        upper_bound: Some(34.0),
        knee: Some(KneeDoc {
            load: 10.0,
            commands_per_s: 98.0,
            mean_ms: 102.0,
            method: "kneedle".into(),
        }),
        operating_point: Some(OperatingPoint {
            share: 0.8,
            load: 24.0,
        }),
        trials,
        model: Some(ModelDoc {
            kind: "usl".into(),
            measured_up_to: 40.0,
            predicted_by: "mva".into(),
            curve,
            ..ModelDoc::default()
        }),
        predictions: vec![Prediction {
            load: 70.0,
            commands_per_s: 160.0,
            mean_ms: Some(437.0),
            queue: Some(69.0),
            beyond_measured: true,
            ..Prediction::default()
        }],
        ..CapacityRecord::default()
    }
}

/// What the driver saw in each chart.
#[derive(Debug, serde::Deserialize)]
struct Seen {
    errors: Vec<String>,
    /// Lines with a real size, per chart.
    drawn: BTreeMap<String, Vec<String>>,
    /// Marker label -> its x in pixels, per chart.
    markers: BTreeMap<String, BTreeMap<String, f64>>,
    /// The page says where predictions leave measured ground.
    beyond: bool,
}

const DRIVER: &str = r#"(function(){
const out={errors:[],drawn:{},markers:{},beyond:false};
try{
for(const fig of document.querySelectorAll('figure.chart')){
 out.drawn[fig.id]=[...fig.querySelectorAll('path.series')].filter(p=>{const b=p.getBoundingClientRect();return b.width>1&&b.height>=0;}).map(p=>p.querySelector('title').textContent);
 const m={};
 for(const l of fig.querySelectorAll('line.fault')){m[l.querySelector('title').textContent]=l.getBoundingClientRect().x;}
 out.markers[fig.id]=m;
}
out.beyond=document.body.textContent.includes('leave measured ground');
}catch(e){out.errors.push(String(e));}
const pre=document.createElement('pre');pre.id='selftest-result';pre.textContent=JSON.stringify(out);document.body.appendChild(pre);
})();"#;

#[test]
fn the_capacity_page_draws_both_curves_per_server_with_the_bounds_and_knee_marked() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let json = serde_json::to_vec(&record()).unwrap();
    std::fs::write(dir.path().join(CAPACITY_JSON), json).unwrap();
    let page = imapload::report::capacity::write(dir.path()).unwrap();
    let seen: Seen = drive_page(chromium, &page, DRIVER);
    assert_eq!(seen.errors, Vec::<String>::new());
    let x = &seen.drawn["capacity-throughput"];
    for line in ["all servers", "mbx1", "mbx2", "model (predicted)"] {
        assert!(
            x.iter().any(|l| l == line),
            "throughput: {line} not drawn: {x:?}"
        );
    }
    let r = &seen.drawn["capacity-latency"];
    for line in [
        "mean, all",
        "p99, all",
        "p99 mbx1",
        "p99 mbx2",
        "model mean (predicted)",
    ] {
        assert!(
            r.iter().any(|l| l == line),
            "latency: {line} not drawn: {r:?}"
        );
    }
    for chart in ["capacity-throughput", "capacity-latency"] {
        let m = &seen.markers[chart];
        let at = |k: &str| {
            *m.get(k)
                .unwrap_or_else(|| panic!("{chart}: no `{k}` marker: {m:?}"))
        };
        assert!(
            at("knee 10") < at("operate 24") && at("operate 24") < at("lower 31"),
            "{m:?}"
        );
        assert!(at("lower 31") < at("upper 34"), "{m:?}");
    }
    assert!(
        seen.beyond,
        "the page says where the prediction leaves measured ground"
    );
}

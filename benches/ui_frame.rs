//! One frame of the Docker Agents page holding 10,000 agents and 50,000 sessions, headless
//! (layout and tessellation, no GPU). Target: median ≤ 4 ms.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use pooladmin::ui::{Page, PoolAdminApp};
use std::hint::black_box;

fn ui_frame(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let shape = support::Shape::new(10, 10_000, 50_000);
    let store = support::large_deployment(&dir.path().join("bench.sqlite"), shape);
    let mut app = PoolAdminApp::new(store);
    app.open_page(Page::DockerAgents);
    assert_eq!(app.catalog().agents.len(), shape.for_this_run().agents);
    let ctx = egui::Context::default();
    // The first frames install fonts and compute the row order; steady state is what counts.
    let frame = |app: &mut PoolAdminApp| support::window::frame(&ctx, app);
    for _ in 0..3 {
        frame(&mut app);
    }
    c.bench_function("ui_frame", |b| b.iter(|| black_box(frame(&mut app))));
}

criterion_group!(benches, ui_frame);
criterion_main!(benches);

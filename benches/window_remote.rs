//! The window on a database across a slow link: PostgreSQL behind a small TCP proxy that
//! delays every byte by 10 ms each way (20 ms round trips), beside the same window on an
//! SQLite file. While another connection writes every 100 ms (so the window reloads again
//! and again), `frame_while_written` times one frame: no frame may wait on the database,
//! so PostgreSQL's frames should cost what SQLite's do. `change_on_screen` times a pool
//! added by another connection until the window's catalog shows it (target ≤ 1 s).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use pooladmin::model::PoolKind;
use pooladmin::store::db::postgres::PgUrl;
use pooladmin::store::{Database, KeySource, Store};
use pooladmin::ui::{Page, PoolAdminApp};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use support::Shape;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Added to every byte's way in each direction.
const ONE_WAY: Duration = Duration::from_millis(10);

/// A proxy on 127.0.0.1 to `upstream`, each chunk held `ONE_WAY` before it is passed on;
/// its port.
fn delaying_proxy(runtime: &tokio::runtime::Runtime, upstream: String) -> u16 {
    let listener = runtime
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    runtime.spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(&upstream).await else {
                continue;
            };
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::spawn(delayed(client_read, server_write));
            tokio::spawn(delayed(server_read, client_write));
        }
    });
    port
}

/// Copies `from` to `to`, each chunk written `ONE_WAY` after it was read, in order.
async fn delayed(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
) {
    let (chunks, mut due) =
        tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    tokio::spawn(async move {
        let mut buffer = vec![0u8; 64 * 1024];
        while let Ok(n) = from.read(&mut buffer).await {
            if n == 0
                || chunks
                    .send((tokio::time::Instant::now() + ONE_WAY, buffer[..n].to_vec()))
                    .is_err()
            {
                break;
            }
        }
    });
    while let Some((at, chunk)) = due.recv().await {
        tokio::time::sleep_until(at).await;
        if to.write_all(&chunk).await.is_err() {
            break;
        }
    }
}

/// The test cluster's URL for `dbname`, through the proxy on `port`.
fn through_proxy(admin: &str, dbname: &str, port: u16) -> PgUrl {
    let direct = PgUrl::parse(admin).expect("POOLADMIN_TEST_POSTGRES parses");
    let text = admin.replacen(
        &format!("@{}:{}/{}", direct.host, direct.port, direct.dbname),
        &format!("@{}:{port}/{dbname}", direct.host),
        1,
    );
    PgUrl::parse(&text).expect("the proxied URL parses")
}

fn frames(c: &mut Criterion, group: &str, window: Store, writer: Store) {
    let mut app = PoolAdminApp::new(window);
    app.open_page(Page::Pools);
    let ctx = egui::Context::default();
    let frame = |app: &mut PoolAdminApp| support::window::frame(&ctx, app);
    for _ in 0..3 {
        frame(&mut app);
    }
    let writing = Arc::new(AtomicBool::new(true));
    let writes = {
        let writing = Arc::clone(&writing);
        let mut writer = writer;
        std::thread::spawn(move || {
            let mut n = 0;
            while writing.load(Ordering::SeqCst) {
                n += 1;
                writer
                    .add_pool(&format!("written-{n:05}"), PoolKind::Server)
                    .expect("a pool");
                std::thread::sleep(Duration::from_millis(100));
            }
            writer
        })
    };
    let mut group = c.benchmark_group(group);
    group.bench_function("frame_while_written", |b| {
        b.iter(|| black_box(frame(&mut app)))
    });
    writing.store(false, Ordering::SeqCst);
    let mut writer = writes.join().expect("the writer");
    let mut n = 0;
    group.bench_function("change_on_screen", |b| {
        b.iter_custom(|rounds| {
            let mut total = Duration::ZERO;
            for _ in 0..rounds {
                n += 1;
                let name = format!("seen-{n:05}");
                let written = Instant::now();
                writer.add_pool(&name, PoolKind::Server).expect("a pool");
                while !app.catalog().pools.iter().any(|p| p.name == name) {
                    assert!(
                        written.elapsed() < Duration::from_secs(10),
                        "{name} never showed"
                    );
                    frame(&mut app);
                    std::thread::sleep(Duration::from_millis(5));
                }
                total += written.elapsed();
            }
            total
        })
    });
    group.finish();
}

fn window_remote(c: &mut Criterion) {
    let shape = Shape::new(10, 1_000, 10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bench.sqlite");
    let window = support::large_deployment(&file, shape);
    let writer = window.sibling().expect("a second connection");
    frames(c, "window_sqlite", window, writer);

    let Some(store) = support::large_postgres_deployment(dir.path(), shape) else {
        return;
    };
    let Database::Postgres(url) = store.database().clone() else {
        unreachable!("a PostgreSQL store");
    };
    let admin = std::env::var("POOLADMIN_TEST_POSTGRES").expect("the cluster");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let port = delaying_proxy(&runtime, format!("127.0.0.1:{}", url.port));
    let slow = Database::Postgres(through_proxy(&admin, &url.dbname, port));
    let key = KeySource::File(dir.path().join("bench.key"));
    let window = Store::open_database_for_command(&slow, &key).expect("open through the proxy");
    frames(c, "window_postgres_20ms", window, store);
    drop(runtime);
}

criterion_group!(benches, window_remote);
criterion_main!(benches);

//! What the local rate limiter costs per request as the number of distinct
//! callers grows: one caller (the baseline), 10k, 100k, and 1M callers,
//! which is past the map's bound, so that every update also evicts. All in
//! one run; `cargo bench --bench limiter` prints nanoseconds per update,
//! the ratio to the baseline and the map's size.

use std::hint::black_box;
use std::time::{Duration, Instant};

use tarjotin_api::ratelimit::LocalBuckets;

/// Mean nanoseconds per update over `callers` distinct buckets, taken in
/// turn for `run` (after one warm-up pass over all of them).
fn measure(callers: usize, run: Duration) -> (f64, usize) {
    let buckets = LocalBuckets::new();
    let names: Vec<String> = (0..callers)
        .map(|i| format!("ip:10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255))
        .collect();
    for name in &names {
        buckets.update(name, 1000, 50.0, 1.0);
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < run {
        for _ in 0..1000 {
            let name = &names[(n as usize) % callers];
            black_box(buckets.update(name, 1000, 50.0, 1.0));
            n += 1;
        }
    }
    let ns = start.elapsed().as_nanos() as f64 / n as f64;
    (ns, buckets.len())
}

fn main() {
    // `cargo bench` passes --bench; `cargo test` runs this once, briefly, as
    // a smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let run = if full {
        Duration::from_secs(2)
    } else {
        Duration::from_millis(20)
    };
    let sizes: &[usize] = if full {
        &[10_000, 100_000, 1_000_000]
    } else {
        &[10_000]
    };
    println!("local rate limiter, {} ms per row", run.as_millis());
    println!("| distinct callers | ns per update | against one caller | buckets held |");
    println!("| ---: | ---: | ---: | ---: |");
    let (base, held) = measure(1, run);
    println!("| 1 | {base:.0} | 1.00 | {held} |");
    for &callers in sizes {
        let (ns, held) = measure(callers, run);
        println!("| {callers} | {ns:.0} | {:.2} | {held} |", ns / base);
    }
}

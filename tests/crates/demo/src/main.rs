//! Demo workload for cargo-flamegraph: `heavy` does twice the work of
//! `light`, so the flame graph shows `demo::heavy` about twice as wide.
use std::hint::black_box;
use std::time::{Duration, Instant};

#[inline(never)]
fn mix(mut x: u64, rounds: u64) -> u64 {
    for i in 0..rounds {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x = x.wrapping_add(black_box(i));
    }
    x
}

#[inline(never)]
fn heavy(seed: u64) -> u64 {
    mix(black_box(seed), 2_000_000).wrapping_mul(3)
}

#[inline(never)]
fn light(seed: u64) -> u64 {
    mix(black_box(seed), 1_000_000).wrapping_mul(3)
}

#[inline(never)]
fn round(seed: u64) -> u64 {
    heavy(seed) ^ light(seed)
}

/// Recursion `depth` levels deep, each frame holding 256 bytes, with the
/// work at the bottom: a stack of about depth * 300 bytes to unwind.
#[inline(never)]
fn deep(depth: u32, seed: u64) -> u64 {
    let mut buf = [0u64; 32];
    buf[(depth % 32) as usize] = seed;
    black_box(&mut buf);
    if depth == 0 {
        round(buf[0])
    } else {
        deep(depth - 1, seed.wrapping_add(buf[1])).wrapping_mul(3)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("");
    let mut acc = 0u64;
    if mode == "loop" {
        let secs: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5.0);
        let end = Instant::now() + Duration::from_secs_f64(secs);
        let mut i = 0;
        while Instant::now() < end {
            acc ^= round(i);
            i += 1;
        }
    } else if mode == "deep" {
        let depth: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100);
        for i in 0..black_box(60) {
            acc ^= deep(depth, i);
        }
    } else {
        for i in 0..black_box(60) {
            acc ^= round(i);
        }
    }
    println!("demo: {acc:x}");
    match mode {
        "panic" => panic!("demo: panicking on purpose"),
        "exit" => std::process::exit(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3)),
        _ => {}
    }
}

//! threads: named threads for the time chart and per-thread tests.
//!
//! Usage: threads [MILLISECONDS] (default 300).  "busy" works for
//! 2 x MS; "sleeper" works for MS/2, sleeps for MS, works for MS/2
//! again (a gap in its lane); the main thread works for MS/2 and waits.
//! Every loop runs for a time, not a number of rounds, so the shares do
//! not depend on the machine's speed.
use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

#[inline(never)]
fn spin(n: u64) -> u64 {
    let mut acc = 0u64;
    for i in 0..n {
        acc = acc.wrapping_mul(6364136223846793005).wrapping_add(black_box(i));
    }
    acc
}

#[inline(never)]
fn run_for(d: Duration, f: fn(u64) -> u64) -> u64 {
    let until = Instant::now() + d;
    let mut acc = 0u64;
    while Instant::now() < until {
        acc ^= f(20000);
    }
    acc
}

#[inline(never)]
fn busy_work(n: u64) -> u64 {
    // not a tail call: the frame stays on the stack
    black_box(spin(n)) ^ 1
}

#[inline(never)]
fn before_sleep(n: u64) -> u64 {
    // not a tail call: the frame stays on the stack
    black_box(spin(n)) ^ 2
}

#[inline(never)]
fn after_sleep(n: u64) -> u64 {
    // not a tail call: the frame stays on the stack
    black_box(spin(n)) ^ 3
}

#[inline(never)]
fn main_work(n: u64) -> u64 {
    // not a tail call: the frame stays on the stack
    black_box(spin(n)) ^ 4
}

fn main() {
    let ms: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let d = Duration::from_millis(ms);
    let busy = thread::Builder::new()
        .name("busy".into())
        .spawn(move || run_for(2 * d, busy_work))
        .unwrap();
    let sleeper = thread::Builder::new()
        .name("sleeper".into())
        .spawn(move || {
            let a = run_for(d / 2, before_sleep);
            thread::sleep(d);
            a ^ run_for(d / 2, after_sleep)
        })
        .unwrap();
    let m = run_for(d / 2, main_work);
    let r = m ^ busy.join().unwrap() ^ sleeper.join().unwrap();
    println!("{}", r & 1);
}

//! dwarfwork: CPU work with deep and varied stacks, recorded by the
//! unwinder's tests with `perf record --call-graph dwarf`.
//! Usage: dwarfwork [MILLISECONDS] (default 600), split over threads.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

#[inline(never)]
fn fib(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        black_box(fib(n - 1)) + fib(n - 2)
    }
}

#[inline(never)]
fn deep(depth: u32, acc: u64) -> u64 {
    if depth == 0 {
        fib(black_box(18)) ^ acc
    } else {
        let mut buf = [0u64; 8];
        buf[(depth % 8) as usize] = acc;
        black_box(&mut buf);
        deep(depth - 1, acc.wrapping_mul(31).wrapping_add(buf[0]))
    }
}

trait Shape {
    fn area(&self) -> f64;
}
struct Square(f64);
struct Circle(f64);
impl Shape for Square {
    fn area(&self) -> f64 {
        self.0 * self.0
    }
}
impl Shape for Circle {
    fn area(&self) -> f64 {
        3.14159 * self.0 * self.0
    }
}

#[inline(never)]
fn sum_generic<T: Copy + Into<f64>>(items: &[T]) -> f64 {
    items.iter().map(|&x| x.into().sqrt()).sum()
}

#[inline(never)]
fn total_area(shapes: &[Box<dyn Shape>]) -> f64 {
    shapes.iter().map(|s| s.area()).sum()
}

#[inline(never)]
fn with_closure<F: Fn(u64) -> u64>(n: u64, f: F) -> u64 {
    (0..n).map(|i| f(i)).fold(0, |a, b| a ^ b)
}

#[inline(never)]
fn map_work(n: u64) -> usize {
    let mut m = BTreeMap::new();
    for i in 0..n {
        *m.entry(i.wrapping_mul(2654435761) % 1000).or_insert(0u64) += i;
    }
    let mut v: Vec<u64> = m.values().copied().collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.len()
}

#[inline(never)]
fn strings(n: usize) -> usize {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!("{}-{};", i, i * 7));
    }
    s.split(';').filter(|p| p.contains('7')).count()
}

#[inline(never)]
fn sys_work(out: &mut std::fs::File, rounds: usize) -> u64 {
    use std::io::Write;
    let buf = [b'x'; 256];
    let mut t = 0u64;
    for _ in 0..rounds {
        let _ = out.write(&buf);
        t = t.wrapping_add(Instant::now().elapsed().as_nanos() as u64);
    }
    t
}

fn worker(id: u64, until: Instant) -> u64 {
    let mut devnull = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .expect("/dev/null");
    let mut acc = id;
    let shapes: Vec<Box<dyn Shape>> = (0..64)
        .map(|i| -> Box<dyn Shape> {
            if i % 2 == 0 {
                Box::new(Square(i as f64))
            } else {
                Box::new(Circle(i as f64))
            }
        })
        .collect();
    let ints: Vec<u32> = (0..512).collect();
    while Instant::now() < until {
        acc ^= deep(black_box(40 + (acc % 140) as u32), acc);
        acc = acc.wrapping_add(sum_generic(&ints) as u64);
        acc = acc.wrapping_add(total_area(&shapes) as u64);
        let k = acc | 1;
        acc ^= with_closure(2000, |i| i.wrapping_mul(k).rotate_left(7));
        acc = acc.wrapping_add(map_work(3000) as u64);
        acc = acc.wrapping_add(strings(200) as u64);
        acc ^= sys_work(&mut devnull, 100);
    }
    acc
}

fn main() {
    let ms: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(600);
    let until = Instant::now() + Duration::from_millis(ms);
    let handles: Vec<_> = (0..2)
        .map(|id| thread::spawn(move || worker(id, until)))
        .collect();
    let mut acc = worker(7, until);
    for h in handles {
        acc ^= h.join().unwrap();
    }
    println!("{}", acc & 0xff);
    // FG_EXIT_STAMP=PATH: the time of the exit (ns since the epoch), for
    // tests/bench/bench-wait.py, which measures the wait that follows
    if let Some(path) = std::env::var_os("FG_EXIT_STAMP") {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let _ = std::fs::write(path, format!("{}\n", now));
    }
}

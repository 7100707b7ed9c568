// fpwork: a small workload for the perf.data reader tests.  Threads,
// closures, generics, iterators, std and libc calls, and some kernel time,
// for about a second.
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::thread;
use std::time::{Duration, Instant};

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
fn sum_areas<T: Shape>(items: &[T]) -> f64 {
    items.iter().map(|s| s.area()).sum()
}

#[inline(always)]
fn mix(x: u64) -> u64 {
    let x = x ^ (x >> 33);
    x.wrapping_mul(0xff51afd7ed558ccd)
}

#[inline(never)]
fn hash_work(n: u64) -> u64 {
    let mut m: HashMap<u64, u64> = HashMap::new();
    for i in 0..n {
        *m.entry(mix(i) % 4096).or_insert(0) += i;
    }
    m.values().copied().fold(0, |a, b| a.wrapping_add(b))
}

#[inline(never)]
fn sort_work(n: usize) -> u64 {
    let mut v: Vec<u64> = (0..n as u64).map(mix).collect();
    v.sort_unstable();
    let mut s: Vec<String> = v.iter().take(n / 8).map(|x| format!("{x:x}")).collect();
    s.sort();
    s.iter().map(|x| x.len() as u64).sum()
}

#[inline(never)]
fn io_work(rounds: usize) -> usize {
    let path = std::env::temp_dir().join(format!("fpwork-{}", std::process::id()));
    let buf = vec![7u8; 64 * 1024];
    let mut total = 0;
    for _ in 0..rounds {
        let mut f = File::create(&path).expect("create");
        f.write_all(&buf).expect("write");
        drop(f);
        let mut f = File::open(&path).expect("open");
        let mut back = Vec::new();
        total += f.read_to_end(&mut back).expect("read");
    }
    let _ = std::fs::remove_file(&path);
    total
}

#[inline(never)]
fn libc_work(n: usize) -> usize {
    let mut total = 0;
    for i in 0..n {
        let v: Vec<u8> = vec![(i % 251) as u8; 4096 + i % 1024];
        let w = v.clone();
        total += w.iter().filter(|&&b| b == 3).count();
    }
    total
}

fn run_for<F: FnMut() -> u64>(d: Duration, mut f: F) -> u64 {
    let start = Instant::now();
    let mut acc = 0u64;
    while start.elapsed() < d {
        acc = acc.wrapping_add(f());
    }
    acc
}

fn main() {
    let ms: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(800);
    let d = Duration::from_millis(ms);
    if std::env::args().nth(2).as_deref() == Some("fork") {
        return fork_work(ms);
    }
    let squares: Vec<Square> = (0..5000).map(|i| Square(i as f64)).collect();
    let circles: Vec<Circle> = (0..5000).map(|i| Circle(i as f64)).collect();
    let t1 = thread::spawn(move || run_for(d, || hash_work(20000)));
    let t2 = thread::spawn(move || {
        run_for(d, || {
            (sum_areas(&squares) + sum_areas(&circles)) as u64 + sort_work(20000)
        })
    });
    let a = run_for(d / 2, || io_work(8) as u64);
    let b = run_for(d / 2, || libc_work(200) as u64);
    let r = t1.join().unwrap() ^ t2.join().unwrap() ^ a ^ b;
    println!("{}", r & 1);
}

// "fpwork MS fork": two children of this program (fork and exec), their
// output read through pipes while this process works too.
fn fork_work(ms: u64) {
    use std::process::{Command, Stdio};
    let me = std::env::current_exe().unwrap();
    let kids: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&me)
                .arg((ms / 2).to_string())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let a = run_for(Duration::from_millis(ms / 2), || hash_work(20000));
    let mut out = String::new();
    for mut k in kids {
        k.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        k.wait().unwrap();
    }
    println!("{} {}", a & 1, out.len());
}

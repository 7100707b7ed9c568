// staticwork: a small single-threaded CPU workload for the checked-in
// perf.data recordings (tests/perfdata/regen-static.sh).  Three
// functions with a known 1:2:3 share of the work, each with an inlined
// helper so that inline frames show; no time, I/O or allocation in the
// loop.  Without std, linked statically against libc: the binary is
// small and every user-space sample falls in it.  `staticwork N` runs
// N rounds (default 160, about 0.3 s).
#![no_std]
#![no_main]

use core::panic::PanicInfo;

#[link(name = "c")]
extern "C" {
    fn write(fd: i32, buf: *const u8, n: usize) -> isize;
    fn atoi(s: *const u8) -> i32;
}

// what static libc.a needs from the compiler's runtime
#[link(name = "gcc_eh")]
#[link(name = "gcc")]
#[link(name = "c")]
extern "C" {}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}

#[inline(always)]
fn mix(x: u64) -> u64 {
    let x = x ^ (x >> 31);
    x.wrapping_mul(0x9e3779b97f4a7c15)
}

#[inline(always)]
fn churn(seed: u64, n: u64) -> u64 {
    let mut acc = seed;
    for i in 0..n {
        acc = mix(acc ^ i);
    }
    acc
}

#[inline(never)]
fn work_a(seed: u64) -> u64 {
    churn(seed, 200_000)
}

#[inline(never)]
fn work_b(seed: u64) -> u64 {
    churn(seed ^ 1, 400_000)
}

#[inline(never)]
fn work_c<T: Into<u64> + Copy>(seed: T) -> u64 {
    churn(seed.into() ^ 2, 600_000)
}

#[inline(never)]
fn round(seed: u64) -> u64 {
    let f = |s: u64| work_b(s);
    work_a(seed) ^ f(seed) ^ work_c(seed)
}

#[no_mangle]
pub extern "C" fn main(argc: i32, argv: *const *const u8) -> i32 {
    let mut rounds = 160u64;
    if argc > 1 {
        let n = unsafe { atoi(*argv.add(1)) };
        if n > 0 {
            rounds = n as u64;
        }
    }
    let mut acc = 0u64;
    for r in 0..rounds {
        acc ^= round(core::hint::black_box(r));
    }
    let mut hex = [b'\n'; 17];
    for i in 0..16 {
        let d = ((acc >> (60 - 4 * i)) & 15) as u8;
        hex[i] = if d < 10 { b'0' + d } else { b'a' + d - 10 };
    }
    unsafe { write(1, hex.as_ptr(), hex.len()) };
    0
}

//! Shared work for the workspace's targets: `spin` burns CPU in a
//! function whose name shows in the flame graph.
use std::hint::black_box;

#[inline(never)]
pub fn spin(rounds: u64) -> u64 {
    let mut x = black_box(0x9e37_79b9_7f4a_7c15u64);
    for i in 0..rounds {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x = x.wrapping_add(black_box(i));
    }
    x
}

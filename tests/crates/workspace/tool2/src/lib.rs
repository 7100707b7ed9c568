#![cfg_attr(all(test, fg_bench), feature(test))]
use std::hint::black_box;

#[inline(never)]
pub fn tool2_spin(rounds: u64) -> u64 {
    let mut x = black_box(7u64);
    for i in 0..rounds {
        x = x.rotate_left(5) ^ black_box(i);
    }
    x
}

#[cfg(test)]
mod tests {
    #[inline(never)]
    fn unit_work() -> u64 {
        super::tool2_spin(100_000_000).wrapping_mul(3)
    }

    #[test]
    fn unit_spins() {
        assert_ne!(unit_work(), 1);
    }
}

// A unit bench (libtest's #[bench] needs nightly features: the e2e test
// builds it with RUSTC_BOOTSTRAP=1 and --cfg fg_bench).
#[cfg(all(test, fg_bench))]
mod benches {
    extern crate test;

    #[inline(never)]
    fn unit_bench_work() -> u64 {
        super::tool2_spin(20_000)
    }

    #[bench]
    fn unit_bench_spin(b: &mut test::Bencher) {
        b.iter(unit_bench_work);
    }
}

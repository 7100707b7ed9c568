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

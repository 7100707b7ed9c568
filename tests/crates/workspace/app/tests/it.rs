#[inline(never)]
fn integration_work() -> u64 {
    app::spin(60_000_000).wrapping_mul(3)
}

#[test]
fn it_spins() {
    assert_ne!(integration_work(), 1);
}

#[inline(never)]
fn bench_work() -> u64 {
    app::spin(60_000_000).wrapping_mul(3)
}

fn main() {
    // harness = false: cargo flamegraph passes --bench, as cargo bench does.
    let benching = std::env::args().any(|a| a == "--bench");
    println!("bb: {:x} (bench mode: {benching})", bench_work());
}

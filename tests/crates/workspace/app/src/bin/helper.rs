#[inline(never)]
fn helper_work() -> u64 {
    app::spin(60_000_000).wrapping_mul(3)
}

fn main() {
    println!("helper: {:x}", helper_work());
}

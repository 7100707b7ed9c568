#[inline(never)]
fn tool2_main_work() -> u64 {
    tool2::tool2_spin(100_000_000).wrapping_mul(3)
}

fn main() {
    println!("tool2: {:x}", tool2_main_work());
}

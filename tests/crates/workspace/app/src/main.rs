#[inline(never)]
fn app_main_work() -> u64 {
    app::spin(60_000_000).wrapping_mul(3)
}

fn main() {
    println!("app: {:x}", app_main_work());
}

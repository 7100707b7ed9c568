// jitwork: "JIT-compiled" code for the perf.data reader tests.  It copies a
// small x86-64 loop into an anonymous executable mapping, names it in
// /tmp/perf-PID.map as JIT compilers do for perf, and runs it for a while.
use std::io::Write;

extern "C" {
    fn mmap(addr: *mut u8, len: usize, prot: i32, flags: i32, fd: i32, off: i64) -> *mut u8;
}

#[inline(never)]
fn call_jit(f: extern "C" fn() -> u32) -> u32 {
    f()
}

fn main() {
    // mov ecx, 0x04000000; 1: dec ecx; jnz 1b; mov eax, ecx; ret
    let code: [u8; 12] = [0xb9, 0x00, 0x00, 0x00, 0x04, 0xff, 0xc9, 0x75, 0xfc, 0x89, 0xc8, 0xc3];
    let rounds: u32 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(8);
    let p = unsafe { mmap(std::ptr::null_mut(), 4096, 7, 0x22, -1, 0) };
    assert!(!p.is_null() && p as isize != -1, "mmap failed");
    unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), p, code.len()) };
    let path = format!("/tmp/perf-{}.map", std::process::id());
    let mut m = std::fs::File::create(&path).expect("perf map");
    writeln!(m, "{:x} {:x} jit_spin", p as usize, code.len()).expect("write");
    drop(m);
    let f: extern "C" fn() -> u32 = unsafe { std::mem::transmute(p) };
    let mut acc = 0;
    for _ in 0..rounds {
        acc += call_jit(f);
    }
    println!("{}", acc);
}

//! Thread-backend benches (filled in below).
fn main() {}

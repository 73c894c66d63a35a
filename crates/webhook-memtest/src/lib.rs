//! Test-only crate: `tests/peak_memory.rs` measures the peak heap of one request through the
//! Standard Webhooks layer with a counting global allocator (SECURITY.md §4 R3). It has its own
//! test binary because a global allocator is process-wide.

//! Test-only crate: heap measurements under a counting global allocator (SECURITY.md §4 R3).
//! Each test file is its own binary because a global allocator is process-wide:
//! `tests/peak_memory.rs` measures the peak heap of one request through the Standard Webhooks
//! layer; `tests/stalled_uploads.rs` (T07) holds 1 000 stalled uploads over loopback HTTP;
//! `tests/flood.rs` (R5) sends 10 000 invalid requests with 1 % valid ones over loopback.
//! See `docs/HARDENING.md`.

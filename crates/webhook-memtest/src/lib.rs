//! Test-only crate: heap measurements under a counting global allocator (SECURITY.md §4 R3).
//! Each test file is its own binary because a global allocator is process-wide:
//! `tests/peak_memory.rs` measures the peak heap of one request through the Standard Webhooks
//! layer; `tests/stalled_uploads.rs` (T07) holds 1 000 stalled uploads over loopback HTTP;
//! `tests/flood.rs` (R5) sends 10 000 invalid requests with 1 % valid ones over loopback.
//! See `docs/HARDENING.md`.
#![allow(unsafe_code)] // the global allocator below; it only delegates to `System`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// A global allocator that delegates to [`System`] and counts live and peak heap bytes. A test
/// binary installs it with `#[global_allocator] static A: CountingAllocator = CountingAllocator;`
/// and reads the counters with [`live_bytes`], [`start_peak`] and [`peak_bytes`].
#[derive(Debug)]
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counters are plain atomics and never affect the returned pointers.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(pointer, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded contract.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
            let now = CURRENT.fetch_add(new_size, Ordering::SeqCst) + new_size;
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        moved
    }
}

/// Heap bytes allocated and not yet freed.
#[must_use]
pub fn live_bytes() -> usize {
    CURRENT.load(Ordering::SeqCst)
}

/// Starts a peak window at the current live bytes and returns them (the baseline).
pub fn start_peak() -> usize {
    let baseline = live_bytes();
    PEAK.store(baseline, Ordering::SeqCst);
    baseline
}

/// The highest live heap bytes since [`start_peak`].
#[must_use]
pub fn peak_bytes() -> usize {
    PEAK.load(Ordering::SeqCst)
}

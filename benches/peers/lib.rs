//! Nothing here: the package exists for `benches/svix.rs`.

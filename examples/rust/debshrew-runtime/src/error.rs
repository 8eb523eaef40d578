//! Error type of the SDK: transforms use [`anyhow`], so `Result<T>` is `anyhow::Result<T>` and any
//! error type converts with `?`.

/// The error type returned by transforms and SDK calls (an [`anyhow::Error`]).
pub type Error = anyhow::Error;

/// `Result<T, anyhow::Error>`.
pub type Result<T, E = Error> = core::result::Result<T, E>;

//! Logging to the host: `println!` / `print!` go to `__stdout` (INFO), `eprintln!` / `eprint!`
//! to `__stderr` (WARN). Each macro call is one host call (the text is formatted first).

use std::fmt::{self, Write};

/// Standard output of the transform (`__stdout`); every `write_str` is one host call.
pub struct Stdout(());

/// Standard error of the transform (`__stderr`); every `write_str` is one host call.
pub struct Stderr(());

impl Write for Stdout {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        crate::sys::stdout(s);
        Ok(())
    }
}

impl Write for Stderr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        crate::sys::stderr(s);
        Ok(())
    }
}

/// A handle to standard output.
pub fn stdout() -> Stdout {
    Stdout(())
}

/// A handle to standard error.
pub fn stderr() -> Stderr {
    Stderr(())
}

/// Writes `msg` to standard output as is.
pub fn write_stdout(msg: &str) {
    crate::sys::stdout(msg);
}

/// Writes `msg` to standard error as is.
pub fn write_stderr(msg: &str) {
    crate::sys::stderr(msg);
}

fn format(args: fmt::Arguments, newline: bool) -> String {
    let mut s = match args.as_str() {
        Some(lit) => String::from(lit),
        None => fmt::format(args),
    };
    if newline {
        s.push('\n');
    }
    s
}

/// Formats `args` plus a newline to standard output.
pub fn println(args: fmt::Arguments) {
    crate::sys::stdout(&format(args, true));
}

/// Formats `args` to standard output.
pub fn print(args: fmt::Arguments) {
    crate::sys::stdout(&format(args, false));
}

/// Formats `args` plus a newline to standard error.
pub fn eprintln(args: fmt::Arguments) {
    crate::sys::stderr(&format(args, true));
}

/// Formats `args` to standard error.
pub fn eprint(args: fmt::Arguments) {
    crate::sys::stderr(&format(args, false));
}

/// Like `std::println!`, to the host's stdout log.
#[macro_export]
macro_rules! println {
    () => {
        $crate::stdio::write_stdout("\n")
    };
    ($($arg:tt)*) => {
        $crate::stdio::println(::core::format_args!($($arg)*))
    };
}

/// Like `std::print!`, to the host's stdout log.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::stdio::print(::core::format_args!($($arg)*))
    };
}

/// Like `std::eprintln!`, to the host's stderr log (`__stderr`).
#[macro_export]
macro_rules! eprintln {
    () => {
        $crate::stdio::write_stderr("\n")
    };
    ($($arg:tt)*) => {
        $crate::stdio::eprintln(::core::format_args!($($arg)*))
    };
}

/// Like `std::eprint!`, to the host's stderr log.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::stdio::eprint(::core::format_args!($($arg)*))
    };
}

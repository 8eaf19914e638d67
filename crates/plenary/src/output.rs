//! Printing that never brings the process down. Rust's `println!` panics
//! when standard output is closed or its reader has gone: the long-running
//! commands (`serve`, `demo`) print with [`say!`](crate::say) and go on
//! serving; the one-shot commands end quietly at the first line that has
//! nowhere to go ([`end_quietly_on_closed_output`]).

use std::io::Write;

/// A line on standard output, lost when it cannot be written.
#[macro_export]
macro_rules! say {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

pub fn line(args: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout(), "{args}");
}

/// A one-shot command whose output (`plenary … | head -1`) or error
/// channel has gone stops there, with no panic message: exit 0 when the
/// reader of its output went away on purpose, 1 on any other failure.
pub fn end_quietly_on_closed_output() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The text of std's print macros when a write fails.
        let message = info.payload_as_str().unwrap_or("");
        if message.starts_with("failed printing to stdout")
            || message.starts_with("failed printing to stderr")
        {
            let read_enough =
                message.starts_with("failed printing to stdout") && message.contains("Broken pipe");
            std::process::exit(if read_enough { 0 } else { 1 });
        }
        report(info);
    }));
}

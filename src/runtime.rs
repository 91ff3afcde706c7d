//! The TUI's event loop: owns the terminal, wires input, signals and loader
//! threads into one channel, and redraws only after something changed.
//!
//! The terminal is restored on every exit path: normal quit, errors (the
//! guard's `Drop`), the UI thread's panics (ratatui's hook, installed by
//! `ratatui::try_init`; a loader's panic is its load's failure),
//! and SIGTERM/SIGHUP/SIGINT or Ctrl-c (turned into a quit event; the exit
//! status is 128 + the signal's number). Ctrl-z and SIGTSTP give the
//! terminal back to the shell before the process stops; SIGCONT takes it
//! again and redraws everything.

use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use anyhow::Context as _;
use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TermEvent, KeyCode, KeyEvent,
    KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::layout::{Position, Rect};
use ratatui::DefaultTerminal;
use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGSTOP, SIGTERM, SIGTSTP};

use crate::app::jobs::{Job, JobDone};
use crate::app::keymap::{Key, Keymap};
use crate::app::{App, LoadState, Pane};
use crate::commands::SessionEnd;
use crate::format;
use crate::loader::{self, LoadEvent, LoaderHandle, Rendezvous};
use crate::snapshot::index::IndexFile;
use crate::snapshot::SnapshotInput;
use crate::ui;

/// Everything the event loop reacts to.
enum Event {
    Input(TermEvent),
    Load {
        slot: usize,
        event: LoadEvent,
    },
    /// A background job the app asked for is done.
    Job(JobDone),
    /// SIGTERM, SIGHUP or SIGINT: quit, exit status 128 + the signal.
    Quit(i32),
    /// SIGTSTP sent to the process (Ctrl-z itself arrives as a key, the
    /// terminal being in raw mode).
    Suspend,
    /// SIGCONT: the process was stopped and goes on; the shell may have
    /// changed the terminal meanwhile.
    Continue,
}

/// While loading, the clock in the progress line moves this often.
const LOADING_TICK: Duration = Duration::from_millis(250);

/// Restores the terminal however the loop ends.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        leave_terminal();
        if thread::panicking() {
            if let Some(other) = OTHER_PANIC.lock().ok().and_then(|mut kept| kept.take()) {
                eprintln!("heaplens: {}", format::visible(&other));
            }
        }
    }
}

/// Gives the terminal back to the shell: no mouse capture, the cursor
/// shown, cooked mode, the normal screen. Errors are ignored (and not
/// printed: stderr may be the same broken terminal): this runs on the way
/// out or into a stop, maybe on a terminal that is gone.
fn leave_terminal() {
    let _ = execute!(std::io::stdout(), DisableMouseCapture, cursor::Show);
    let _ = terminal::disable_raw_mode();
    let _ = execute!(std::io::stdout(), LeaveAlternateScreen);
}

/// Only the UI thread's panics go to ratatui's hook (the terminal
/// restored, then the message). Another thread's must neither restore the
/// terminal under the running UI nor print over it: a loader's and a job's
/// are caught and shown as their failure; any other is kept for
/// [`TerminalGuard`] to print, should the UI thread go down with it
/// (rayon hands a worker's panic to the thread waiting on it, without
/// running the hook again).
fn leave_other_threads_panics_to_them() {
    let restore_and_print = std::panic::take_hook();
    let ui = thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if thread::current().id() == ui {
            restore_and_print(info);
        } else if let Ok(mut kept) = OTHER_PANIC.lock() {
            *kept = Some(info.to_string());
        }
    }));
}

/// The last panic of a thread other than the UI's.
static OTHER_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Takes the terminal again after a stop: raw mode, the alternate screen,
/// mouse capture if the user left it on; the next draw repaints every cell.
fn enter_terminal(tui: &mut DefaultTerminal, mouse: bool) -> anyhow::Result<()> {
    // crossterm does nothing when it believes raw mode is on; after an
    // outside SIGSTOP the shell may have reset the terminal behind its back.
    terminal::disable_raw_mode().context("resetting the terminal mode")?;
    terminal::enable_raw_mode().context("entering raw mode")?;
    execute!(std::io::stdout(), EnterAlternateScreen).context("entering the alternate screen")?;
    capture_mouse(mouse)?;
    tui.clear().context("clearing the terminal")?;
    Ok(())
}

/// Ctrl-z or SIGTSTP: restore the terminal, stop like any full-screen
/// program (SIGSTOP: the handler signal-hook installed keeps SIGTSTP from
/// stopping us), and once continued (`fg`) take the terminal again.
fn suspend(tui: &mut DefaultTerminal, mouse: bool) -> anyhow::Result<()> {
    leave_terminal();
    signal_hook::low_level::raise(SIGSTOP).context("stopping the process")?;
    enter_terminal(tui, mouse)
}

/// Mouse capture on (the wheel and clicks come to heaplens) or off (the
/// terminal selects text, to copy an @id).
fn capture_mouse(on: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    if on {
        execute!(out, EnableMouseCapture).context("enabling the mouse")
    } else {
        execute!(out, DisableMouseCapture).context("disabling the mouse")
    }
}

/// OSC 52: asks the terminal to put `text` on its clipboard (tmux, kitty,
/// iTerm2, WezTerm, xterm with `allowWindowOps`; over SSH too). A
/// terminal without it ignores the sequence.
fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Standard base64 with padding (RFC 4648), for [`osc52`].
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Sends an id `y` copied to the terminal's clipboard. It is digits only,
/// so nothing in it can end the sequence early.
fn copy_to_clipboard(id: u64) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    out.write_all(osc52(&id.to_string()).as_bytes())
        .and_then(|()| out.flush())
        .context("copying to the clipboard")
}

/// Opens the TUI on one snapshot, a baseline/target pair or three, and
/// says how it ended: by a signal (Ctrl-c counts as SIGINT) or by the user
/// quitting, with the loads that failed.
pub fn run(inputs: Vec<(SnapshotInput, Option<Arc<IndexFile>>)>) -> anyhow::Result<SessionEnd> {
    let keymap = Keymap::parse(crate::app::keymap::DEFAULT_KEYMAP).map_err(anyhow::Error::msg)?;
    let (tx, rx) = mpsc::channel();
    let paths = inputs.iter().map(|(i, _)| i.path().to_owned()).collect();
    let mut app = App::new(paths, keymap);
    for (slot, (input, _)) in app.slots.iter_mut().zip(&inputs) {
        slot.file_bytes = input.file_bytes();
    }
    let mut terminal = ratatui::try_init().context("starting the terminal UI")?;
    let _guard = TerminalGuard;
    leave_other_threads_panics_to_them();
    let meeting = Arc::new(Rendezvous::new(inputs.len()));
    let _loaders: Vec<LoaderHandle> = inputs
        .into_iter()
        .enumerate()
        .map(|(slot, input)| {
            let wrap = move |event| Event::Load { slot, event };
            let place = (Arc::clone(&meeting), slot);
            loader::spawn(input, place, tx.clone(), wrap).context("starting a loader thread")
        })
        .collect::<anyhow::Result<_>>()?;
    watch_signals(tx.clone())?;
    capture_mouse(app.mouse_capture)?;
    spawn_input(tx.clone())?;
    let signal = event_loop(&mut terminal, &mut app, &rx, &tx)?;
    let failed = app
        .slots
        .iter()
        .filter_map(|slot| match &slot.state {
            LoadState::Failed(message) => Some(message.clone()),
            _ => None,
        })
        .collect();
    Ok(SessionEnd {
        signal,
        failed,
        yanked: app.yanked,
    })
}

/// Runs until the user quits or a signal ends the session; returns that
/// signal (SIGINT for Ctrl-c).
fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    rx: &Receiver<Event>,
    tx: &Sender<Event>,
) -> anyhow::Result<Option<i32>> {
    let mut signal = None;
    let mut size = terminal.size().context("reading the terminal size")?;
    let mut mouse = app.mouse_capture;
    measure(app, size);
    terminal.draw(|f| ui::render(app, f))?;
    // Debug builds only: lets the end-to-end test check that a panic
    // restores the terminal and shows its message.
    #[cfg(debug_assertions)]
    if std::env::var_os("HEAPLENS_DEBUG_PANIC").is_some() {
        panic!("HEAPLENS_DEBUG_PANIC: deliberate panic to test terminal restoration");
    }
    while !app.quit {
        let event = if app.loading() {
            match rx.recv_timeout(LOADING_TICK) {
                Ok(event) => Some(event),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match rx.recv() {
                Ok(event) => Some(event),
                Err(_) => break,
            }
        };
        let mut restarted = false;
        match event {
            Some(Event::Input(TermEvent::Key(key))) => match convert_key(key) {
                // Quits from anywhere, a prompt or the help included.
                Some(Key::Ctrl('c')) => {
                    signal = Some(SIGINT);
                    app.quit = true;
                }
                // Suspends from anywhere, a prompt included (the key map
                // lists it for the help; a key bound to it comes below).
                Some(Key::Ctrl('z')) => app.suspend = true,
                Some(key) => app.on_key(key),
                None => {}
            },
            Some(Event::Input(TermEvent::Mouse(event))) => {
                on_mouse(app, event, Rect::new(0, 0, size.width, size.height))
            }
            Some(Event::Input(TermEvent::Resize(w, h))) => {
                size = ratatui::layout::Size::new(w, h);
            }
            Some(Event::Input(_)) => continue,
            Some(Event::Load { slot, event }) => app.on_load(slot, event),
            Some(Event::Job(done)) => app.on_job(done),
            Some(Event::Quit(number)) => {
                signal = Some(number);
                app.quit = true;
            }
            Some(Event::Suspend) => app.suspend = true,
            Some(Event::Continue) => {
                enter_terminal(terminal, mouse)?;
                restarted = true;
            }
            None => {}
        }
        if app.take_suspend() {
            suspend(terminal, mouse)?;
            restarted = true;
        }
        if restarted {
            // The terminal may have been resized while we were stopped.
            size = terminal.size().context("reading the terminal size")?;
        }
        apply_terminal_requests(app, &mut mouse)?;
        for job in app.take_jobs() {
            spawn_job(job, tx.clone())?;
        }
        if !app.quit {
            measure(app, size);
            terminal.draw(|f| ui::render(app, f))?;
        }
    }
    Ok(signal)
}

/// What the app asked of the terminal: mouse capture on or off (`mouse`
/// is what the terminal has), an id for the clipboard.
fn apply_terminal_requests(app: &mut App, mouse: &mut bool) -> anyhow::Result<()> {
    if app.mouse_capture != *mouse {
        capture_mouse(app.mouse_capture)?;
        *mouse = app.mouse_capture;
    }
    if let Some(id) = app.take_clipboard() {
        copy_to_clipboard(id)?;
    }
    Ok(())
}

/// Tells the app what each pane gets on a screen of `size` (the panes
/// change with the focus and the zoom, not only with the size).
fn measure(app: &mut App, size: ratatui::layout::Size) {
    let viewports = ui::viewports(app, Rect::new(0, 0, size.width, size.height));
    app.on_viewports(viewports);
}

/// Runs `job` on its own thread; the result comes back as an event. A
/// send after the loop ended (the user quit meanwhile) is dropped.
fn spawn_job(job: Job, tx: Sender<Event>) -> anyhow::Result<()> {
    thread::Builder::new()
        .name("job".into())
        .spawn(move || {
            let done = std::panic::catch_unwind(AssertUnwindSafe(|| job.run()));
            let done = done.unwrap_or_else(|panic| {
                JobDone::Failed(format!(
                    "internal error in a background job (a heaplens bug; please report it): {}",
                    format::visible(loader::panic_text(panic.as_ref()))
                ))
            });
            let _ = tx.send(Event::Job(done));
        })
        .context("starting a background job")?;
    Ok(())
}

fn spawn_input(tx: Sender<Event>) -> anyhow::Result<()> {
    thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while let Ok(event) = event::read() {
                if tx.send(Event::Input(event)).is_err() {
                    break;
                }
            }
        })
        .context("starting the input thread")?;
    Ok(())
}

/// SIGTERM, SIGHUP and SIGINT quit; SIGTSTP suspends; SIGCONT redraws.
fn watch_signals(tx: Sender<Event>) -> anyhow::Result<()> {
    let mut signals =
        signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGTSTP, SIGCONT])
            .context("watching signals")?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let event = match signal {
                    SIGTSTP => Event::Suspend,
                    SIGCONT => Event::Continue,
                    quit => Event::Quit(quit),
                };
                if tx.send(event).is_err() {
                    break;
                }
            }
        })
        .context("starting the signal thread")?;
    Ok(())
}

/// crossterm's key event → our [`Key`] (presses only).
fn convert_key(key: KeyEvent) -> Option<Key> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c),
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    })
}

fn on_mouse(app: &mut App, mouse: MouseEvent, screen: Rect) {
    let areas = ui::layout_of(app, screen);
    let at = Position::new(mouse.column, mouse.row);
    let pane = if areas.table.contains(at) {
        app.view
    } else if areas.retainers.contains(at) {
        Pane::Retainers
    } else if areas.details.contains(at) {
        Pane::Details
    } else {
        return;
    };
    match mouse.kind {
        MouseEventKind::ScrollDown => app.scroll(pane, 3),
        MouseEventKind::ScrollUp => app.scroll(pane, -3),
        MouseEventKind::Down(MouseButton::Left) if pane == app.view => {
            // Border and header row come before the first data row.
            if let Some(index) = mouse.row.checked_sub(areas.table.y + 2) {
                app.click_table_row(index as usize);
            }
        }
        MouseEventKind::Down(MouseButton::Left) => app.focus = pane,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(osc52("71213"), "\x1b]52;c;NzEyMTM=\x07");
    }
}

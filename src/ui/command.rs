//! What a page asks of the window (after rerun's `SystemCommand`): pages send commands while
//! they draw, and the shell applies them in order once the frame's page is drawn — no page
//! reaches into the window's state, and every effect is in one place.

use super::confirm::Confirm;
use super::page::Page;
use super::shown_once::ShownOnce;

/// One thing the window does after the frame.
#[derive(Clone, Debug, PartialEq)]
pub enum UiCommand {
    /// Go to another page.
    Navigate(Page),
    /// Ask before something destructive; the shell carries out a yes.
    Confirm(Confirm),
    /// The database changed: reload what is shown and wake the scaler.
    Reload,
    /// Show a secret this once (a new key or token).
    ShowOnce(ShownOnce),
    /// Show the last refusal above the page (until dismissed), or clear it after a success.
    Banner(Option<String>),
}

/// Where a frame's commands wait for the shell.
#[derive(Debug, Default)]
pub struct CommandSender {
    queue: Vec<UiCommand>,
}

impl CommandSender {
    /// Queues `command` for the end of the frame.
    pub fn send(&mut self, command: UiCommand) {
        self.queue.push(command);
    }

    /// The frame's commands, in the order sent.
    pub(super) fn take(&mut self) -> Vec<UiCommand> {
        std::mem::take(&mut self.queue)
    }
}

//! One writer at a time among the SQLite connections of one process. SQLite lets one
//! connection write at a time anyway; a connection that finds the file's write lock taken
//! sleeps in its busy handler (1, 2, 5, 10 ms…) long after the lock was freed, so the
//! connections of one process queue here instead, where the next one is woken the moment
//! the last one commits.

use std::cell::Cell;
use std::sync::{Arc, Condvar, Mutex};

/// Shared by a connection and its siblings.
#[derive(Clone, Debug, Default)]
pub struct WriteGate {
    taken: Arc<(Mutex<bool>, Condvar)>,
}

impl WriteGate {
    /// Waits until no sibling writes, then writes.
    pub fn enter(&self) {
        let (taken, freed) = &*self.taken;
        let mut taken = taken.lock().unwrap_or_else(|e| e.into_inner());
        while *taken {
            taken = freed.wait(taken).unwrap_or_else(|e| e.into_inner());
        }
        *taken = true;
    }

    /// Lets the next writer in.
    pub fn leave(&self) {
        let (taken, freed) = &*self.taken;
        *taken.lock().unwrap_or_else(|e| e.into_inner()) = false;
        freed.notify_one();
    }
}

/// One connection's place at the [`WriteGate`]: whether it is inside, given back when the
/// connection is dropped inside (a panic), so its siblings are not stuck.
#[derive(Debug, Default)]
pub struct WriteTurn {
    gate: WriteGate,
    held: Cell<bool>,
}

impl WriteTurn {
    /// A turn at the same gate, for a sibling connection.
    pub fn sibling(&self) -> Self {
        Self {
            gate: self.gate.clone(),
            held: Cell::new(false),
        }
    }

    /// Waits for the turn.
    pub fn take(&self) {
        self.gate.enter();
        self.held.set(true);
    }

    /// Whether this connection holds the turn.
    pub fn held(&self) -> bool {
        self.held.get()
    }

    /// Gives the turn back, if held.
    pub fn give_back(&self) {
        if self.held.replace(false) {
            self.gate.leave();
        }
    }
}

impl Drop for WriteTurn {
    fn drop(&mut self) {
        self.give_back();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn one_writer_at_a_time() {
        let gate = WriteGate::default();
        let inside = Arc::new(AtomicU32::new(0));
        let most = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (gate, inside, most) = (gate.clone(), inside.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        gate.enter();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        gate.leave();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }
}

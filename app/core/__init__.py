"""The lab's core: threads, the shared array, locks, events and measurements. No Qt here."""

// SIGTERM / SIGINT turned into an event a thread can wait for.
//
// The handler only writes one byte to a pipe (async-signal-safe); the waiting
// thread does the real work. A second signal while shutting down exits at once
// with 128+signo, so an impatient Ctrl-C still works.
#pragma once

namespace skinlens {

// Installs the handlers (idempotent). Call before waiting.
void InstallShutdownSignalHandlers();

// Blocks until SIGTERM or SIGINT arrives or RequestShutdown() is called;
// returns the signal number (0 for RequestShutdown()).
int WaitForShutdownSignal();

// Wakes WaitForShutdownSignal() as a signal would; for tests and for
// services that decide to stop on their own.
void RequestShutdown();

}  // namespace skinlens

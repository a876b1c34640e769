// How the test tools (sample_site_server, soak_server) run until Ctrl-C or SIGTERM.
#pragma once

#include <signal.h>

namespace crawler::testing {

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards, so no
// thread is interrupted and wait() alone receives them: construct it before any thread starts.
class StopSignal {
 public:
  StopSignal();
  // Returns the signal that arrived.
  int wait() const;

 private:
  sigset_t signals_;
};

}  // namespace crawler::testing

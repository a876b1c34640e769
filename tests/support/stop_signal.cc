#include "tests/support/stop_signal.h"

#include <pthread.h>

namespace crawler::testing {

StopSignal::StopSignal() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

int StopSignal::wait() const {
  int received = 0;
  sigwait(&signals_, &received);
  return received;
}

}  // namespace crawler::testing

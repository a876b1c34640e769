// The frontier contract (tests/support/frontier_contract.h), run against every implementation.
#include "tests/support/frontier_contract.h"

#include "crawler/frontier/memory_frontier.h"

namespace crawler::testing {
namespace {

struct MemoryFrontierFactory {
  static std::unique_ptr<Frontier> make(const FrontierOptions& options) {
    return std::make_unique<MemoryFrontier>(options);
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Memory, FrontierContract, MemoryFrontierFactory);

}  // namespace
}  // namespace crawler::testing
